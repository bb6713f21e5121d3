//! Helpers shared by the integration tests: privilege checks that skip visibly, the path of
//! the `probecost` binary, and a census of probecost's programs in the kernel.

use std::{io::Write as _, path::PathBuf};

use probecost::scenario::{AttachKind, ScenarioCatalog};

/// Whether the test can load eBPF programs. When it cannot, says so on the real stderr (test
/// capture would hide a println) so a non-root run never passes silently.
pub fn have_root(test: &str) -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return true;
    }
    let _ = writeln!(std::io::stderr(), "skipped: needs root ({test})");
    false
}

/// The `probecost` binary cargo built beside this test binary.
pub fn probecost_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("PROBECOST_BIN") {
        return path.into();
    }
    let exe = std::env::current_exe().expect("test binary path");
    // target/<profile>/deps/<test> -> target/<profile>/probecost
    exe.parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("probecost"))
        .expect("target directory layout")
}

/// Kernel names (truncated to 15 bytes, as the kernel keeps them) of every program probecost
/// can load.
pub fn our_program_names() -> Vec<String> {
    let kinds = [
        AttachKind::Kprobe,
        AttachKind::Fentry,
        AttachKind::SyscallTracepoint,
        AttachKind::Uprobe,
    ];
    let mut names: Vec<String> = ScenarioCatalog
        .all()
        .iter()
        .flat_map(|s| s.programs.iter())
        .flat_map(|p| kinds.iter().map(move |k| p.program_name(*k)))
        .map(|n| n.chars().take(15).collect())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// How many of probecost's programs are loaded in the kernel right now.
#[cfg(target_os = "linux")]
pub fn loaded_probecost_programs() -> usize {
    let ours = our_program_names();
    aya::programs::loaded_programs()
        .filter_map(Result::ok)
        .filter(|p| p.name_as_str().is_some_and(|n| ours.iter().any(|o| o == n)))
        .count()
}

/// Waits up to five seconds for the kernel to finish releasing programs (it frees them after
/// an RCU grace period), returning the last count.
#[cfg(target_os = "linux")]
pub fn settled_probecost_programs(expected: usize) -> usize {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let now = loaded_probecost_programs();
        if now <= expected || std::time::Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// How many programs of any tracer are loaded in the kernel right now.
#[cfg(target_os = "linux")]
pub fn loaded_programs() -> usize {
    aya::programs::loaded_programs().count()
}

/// Waits up to ten seconds for the kernel's program count to fall back to `expected`.
#[cfg(target_os = "linux")]
pub fn settled_programs(expected: usize) -> usize {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let now = loaded_programs();
        if now <= expected || std::time::Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// Process ids of running processes named `bpftrace`.
pub fn bpftrace_processes() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|comm| comm.trim() == "bpftrace")
        })
        .collect()
}

/// Waits for `child` to exit, killing it and failing the test after `limit`.
pub fn wait_with_timeout(
    child: &mut std::process::Child,
    limit: std::time::Duration,
) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("probecost did not exit within {limit:?} of the signal");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
