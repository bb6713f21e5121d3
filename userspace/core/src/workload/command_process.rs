//! Any command, timed as a whole process: one operation is one execution, pinned to the
//! workload's CPU, its output discarded (`probecost measure --object F -- CMD ARGS`).

use std::{
    io,
    os::unix::process::CommandExt as _,
    process::{Command, Stdio},
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use super::{RunSample, Workload, WorkloadError};
use crate::histogram::OpCostHistogram;

/// A user's command, run `ops` times per timed run.
#[derive(Clone, Debug)]
pub struct CommandProcess {
    argv: Vec<String>,
    cpu: usize,
}

impl CommandProcess {
    /// `argv` to run on `cpu`; runs it once now, so a command that cannot start or fails is
    /// one clear error before anything is measured.
    pub fn new(argv: Vec<String>, cpu: usize) -> io::Result<Self> {
        if argv.is_empty() {
            return Err(io::Error::other("no command after `--`"));
        }
        let workload = Self { argv, cpu };
        workload.execute().map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("`{}` does not run cleanly: {e}", workload.argv.join(" ")),
            )
        })?;
        Ok(workload)
    }

    /// One pinned execution, timed from spawn to exit.
    fn execute(&self) -> io::Result<Duration> {
        let cpu = self.cpu;
        let mut command = Command::new(&self.argv[0]);
        command
            .args(&self.argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: only the async-signal-safe sched_setaffinity runs between fork and exec.
        unsafe {
            command.pre_exec(move || crate::cpu::pin_current_thread(cpu));
        }
        let start = Instant::now();
        let status = command.status()?;
        let elapsed = start.elapsed();
        if status.success() {
            Ok(elapsed)
        } else {
            Err(io::Error::other(format!("it exited with {status}")))
        }
    }
}

impl Workload for CommandProcess {
    fn description(&self) -> String {
        format!(
            "`{}`, one pinned process per operation",
            self.argv.join(" ")
        )
    }

    fn cpu(&self) -> usize {
        self.cpu
    }

    fn min_ops(&self) -> u64 {
        1
    }

    fn run(&self, ops: u64, stop: &AtomicBool) -> Result<RunSample, WorkloadError> {
        let mut histogram = OpCostHistogram::default();
        let mut elapsed = Duration::ZERO;
        for _ in 0..ops {
            if stop.load(Ordering::Relaxed) {
                return Err(WorkloadError::Interrupted);
            }
            let took = self.execute().map_err(|e| {
                if stop.load(Ordering::Relaxed) {
                    WorkloadError::Interrupted
                } else {
                    WorkloadError::Io(io::Error::other(format!("`{}`: {e}", self.argv.join(" "))))
                }
            })?;
            histogram.record_ns(took.as_nanos() as f64);
            elapsed += took;
        }
        Ok(RunSample {
            ops,
            elapsed,
            histogram,
        })
    }

    fn calibrate(&self, duration: Duration, stop: &AtomicBool) -> Result<f64, WorkloadError> {
        // Executions until `duration` has passed (at least two), averaged.
        let started = Instant::now();
        let mut runs = 0;
        let mut total = Duration::ZERO;
        while runs < 2 || started.elapsed() < duration {
            total += self.run(1, stop)?.elapsed;
            runs += 1;
        }
        Ok(total.as_nanos() as f64 / runs as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_each_execution_and_refuses_a_failing_command() {
        let cpu = crate::cpu::default_workload_cpu().unwrap();
        let command = CommandProcess::new(vec!["true".into()], cpu).unwrap();
        let sample = command.run(3, &AtomicBool::new(false)).unwrap();
        assert_eq!(sample.ops, 3);
        assert_eq!(sample.histogram.len(), 3);
        let error = CommandProcess::new(vec!["false".into()], cpu).unwrap_err();
        assert!(
            error.to_string().contains("`false` does not run cleanly"),
            "{error}"
        );
        let error = CommandProcess::new(vec!["/no/such/program".into()], cpu).unwrap_err();
        assert!(error.to_string().contains("/no/such/program"), "{error}");
    }
}
