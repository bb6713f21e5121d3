//! `cargo xtask vm`: boots kernels in QEMU with the release probecost inside, runs it with the
//! given arguments, and brings back what it wrote to `target/vm/<kernel>/`.

use std::{
    path::{Path, PathBuf},
    process::ExitCode,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use anyhow::{Context as _, Result};
use probecost_vm::{Accel, BootRequest, GuestStep, KernelSource, VmError};

/// Where kernels, verdicts and results live.
pub const VM_DIR: &str = "target/vm";

/// `cargo xtask vm` arguments.
#[derive(clap::Args, Debug)]
pub struct VmArgs {
    /// A Debian kernel series (6.1, 6.12: the newest cloud kernel package of it), a kernel
    /// package (.deb) or a kernel image (bzImage, vmlinuz). Repeat for several.
    #[arg(long = "kernel", default_values_t = ["6.1".to_string(), "6.12".to_string()])]
    kernels: Vec<String>,
    /// How QEMU runs the guest: auto (KVM when a guest on it can fire a kprobe, else TCG), kvm
    /// or tcg.
    #[arg(long, value_enum, default_value_t = AccelChoice::Auto)]
    accel: AccelChoice,
    /// Seconds a guest may run before it is killed.
    #[arg(long, default_value_t = 900)]
    timeout: u64,
    /// Guest memory in MiB (default 2048, 4096 when bpftrace is packed).
    #[arg(long)]
    memory: Option<u32>,
    /// Hides the kprobe PMU in the guest, so probecost falls back to fentry/fexit.
    #[arg(long)]
    hide_kprobes: bool,
    /// Packs bpftrace into the guest (automatic when the arguments name it).
    #[arg(long)]
    with_bpftrace: bool,
    /// The host CPU QEMU runs on (keep it off any CPU measuring on the host).
    #[arg(long, default_value_t = 0)]
    host_cpu: usize,
    /// Arguments for probecost inside the guest (default: `run`). Relative export paths land
    /// in target/vm/<kernel>/.
    #[arg(last = true)]
    args: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum AccelChoice {
    Auto,
    Kvm,
    Tcg,
}

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

/// Runs the guests one after another; the exit code is the first failing probecost's.
pub fn run(args: VmArgs) -> Result<ExitCode> {
    // SAFETY: the handler only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
    probecost_vm::host::ensure_tools()?;
    let probecost = Path::new("target/release/probecost");
    let probecost_args = if args.args.is_empty() {
        vec!["run".to_string()]
    } else {
        args.args.clone()
    };
    let with_bpftrace = args.with_bpftrace || probecost_args.iter().any(|a| a.contains("bpftrace"));
    let mut steps = Vec::new();
    if args.hide_kprobes {
        steps.push(GuestStep::hide_kprobe_pmu());
    }
    steps.push(GuestStep::probecost(&probecost_args));
    let mut code = ExitCode::SUCCESS;
    for text in &args.kernels {
        let kernel = KernelSource::parse(text)?.prepare(Path::new(VM_DIR))?;
        let (accel, why) = match args.accel {
            AccelChoice::Kvm => (Accel::Kvm, "asked for".to_string()),
            AccelChoice::Tcg => (Accel::Tcg, "asked for".to_string()),
            AccelChoice::Auto => {
                probecost_vm::choose_accel(&kernel, probecost, Path::new(VM_DIR), &STOP)?
            }
        };
        let out_dir = PathBuf::from(VM_DIR).join(&kernel.label);
        let _ = std::fs::remove_dir_all(&out_dir);
        eprintln!(
            "xtask: booting {} ({}) on {accel}: {why}",
            kernel.label,
            kernel
                .package
                .as_deref()
                .unwrap_or(&kernel.image.display().to_string())
        );
        if accel == Accel::Tcg {
            eprintln!("xtask: the guest's CPU is emulated: its timings are not hardware costs");
        }
        let request = BootRequest {
            kernel: kernel.clone(),
            probecost: probecost.to_path_buf(),
            steps: steps.clone(),
            with_bpftrace,
            with_bpftool: false,
            accel,
            memory_mib: args
                .memory
                .unwrap_or(if with_bpftrace { 4096 } else { 2048 }),
            time_limit: Duration::from_secs(args.timeout),
            out_dir: out_dir.clone(),
            work_dir: PathBuf::from(VM_DIR).join("work").join(&kernel.label),
            host_cpu: Some(args.host_cpu),
        };
        let result = match probecost_vm::boot(&request, &STOP) {
            Ok(result) => result,
            Err(VmError::Interrupted) => {
                eprintln!("xtask: interrupted: the guest was stopped; nothing is left running");
                return Ok(ExitCode::from(130));
            }
            Err(e) => return Err(e).with_context(|| format!("kernel {}", kernel.label)),
        };
        let exit = result.step_exits.last().copied().flatten();
        eprintln!(
            "xtask: {} ({}) ran in {:.1} s; probecost exited {}; results and console.log in {}",
            kernel.label,
            result.facts.release().unwrap_or("?"),
            result.wall.as_secs_f64(),
            exit.map_or("without finishing".into(), |c| c.to_string()),
            out_dir.display()
        );
        if exit != Some(0) && code == ExitCode::SUCCESS {
            code = ExitCode::from(exit.map_or(1, |c| c.clamp(1, 255) as u8));
        }
    }
    Ok(code)
}
