//! Runs QEMU: its own process group (a terminal's Ctrl-C reaches the runner, which stops the
//! guest and says so), killed if the runner dies (PR_SET_PDEATHSIG), killed at the time limit,
//! the console copied to a log with the guest's progress lines shown as they come.

use std::{
    fs,
    io::{BufRead as _, BufReader, Read, Write as _},
    os::unix::process::CommandExt as _,
    path::Path,
    process::{Child, Command, Stdio},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    thread,
    time::{Duration, Instant},
};

use crate::{host::Accel, VmError};

/// How one boot ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootOutcome {
    /// QEMU exited by itself (the guest powered off, or its kernel panicked).
    Finished {
        /// How long it ran.
        wall: Duration,
    },
    /// Killed at the time limit.
    TimedOut,
    /// Stopped by Ctrl-C or SIGTERM.
    Interrupted,
}

impl BootOutcome {
    /// How long the guest ran (zero unless it finished).
    pub fn wall(&self) -> Duration {
        match self {
            Self::Finished { wall } => *wall,
            _ => Duration::ZERO,
        }
    }
}

/// One QEMU run.
pub struct QemuRun<'a> {
    /// Kernel image.
    pub kernel: &'a Path,
    /// Initramfs.
    pub initrd: &'a Path,
    /// KVM or TCG.
    pub accel: Accel,
    /// Guest memory, MiB.
    pub memory_mib: u32,
    /// Killed after this.
    pub time_limit: Duration,
    /// The first serial port (console) and QEMU's own messages.
    pub console_log: &'a Path,
    /// The second serial port, where the guest sends its results.
    pub results_serial: &'a Path,
    /// A host CPU to pin QEMU to.
    pub host_cpu: Option<usize>,
}

/// The line prefix the guest's `/init` marks its progress with.
pub const PROGRESS_MARK: &str = "@@probecost-vm: ";

/// Boots and waits until the guest powers off, the limit passes or `stop` is set.
pub fn run(run: &QemuRun<'_>, stop: &AtomicBool) -> Result<BootOutcome, VmError> {
    let _ = fs::remove_file(run.results_serial);
    let log = fs::File::create(run.console_log).map_err(|e| VmError::io(run.console_log, e))?;
    let log = Arc::new(Mutex::new(log));
    let mut command = Command::new("qemu-system-x86_64");
    match run.accel {
        Accel::Kvm => command.args(["-accel", "kvm", "-cpu", "host"]),
        Accel::Tcg => command.args(["-accel", "tcg", "-cpu", "max"]),
    };
    command
        .args(["-smp", "1", "-m", &run.memory_mib.to_string()])
        .args([
            "-nic",
            "none",
            "-display",
            "none",
            "-monitor",
            "none",
            "-no-reboot",
        ])
        .args(["-serial", "stdio"])
        .arg("-serial")
        .arg(format!("file:{}", run.results_serial.display()))
        .arg("-kernel")
        .arg(run.kernel)
        .arg("-initrd")
        .arg(run.initrd)
        .args(["-append", "console=ttyS0 panic=-1 quiet loglevel=4"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let host_cpu = run.host_cpu;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if let Some(cpu) = host_cpu {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                libc::CPU_SET(cpu, &mut set);
                libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = command.spawn().map_err(|e| VmError::Command {
        command: "qemu-system-x86_64".into(),
        reason: format!("{e} (is qemu-system-x86 installed?)"),
    })?;
    let copiers = [
        copy_output(child.stdout.take(), Arc::clone(&log), true),
        copy_output(child.stderr.take(), Arc::clone(&log), false),
    ];
    let outcome = wait(&mut child, started, run.time_limit, stop);
    for copier in copiers.into_iter().flatten() {
        let _ = copier.join();
    }
    outcome
}

fn wait(
    child: &mut Child,
    started: Instant,
    limit: Duration,
    stop: &AtomicBool,
) -> Result<BootOutcome, VmError> {
    loop {
        match child.try_wait() {
            Ok(Some(_)) => {
                return Ok(BootOutcome::Finished {
                    wall: started.elapsed(),
                })
            }
            Ok(None) => {}
            Err(e) => {
                return Err(VmError::Command {
                    command: "qemu-system-x86_64".into(),
                    reason: e.to_string(),
                })
            }
        }
        let ended = if stop.load(Ordering::Relaxed) {
            Some(BootOutcome::Interrupted)
        } else if started.elapsed() > limit {
            Some(BootOutcome::TimedOut)
        } else {
            None
        };
        if let Some(outcome) = ended {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(outcome);
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// Copies QEMU's output into the log and to stderr (`vm| ` before each line, `vm: ` before
/// the guest's progress lines), unless PROBECOST_VM_QUIET is set.
fn copy_output(
    stream: Option<impl Read + Send + 'static>,
    log: Arc<Mutex<fs::File>>,
    console: bool,
) -> Option<thread::JoinHandle<()>> {
    let stream = stream?;
    let quiet = std::env::var_os("PROBECOST_VM_QUIET").is_some();
    Some(thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut line = Vec::new();
        while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            if let Ok(mut log) = log.lock() {
                let _ = writeln!(log, "{text}");
            }
            let progress = text
                .find(PROGRESS_MARK)
                .map(|at| &text[at + PROGRESS_MARK.len()..]);
            match progress {
                Some(progress) => eprintln!("vm: {progress}"),
                None if !quiet || !console => eprintln!("vm| {text}"),
                None => {}
            }
            line.clear();
        }
    }))
}
