//! Helpers shared by the integration tests: privilege checks that skip visibly, the path of
//! the `probecost` binary, and a census of probecost's programs in the kernel.

use std::{io::Write as _, path::PathBuf};

use probecost_core::scenario::{AttachKind, ScenarioCatalog};

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

/// Sends `signal` to `child`, a process the test started and has not reaped.
pub fn send_signal(child: &std::process::Child, signal: libc::c_int) {
    // SAFETY: signalling a child of this test that has not been reaped.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
}

/// Runs probecost with `args`, sends it SIGINT after `after`, and returns what it wrote to
/// stderr (stdout is discarded) with its exit status.
pub fn interrupted_after(args: &[&str], after: std::time::Duration) -> std::process::Output {
    let child = std::process::Command::new(probecost_bin())
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("running probecost");
    std::thread::sleep(after);
    send_signal(&child, libc::SIGINT);
    child.wait_with_output().expect("waiting for probecost")
}

/// The JSON report probecost wrote to `path`.
pub fn read_report(path: impl AsRef<std::path::Path>) -> serde_json::Value {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("reading the report {}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("parsing the report {}: {e}", path.display()))
}

/// The JSON report probecost wrote to `path`, which is then removed.
pub fn take_report(path: impl AsRef<std::path::Path>) -> serde_json::Value {
    let report = read_report(path.as_ref());
    std::fs::remove_file(path.as_ref()).expect("removing the report");
    report
}

/// The records of a CSV export, each as column name -> field.
pub fn csv_records(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().expect("a CSV header").clone();
    reader
        .records()
        .map(|r| {
            let record = r.expect("a well-formed CSV record");
            header
                .iter()
                .map(String::from)
                .zip(record.iter().map(String::from))
                .collect()
        })
        .collect()
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

/// A short `probecost run` of the control and `tracepoint-entry` rows (2 rounds of 100 ms, no
/// verification run), keeping its baselines in `baseline_dir`, with `extra` arguments.
pub fn short_run_with_baselines(
    baseline_dir: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    std::process::Command::new(probecost_bin())
        .env("PROBECOST_BASELINE_DIR", baseline_dir)
        .args([
            "run",
            "--scenario",
            "control,tracepoint-entry",
            "--runs",
            "2",
        ])
        .args(["--run-time-ms", "100", "--no-verify"])
        .args(extra)
        .output()
        .expect("running probecost")
}

/// Kernel names (truncated to 15 bytes, as the kernel keeps them) of every program probecost
/// can load.
pub fn our_program_names() -> Vec<String> {
    let mut names: Vec<String> = ScenarioCatalog
        .every()
        .flat_map(|s| s.programs.iter())
        .flat_map(|p| AttachKind::ALL.map(|k| p.program_name(k)))
        .map(|n| n.chars().take(15).collect())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The programs loaded since a moment: those the process under test loaded, whatever their
/// names, and none that another tool had loaded before (the kernel's program ids only grow).
#[cfg(target_os = "linux")]
pub struct ProgramCensus {
    last_id: u32,
}

#[cfg(target_os = "linux")]
impl ProgramCensus {
    /// Notes the newest program loaded now.
    pub fn take() -> Self {
        Self {
            last_id: Self::loaded_ids().into_iter().max().unwrap_or(0),
        }
    }

    fn loaded_ids() -> Vec<u32> {
        aya::programs::loaded_programs()
            .filter_map(Result::ok)
            .map(|p| p.id())
            .collect()
    }

    /// Programs loaded since the census and still loaded.
    pub fn loaded_since(&self) -> usize {
        Self::loaded_ids()
            .into_iter()
            .filter(|id| *id > self.last_id)
            .count()
    }

    /// Waits up to ten seconds for the programs loaded since the census to go (the kernel
    /// frees them after an RCU grace period), returning how many are left.
    pub fn settled(&self) -> usize {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let now = self.loaded_since();
            if now == 0 || std::time::Instant::now() > deadline {
                return now;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

/// Process ids of running processes whose `comm` and command line satisfy `wanted`.
pub fn processes(wanted: impl Fn(&str, &str) -> bool) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(comm) = std::fs::read_to_string(format!("/proc/{pid}/comm")) else {
                return false;
            };
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            wanted(comm.trim(), &String::from_utf8_lossy(&cmdline))
        })
        .collect()
}

/// Process ids of running processes named `bpftrace`.
pub fn bpftrace_processes() -> Vec<u32> {
    processes(|comm, _| comm == "bpftrace")
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

/// Waits for `child` (see [`wait_with_timeout`]) and reads what it wrote to its piped stdout.
pub fn exit_code_and_stdout(
    child: &mut std::process::Child,
    limit: std::time::Duration,
) -> (Option<i32>, String) {
    use std::io::Read as _;

    let status = wait_with_timeout(child, limit);
    let mut stdout = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_string(&mut stdout).unwrap();
    }
    (status.code(), stdout)
}

/// Guests for the tests that need a kernel with kprobes and fentry: Debian's kernels booted in
/// QEMU with the release probecost inside (see the `probecost-vm` crate).
pub mod guest {
    use std::{
        path::{Path, PathBuf},
        sync::atomic::AtomicBool,
        time::Duration,
    };

    pub use probecost_vm::{Accel, BootResult, GuestStep};

    /// The workspace's root.
    pub fn workspace() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("tests/ is inside the workspace")
            .to_path_buf()
    }

    /// What a guest test asks for.
    pub struct GuestTest<'a> {
        /// The test's name (its results go to target/vm-tests/<name>/).
        pub name: &'a str,
        /// The Debian kernel series.
        pub kernel: &'a str,
        /// The steps.
        pub steps: Vec<GuestStep>,
        /// Pack bpftrace.
        pub with_bpftrace: bool,
        /// Pack bpftool.
        pub with_bpftool: bool,
    }

    /// Boots the guest, or says "skipped: needs root" and returns `None` when not root (the
    /// kernel package and QEMU are installed from Debian as root).
    pub fn boot(test: GuestTest<'_>) -> Option<(BootResult, Accel)> {
        let name = test.name;
        let (outcome, accel) = try_boot(test, Duration::from_secs(420), &AtomicBool::new(false))?;
        Some((outcome.unwrap_or_else(|e| panic!("{name}: {e}")), accel))
    }

    /// Like [`boot`], with a time limit and a stop flag, returning the runner's error.
    pub fn try_boot(
        test: GuestTest<'_>,
        time_limit: Duration,
        stop: &AtomicBool,
    ) -> Option<(Result<BootResult, probecost_vm::VmError>, Accel)> {
        if !super::have_root(test.name) {
            return None;
        }
        let root = workspace();
        let probecost = root.join("target/release/probecost");
        assert!(
            probecost.is_file(),
            "{} is missing: the guests run the release build (`cargo build --release -p \
             probecost`; `cargo xtask test` builds it)",
            probecost.display()
        );
        let cache = root.join("target/vm");
        probecost_vm::host::ensure_tools().expect("QEMU and busybox on the host");
        let kernel = probecost_vm::KernelSource::parse(test.kernel)
            .and_then(|k| k.prepare(&cache))
            .expect("the Debian kernel package");
        let (accel, _) = probecost_vm::choose_accel(&kernel, &probecost, &cache, stop)
            .expect("choosing KVM or TCG");
        let out_dir = root.join("target/vm-tests").join(test.name);
        let _ = std::fs::remove_dir_all(&out_dir);
        let request = probecost_vm::BootRequest {
            kernel,
            probecost,
            steps: test.steps,
            with_bpftrace: test.with_bpftrace,
            with_bpftool: test.with_bpftool,
            accel,
            memory_mib: if test.with_bpftrace { 4096 } else { 2048 },
            time_limit,
            out_dir,
            work_dir: root.join("target/vm-tests/work"),
            host_cpu: Some(0),
        };
        Some((probecost_vm::boot(&request, stop), accel))
    }

    /// Process ids of the guest tests' QEMU processes still running (those booting an
    /// initramfs from target/vm-tests/).
    pub fn qemu_processes() -> Vec<u32> {
        super::processes(|comm, cmdline| {
            comm.starts_with("qemu-system") && cmdline.contains("target/vm-tests/work")
        })
    }

    /// A JSON file the guest wrote.
    pub fn json(result: &BootResult, file: &str) -> serde_json::Value {
        let path = result.out_dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (console log: {})",
                path.display(),
                result.console_log.display()
            )
        });
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}
