//! Each run of the in-process loop in a new task: a new process (the probecost binary's
//! `workload-child`, started and made ready before the tracer attaches) or a forked child.
//!
//! Why a new task: on the kernels this was measured on (6.18 in a KVM guest), a task that makes traced
//! syscalls can be left in a state where every syscall-tracepoint event costs it about 40 ns
//! more, for the rest of its life: RCU Tasks Trace, which guards the syscall tracepoints,
//! marks a task that is inside a traced syscall when a grace period scans it, and on the task
//! seen stuck its need-quiescent-state flag stayed set, so each read-side unlock takes the
//! slow path. Grace periods come from detaches, uprobe links and exiting tracers, at moments
//! probecost does not choose, so a long-lived workload thread stepped to the slow level at a
//! random round and stayed there. A new task starts with the state clear. Either child is
//! timed by itself, with only its sample coming back through a pipe; uprobes on libc and on
//! probecost's sites fire in it as in the parent (they are set on the files, not a process).
//!
//! Why a new process, where the binary has the `workload-child` subcommand: a forked child
//! keeps its parent's address-space layout (where the loop's code, libc, the stack and the
//! heap sit), which address-space randomization draws once per invocation of probecost, so
//! all the runs of one invocation share one layout's offset, which their rounds cannot vary
//! over (docs/results/2026-12-02-layout.md). A new process per run draws a new layout each
//! run. Its start-up (`execve`, the loader's opens, reads and maps) must not be traced, so
//! the process is started and warmed up first ([`StandbyProcess::start`]), the tracer
//! attaches, and only then does it run ([`ReadyRun::go`]).

use std::{
    fs::File,
    io::{self, BufRead, BufReader, Read, Write},
    os::fd::{AsRawFd, FromRawFd, OwnedFd},
    os::unix::process::{CommandExt, ExitStatusExt},
    path::Path,
    process::{Child, ChildStdin, Command, Stdio},
    sync::atomic::{AtomicBool, Ordering},
};

use super::child_command::{child_command, READY_LINE, UPROBE_SITES_FLAG, WAIT_FOR_START_FLAG};
use super::sample_report::{decode, encode};
use super::{ReadyRun, RunSample, WorkloadError};

/// What the child exits with when the run was interrupted.
const EXIT_INTERRUPTED: i32 = 2;
/// What the child writes before a failure's message.
const FAILURE: &str = "error: ";

/// Runs `run` in a forked child and returns the sample it produced.
pub fn run_in_fresh_task(
    run: impl FnOnce() -> Result<RunSample, WorkloadError>,
) -> Result<RunSample, WorkloadError> {
    let (read_end, write_end) = pipe()?;
    // SAFETY: the child runs the timing loop, writes one message and leaves with _exit, never
    // returning into the parent's code; glibc keeps malloc usable in a forked child.
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return Err(io::Error::last_os_error().into());
    }
    if pid == 0 {
        drop(read_end);
        child(run, write_end)
    }
    drop(write_end);
    let mut message = String::new();
    let read = File::from(read_end).read_to_string(&mut message);
    let status = reap(pid)?;
    read?;
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == EXIT_INTERRUPTED {
        return Err(WorkloadError::Interrupted);
    }
    if let Some(failure) = message.strip_prefix(FAILURE) {
        return Err(io::Error::other(failure.to_string()).into());
    }
    decode(&message).map_err(|e| io::Error::other(format!("the workload's child: {e}")).into())
}

/// What the probecost binary exits with when interrupted (128 + SIGINT).
const PROCESS_INTERRUPTED: i32 = 130;

/// A new process of probecost (`workload-child --wait-for-start`), pinned to the workload's
/// CPU, warmed up and waiting for the word to run. Dropped without [`ReadyRun::go`], it is
/// killed.
pub struct StandbyProcess<'a> {
    exe: String,
    child: Child,
    start: Option<ChildStdin>,
    report: BufReader<File>,
    stop: &'a AtomicBool,
}

impl<'a> StandbyProcess<'a> {
    /// Starts `exe workload-child` for a run of `ops` operations on `cpu` (each also calling
    /// the uprobe sites when `uprobe_sites`) and waits until it is ready.
    pub fn start(
        exe: &Path,
        cpu: usize,
        ops: u64,
        uprobe_sites: bool,
        stop: &'a AtomicBool,
    ) -> Result<Self, WorkloadError> {
        let exe_name = exe.display().to_string();
        let (read_end, write_end) = pipe()?;
        let report_fd = write_end.as_raw_fd();
        let mut argv = child_command(&exe_name, cpu, ops, report_fd);
        argv.push(WAIT_FOR_START_FLAG.into());
        if uprobe_sites {
            argv.push(UPROBE_SITES_FLAG.into());
        }
        let mut command = Command::new(exe);
        command.args(&argv[1..]).stdin(Stdio::piped());
        // SAFETY: prctl and fcntl are async-signal-safe; nothing else runs between fork and
        // exec. The report's descriptor is kept open across the exec, for the child.
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0
                    || libc::fcntl(report_fd, libc::F_SETFD, 0) != 0
                {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().map_err(|e| {
            io::Error::other(format!("starting the workload's process {exe_name}: {e}"))
        })?;
        // The child holds the only write end now: end of file means it exited.
        drop(write_end);
        let start = child.stdin.take();
        let mut standby = Self {
            exe: exe_name,
            child,
            start,
            report: BufReader::new(File::from(read_end)),
            stop,
        };
        let mut line = String::new();
        standby.report.read_line(&mut line)?;
        if line != READY_LINE {
            return Err(standby.failed());
        }
        Ok(standby)
    }

    /// The error of a child that exited without its report.
    fn failed(&mut self) -> WorkloadError {
        self.start = None;
        let status = match self.child.wait() {
            Ok(status) => status,
            Err(e) => return e.into(),
        };
        let interrupted = status.code() == Some(PROCESS_INTERRUPTED)
            || matches!(status.signal(), Some(libc::SIGINT | libc::SIGTERM));
        if interrupted || self.stop.load(Ordering::Relaxed) {
            return WorkloadError::Interrupted;
        }
        io::Error::other(format!(
            "the workload's process ({} workload-child) failed ({status}; its message is \
             above)",
            self.exe
        ))
        .into()
    }
}

impl ReadyRun for StandbyProcess<'_> {
    fn go(mut self: Box<Self>) -> Result<RunSample, WorkloadError> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(WorkloadError::Interrupted);
        }
        let Some(mut start) = self.start.take() else {
            return Err(self.failed());
        };
        // A child already gone shows as a missing report below, with its exit status.
        let _ = start.write_all(b"g");
        drop(start);
        let mut message = String::new();
        self.report.read_to_string(&mut message)?;
        if message.is_empty() {
            return Err(self.failed());
        }
        let status = self.child.wait()?;
        if !status.success() {
            return Err(self.failed());
        }
        decode(&message)
            .map_err(|e| io::Error::other(format!("the workload's process: {e}")).into())
    }
}

impl Drop for StandbyProcess<'_> {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The child's side: dies with the parent, runs, reports, exits.
fn child(run: impl FnOnce() -> Result<RunSample, WorkloadError>, report: OwnedFd) -> ! {
    // SAFETY: prctl with integer arguments.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    let (text, code) = match run() {
        Ok(sample) => (encode(&sample), 0),
        Err(WorkloadError::Interrupted) => (String::new(), EXIT_INTERRUPTED),
        Err(e) => (format!("{FAILURE}{e}"), 1),
    };
    let written = File::from(report).write_all(text.as_bytes());
    // SAFETY: _exit ends the child without running the parent's exit handlers or destructors.
    unsafe { libc::_exit(if written.is_ok() { code } else { 1 }) }
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just opened and are owned by nothing else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Waits for the child, through interruptions (Ctrl-C reaches it too).
fn reap(pid: libc::pid_t) -> io::Result<libc::c_int> {
    let mut status = 0;
    loop {
        // SAFETY: waits for our own child.
        if unsafe { libc::waitpid(pid, &mut status, 0) } == pid {
            return Ok(status);
        }
        let error = io::Error::last_os_error();
        if error.kind() != io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::histogram::OpCostHistogram;

    #[test]
    fn the_childs_sample_comes_back() {
        let sample = run_in_fresh_task(|| {
            let mut histogram = OpCostHistogram::default();
            histogram.record_ns(412.5);
            Ok(RunSample {
                ops: 7000,
                elapsed: Duration::from_micros(3),
                histogram,
            })
        })
        .unwrap();
        assert_eq!(sample.ops, 7000);
        assert_eq!(sample.histogram.len(), 1);
    }

    #[test]
    fn the_childs_errors_come_back() {
        assert!(matches!(
            run_in_fresh_task(|| Err(WorkloadError::Interrupted)),
            Err(WorkloadError::Interrupted)
        ));
        let failed = run_in_fresh_task(|| Err(io::Error::other("no /dev/zero").into()));
        assert!(
            matches!(&failed, Err(WorkloadError::Io(e)) if e.to_string().contains("no /dev/zero")),
            "{failed:?}"
        );
    }

    #[test]
    fn the_child_is_another_task() {
        let parent = std::process::id();
        let sample = run_in_fresh_task(|| {
            let ops = u64::from(std::process::id());
            Ok(RunSample {
                ops,
                elapsed: Duration::from_micros(1),
                histogram: OpCostHistogram::default(),
            })
        })
        .unwrap();
        assert_ne!(sample.ops, u64::from(parent));
    }
}
