//! Each run of the in-process loop in a forked child: a new task for every run.
//!
//! Why: on the kernels this was measured on (6.18 in a KVM guest), a task that makes traced
//! syscalls can be left in a state where every syscall-tracepoint event costs it about 40 ns
//! more, for the rest of its life: RCU Tasks Trace, which guards the syscall tracepoints,
//! marks a task that is inside a traced syscall when a grace period scans it, and on the task
//! seen stuck its need-quiescent-state flag stayed set, so each read-side unlock takes the
//! slow path. Grace periods come from detaches, uprobe links and exiting tracers, at moments
//! probecost does not choose, so a long-lived workload thread stepped to the slow level at a
//! random round and stayed there. A new task starts with the state clear. The child is a
//! fork: the same code, memory and CPU (uprobes on libc and on probecost's sites fire in it
//! as in the parent), timed by itself, with only its sample coming back through a pipe.

use std::{
    fs::File,
    io::{self, Read, Write},
    os::fd::{FromRawFd, OwnedFd},
};

use super::sample_report::{decode, encode};
use super::{RunSample, WorkloadError};

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
