//! What every tracer process probecost starts (bpftrace, a user's command) shares: it keeps off
//! the workload's CPU, and it dies with probecost, whatever ends it.

use std::os::unix::process::CommandExt as _;
use std::process::Command;

/// Every allowed CPU but the workload's, when there is another one.
pub(crate) fn other_cpus(workload_cpu: usize) -> Option<libc::cpu_set_t> {
    let cpus = probecost_core::cpu::other_cpus(workload_cpu).ok()?;
    if cpus.is_empty() {
        return None;
    }
    // SAFETY: cpu_set_t is plain data; every CPU came from the kernel's own mask.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        for cpu in cpus {
            libc::CPU_SET(cpu, &mut set);
        }
        Some(set)
    }
}

/// Makes the process `command` starts get SIGKILL when probecost exits (PR_SET_PDEATHSIG) and
/// run on every allowed CPU but `workload_cpu`.
pub(crate) fn off_the_workload_and_dying_with_us(command: &mut Command, workload_cpu: usize) {
    let others = other_cpus(workload_cpu);
    // SAFETY: only async-signal-safe calls (prctl, sched_setaffinity) between fork and exec.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if let Some(set) = &others {
                libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), set);
            }
            Ok(())
        });
    }
}
