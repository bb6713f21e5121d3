//! Kernel BPF run-time statistics (BPF_ENABLE_STATS): while the returned descriptor is open the
//! kernel times every program run, which costs two clock reads per event. probecost turns them
//! on only for the verification run, never while timing.

use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};

use aya::sys::{enable_stats, Stats};

use probecost_core::{
    benchmark::{MeasureError, PreparedScenario, ProgramRun, ProgramStats},
    error::BackendError,
    workload::Interruptible,
};

/// Turns run-time statistics on until the returned descriptor is dropped.
pub fn enable() -> Result<OwnedFd, BackendError> {
    enable_stats(Stats::RunTime).map_err(|e| BackendError::Read {
        what: "BPF statistics (BPF_ENABLE_STATS)".into(),
        error: probecost_core::error::error_chain(&e),
    })
}

/// What the kernel reports about one loaded program: its BPF statistics and its size.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelProgramInfo {
    /// Times it ran while statistics were on.
    pub run_count: u64,
    /// Time spent in it while statistics were on, ns.
    pub run_time_ns: u64,
    /// Instructions after the kernel's rewrites (`bpftool prog dump xlated`).
    pub xlated_insns: u32,
    /// Instructions the verifier processed to accept it (0 where the kernel does not say).
    pub verified_insns: u32,
}

/// `BPF_OBJ_GET_INFO_BY_FD` on a loaded program, whichever loader loaded it.
pub fn program_info(program: BorrowedFd<'_>) -> Result<KernelProgramInfo, std::io::Error> {
    use aya_obj::generated::{bpf_attr, bpf_cmd, bpf_prog_info};

    // SAFETY: bpf_prog_info is plain data; zero is the "unset" value of every field.
    let mut info: bpf_prog_info = unsafe { std::mem::zeroed() };
    // SAFETY: bpf_attr is plain data, as above.
    let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
    attr.info.bpf_fd = program.as_raw_fd() as u32;
    attr.info.info_len = std::mem::size_of::<bpf_prog_info>() as u32;
    attr.info.info = &mut info as *mut bpf_prog_info as u64;
    // SAFETY: attr is a valid bpf_attr and `info` outlives the syscall.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            bpf_cmd::BPF_OBJ_GET_INFO_BY_FD as libc::c_long,
            &mut attr as *mut bpf_attr,
            std::mem::size_of::<bpf_attr>(),
        )
    };
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(KernelProgramInfo {
        run_count: info.run_cnt,
        run_time_ns: info.run_time_ns,
        xlated_insns: info.xlated_prog_len / 8,
        verified_insns: info.verified_insns,
    })
}

/// What each program did between two readings of its kernel information.
pub fn stats_between(before: &[KernelProgramInfo], after: &[KernelProgramInfo]) -> ProgramStats {
    ProgramStats {
        programs: before
            .iter()
            .zip(after)
            .map(|(before, after)| ProgramRun {
                count: after.run_count.saturating_sub(before.run_count),
                time_ns: Some(after.run_time_ns.saturating_sub(before.run_time_ns)),
                xlated_insns: Some(after.xlated_insns),
                verified_insns: Some(after.verified_insns),
            })
            .collect(),
    }
}

/// The verification run of any loader's programs: statistics on, attach, read each program's
/// information (`infos`), run `ops` operations, read again, detach.
pub fn verification_run<P: PreparedScenario>(
    prepared: &mut P,
    infos: fn(&P) -> Result<Vec<KernelProgramInfo>, BackendError>,
    on: Interruptible<'_>,
    ops: u64,
) -> Result<ProgramStats, MeasureError> {
    let ready = on.ready(ops)?;
    let stats_enabled = enable()?;
    prepared.attach()?;
    let before = infos(prepared)?;
    let outcome = ready.go();
    let after = infos(prepared)?;
    prepared.detach()?;
    drop(stats_enabled);
    outcome?;
    Ok(stats_between(&before, &after))
}
