//! The talk's workload exactly: `dd if=/dev/zero of=/dev/null bs=1 count=N`, pinned to one CPU
//! and timed as whole processes, from spawn to exit. A run is many short executions, each one
//! a sample of the run's cost per operation (its floor is a low quantile of them, as the
//! in-process loop's is of its batches). Process start-up and exit are in every execution,
//! traced or not, so they cancel in the difference; they are why the in-process loop is the
//! default.

use std::{
    io,
    os::unix::process::CommandExt as _,
    process::{Command, Stdio},
    sync::atomic::{AtomicBool, Ordering},
    time::Instant,
};

use super::{RunSample, Workload, WorkloadError};
use crate::histogram::OpCostHistogram;

/// Operations per execution: a few milliseconds of dd, so that a run has tens of executions
/// and start-up (about 1 ms) stays a small part of each.
const OPS_PER_EXECUTION: u64 = 10_000;

/// The real dd, run several times per timed run.
#[derive(Clone, Debug)]
pub struct DdProcess {
    program: String,
    cpu: usize,
}

impl DdProcess {
    /// `dd` from PATH, to run on `cpu`; fails with a clear error when there is none.
    pub fn new(cpu: usize) -> io::Result<Self> {
        let program = "dd".to_string();
        let probe = Command::new(&program)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match probe {
            Ok(_) => Ok(Self { program, cpu }),
            Err(e) => Err(io::Error::new(
                e.kind(),
                format!("cannot run dd ({e}): install coreutils or use the default workload"),
            )),
        }
    }

    /// The command line of an execution of `ops` operations.
    pub fn command_line(&self, ops: u64) -> Vec<String> {
        vec![
            self.program.clone(),
            "if=/dev/zero".into(),
            "of=/dev/null".into(),
            "bs=1".into(),
            format!("count={ops}"),
            "status=none".into(),
        ]
    }

    /// One pinned execution of `count` operations, timed from spawn to exit.
    fn execute(&self, count: u64, stop: &AtomicBool) -> Result<std::time::Duration, WorkloadError> {
        if stop.load(Ordering::Relaxed) {
            return Err(WorkloadError::Interrupted);
        }
        let args = self.command_line(count);
        let cpu = self.cpu;
        let mut command = Command::new(&args[0]);
        command.args(&args[1..]).stdin(Stdio::null());
        // SAFETY: the closure only calls sched_setaffinity, which is async-signal-safe.
        unsafe {
            command.pre_exec(move || crate::cpu::pin_current_thread(cpu));
        }
        let start = Instant::now();
        let status = command.status()?;
        let elapsed = start.elapsed();
        if !status.success() {
            if stop.load(Ordering::Relaxed) {
                return Err(WorkloadError::Interrupted);
            }
            return Err(WorkloadError::Io(io::Error::other(format!(
                "`{}` failed: {status}",
                args.join(" ")
            ))));
        }
        Ok(elapsed)
    }
}

impl Workload for DdProcess {
    fn description(&self) -> String {
        format!(
            "dd if=/dev/zero of=/dev/null bs=1 count={OPS_PER_EXECUTION}, pinned executions, \
             each one sample"
        )
    }

    fn cpu(&self) -> usize {
        self.cpu
    }

    fn run(&self, ops: u64, stop: &AtomicBool) -> Result<RunSample, WorkloadError> {
        let mut histogram = OpCostHistogram::default();
        let mut elapsed = std::time::Duration::ZERO;
        let mut done = 0;
        while done < ops {
            let count = OPS_PER_EXECUTION.min(ops - done);
            let took = self.execute(count, stop)?;
            histogram.record_ns(took.as_nanos() as f64 / count as f64);
            elapsed += took;
            done += count;
        }
        Ok(RunSample {
            ops,
            elapsed,
            histogram,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_the_real_dd_pinned() {
        let dd = DdProcess::new(crate::cpu::default_workload_cpu().unwrap()).unwrap();
        assert_eq!(
            dd.command_line(5).join(" "),
            "dd if=/dev/zero of=/dev/null bs=1 count=5 status=none"
        );
        let sample = dd.run(20_000, &AtomicBool::new(false)).unwrap();
        assert_eq!(sample.ops, 20_000);
        assert_eq!(sample.histogram.len(), 2);
        assert!(sample.ns_per_op() > 0.0);
        assert!(matches!(
            dd.run(10, &AtomicBool::new(true)),
            Err(WorkloadError::Interrupted)
        ));
    }
}
