//! Boots kernels in QEMU with probecost inside and brings back what it wrote.
//!
//! probecost's kprobe, kretprobe, kprobe.multi and fentry paths need a kernel that has them;
//! this crate gets one (a Debian kernel package from the archive, a `.deb`, or a kernel
//! developer's own `bzImage`), packs probecost, busybox and whatever else a run needs into an
//! initramfs, boots it (KVM when it can run a guest here, QEMU's TCG emulator otherwise), runs
//! a list of shell steps, and unpacks the guest's `/out` on the host. Used by `cargo xtask vm`
//! and by the guest tests.
//!
//! | module | job |
//! |---|---|
//! | [`kernel`] | which kernel: download, check and unpack Debian's packages, or take a file |
//! | [`host`] | the host tools (QEMU, busybox) and the accelerator QEMU can use |
//! | [`initramfs`] | a newc cpio archive of files, binaries and their shared libraries |
//! | [`guest_script`] | the guest's `/init`: mounts, facts, the steps, the way results come back |
//! | [`qemu`] | running QEMU with a time limit, a stop flag and a console log |
//! | [`results`] | unpacking what the guest sent back |

pub mod guest_script;
pub mod host;
pub mod initramfs;
pub mod kernel;
pub mod qemu;
pub mod results;

use std::{
    fs,
    path::{Path, PathBuf},
    sync::atomic::AtomicBool,
    time::Duration,
};

pub use guest_script::{GuestFacts, GuestStep};
pub use host::Accel;
pub use kernel::{KernelSource, PreparedKernel};
pub use qemu::BootOutcome;

/// What went wrong, one line each, saying what to do where there is something to do.
#[derive(Debug, thiserror::Error)]
pub enum VmError {
    /// A `--kernel` value that names nothing usable.
    #[error("--kernel {0}: {1}")]
    BadKernel(String, String),
    /// A host command failed.
    #[error("{command}: {reason}")]
    Command {
        /// The command.
        command: String,
        /// Its failure.
        reason: String,
    },
    /// A host tool is missing and could not be installed.
    #[error("{0}")]
    MissingTool(String),
    /// A file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// The downloaded package does not match the archive's checksum.
    #[error("{0}")]
    Checksum(String),
    /// The guest ran past its time limit and was killed.
    #[error("the guest ({kernel}) ran past its {limit_s} s limit and was killed; the console log is in {log}")]
    TimedOut {
        /// The kernel.
        kernel: String,
        /// The limit.
        limit_s: u64,
        /// Where the console went.
        log: String,
    },
    /// Ctrl-C or SIGTERM.
    #[error("interrupted: the guest was stopped")]
    Interrupted,
    /// The guest ended without sending its results.
    #[error("the guest ({kernel}) ended without sending its results: {reason}; the console log is in {log}")]
    NoResults {
        /// The kernel.
        kernel: String,
        /// What was seen.
        reason: String,
        /// Where the console went.
        log: String,
    },
    /// The kernel booted but lacks what probecost needs.
    #[error("kernel {kernel} lacks {missing}: probecost needs it (see the console log in {log})")]
    KernelLacks {
        /// The kernel.
        kernel: String,
        /// What is missing, with the option that provides it.
        missing: String,
        /// Where the console went.
        log: String,
    },
}

impl VmError {
    pub(crate) fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            error,
        }
    }
}

/// One guest boot.
#[derive(Clone, Debug)]
pub struct BootRequest {
    /// The kernel.
    pub kernel: PreparedKernel,
    /// The probecost binary to run inside (a release build: the guest may be emulated).
    pub probecost: PathBuf,
    /// The steps, in order.
    pub steps: Vec<GuestStep>,
    /// Also pack bpftrace and its libraries (about 200 MB: more guest memory).
    pub with_bpftrace: bool,
    /// Also pack bpftool, to list what is left in the kernel.
    pub with_bpftool: bool,
    /// KVM or TCG.
    pub accel: Accel,
    /// Guest memory, MiB.
    pub memory_mib: u32,
    /// How long the guest may run before it is killed.
    pub time_limit: Duration,
    /// Where the guest's files, the console log and the step exit codes go.
    pub out_dir: PathBuf,
    /// Where the initramfs is built.
    pub work_dir: PathBuf,
    /// A host CPU QEMU is pinned to, away from anything measuring on the host.
    pub host_cpu: Option<usize>,
}

/// What a boot brought back.
#[derive(Clone, Debug)]
pub struct BootResult {
    /// Each step's exit status, in order (`None`: the step did not finish).
    pub step_exits: Vec<Option<i32>>,
    /// What the guest saw of its kernel.
    pub facts: GuestFacts,
    /// Where the guest's files are.
    pub out_dir: PathBuf,
    /// The console log.
    pub console_log: PathBuf,
    /// How long the guest ran.
    pub wall: Duration,
}

/// Builds the initramfs, boots, runs the steps and unpacks the results into `out_dir`.
pub fn boot(request: &BootRequest, stop: &AtomicBool) -> Result<BootResult, VmError> {
    fs::create_dir_all(&request.work_dir).map_err(|e| VmError::io(&request.work_dir, e))?;
    fs::create_dir_all(&request.out_dir).map_err(|e| VmError::io(&request.out_dir, e))?;
    let initrd = request.work_dir.join("initramfs.cpio");
    let script = guest_script::init_script(&request.steps);
    build_initramfs(request, &script, &initrd)?;
    let serial = request.work_dir.join("results.b64");
    let console_log = request.out_dir.join("console.log");
    let outcome = qemu::run(
        &qemu::QemuRun {
            kernel: &request.kernel.image,
            initrd: &initrd,
            accel: request.accel,
            memory_mib: request.memory_mib,
            time_limit: request.time_limit,
            console_log: &console_log,
            results_serial: &serial,
            host_cpu: request.host_cpu,
        },
        stop,
    )?;
    let log = console_log.display().to_string();
    match outcome {
        BootOutcome::Finished { .. } => {}
        BootOutcome::TimedOut => {
            return Err(VmError::TimedOut {
                kernel: request.kernel.label.clone(),
                limit_s: request.time_limit.as_secs(),
                log,
            })
        }
        BootOutcome::Interrupted => return Err(VmError::Interrupted),
    }
    let no_results = |reason: String| VmError::NoResults {
        kernel: request.kernel.label.clone(),
        reason,
        log: log.clone(),
    };
    let encoded = fs::read(&serial).map_err(|e| VmError::io(&serial, e))?;
    if encoded.iter().all(u8::is_ascii_whitespace) {
        let console = fs::read_to_string(&console_log).unwrap_or_default();
        return Err(no_results(results::why_no_results(&console)));
    }
    results::unpack(&encoded, &request.out_dir).map_err(no_results)?;
    let facts = GuestFacts::read(&request.out_dir.join(guest_script::FACTS_FILE))?;
    if let Some(missing) = facts.missing() {
        return Err(VmError::KernelLacks {
            kernel: request.kernel.label.clone(),
            missing,
            log,
        });
    }
    let step_exits = (0..request.steps.len())
        .map(|i| guest_script::step_exit(&request.out_dir, i))
        .collect();
    Ok(BootResult {
        step_exits,
        facts,
        out_dir: request.out_dir.clone(),
        console_log,
        wall: outcome.wall(),
    })
}

fn build_initramfs(request: &BootRequest, script: &str, path: &Path) -> Result<(), VmError> {
    let mut archive = initramfs::Initramfs::default();
    for dir in [
        "bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "run", "out", "boot",
    ] {
        archive.add_dir(dir);
    }
    archive.add_bytes("init", script.as_bytes().to_vec(), 0o755);
    archive.add_file("bin/busybox", &host::busybox()?, 0o755)?;
    archive.add_binary("bin/probecost", &request.probecost)?;
    if let (Some(config), Some(release)) = (&request.kernel.config, &request.kernel.release) {
        // probecost reads /boot/config-$(uname -r) to say why a feature is missing.
        archive.add_file(&format!("boot/config-{release}"), config, 0o644)?;
    }
    if request.with_bpftrace {
        archive.add_binary("bin/bpftrace", &host::tool("bpftrace")?)?;
        // The tools the host's bpftrace package ships, for `probecost bpftrace-tools`.
        for tool in host::bpftrace_tools() {
            if let Some(name) = tool.file_name() {
                archive.add_file(
                    &format!("usr/sbin/{}", name.to_string_lossy()),
                    &tool,
                    0o755,
                )?;
            }
        }
    }
    if request.with_bpftool {
        archive.add_binary("bin/bpftool", &host::tool("bpftool")?)?;
    }
    archive.write(path)
}

/// KVM when `/dev/kvm` opens and a guest on it can attach and fire a kprobe (a kernel with
/// kprobes needs the hypervisor to emulate `int3` correctly; some nested set-ups cannot), else
/// TCG. The verdict is kept in `cache` per host kernel, since the probe boot costs seconds.
pub fn choose_accel(
    kernel: &PreparedKernel,
    probecost: &Path,
    cache: &Path,
    stop: &AtomicBool,
) -> Result<(Accel, String), VmError> {
    if !host::kvm_device_usable() {
        return Ok((Accel::Tcg, "/dev/kvm cannot be opened".into()));
    }
    let host_release = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let verdict_file = cache.join(format!("kvm-verdict-{}", host_release.trim()));
    if let Ok(verdict) = fs::read_to_string(&verdict_file) {
        let (accel, why) = verdict.split_once('\n').unwrap_or((&verdict, ""));
        let accel = if accel == "kvm" {
            Accel::Kvm
        } else {
            Accel::Tcg
        };
        return Ok((
            accel,
            format!("{} (cached in {})", why.trim(), verdict_file.display()),
        ));
    }
    eprintln!("vm: /dev/kvm opens; checking that a guest on it can fire a kprobe (up to 30 s)");
    let probe = BootRequest {
        kernel: kernel.clone(),
        probecost: probecost.to_path_buf(),
        steps: vec![GuestStep::probecost(&[
            "run",
            "--scenario",
            "kprobe",
            "--runs",
            "1",
            "--ops",
            "20000",
            "--no-verify",
        ])],
        with_bpftrace: false,
        with_bpftool: false,
        accel: Accel::Kvm,
        memory_mib: 1024,
        time_limit: Duration::from_secs(30),
        out_dir: cache.join("kvm-probe"),
        work_dir: cache.join("kvm-probe-work"),
        host_cpu: None,
    };
    let (accel, why) = match boot(&probe, stop) {
        Ok(result) if result.step_exits == [Some(0)] => {
            (Accel::Kvm, "a KVM guest fired a kprobe".to_string())
        }
        Err(VmError::Interrupted) => return Err(VmError::Interrupted),
        Ok(result) => (
            Accel::Tcg,
            format!("a KVM guest's kprobe step exited {:?}", result.step_exits),
        ),
        Err(e) => (Accel::Tcg, format!("KVM cannot run the guest here ({e})")),
    };
    let word = if accel == Accel::Kvm { "kvm" } else { "tcg" };
    let _ = fs::write(&verdict_file, format!("{word}\n{why}\n"));
    Ok((accel, why))
}
