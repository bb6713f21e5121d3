//! What is timed under a tracer: runs of a number of dd operations (a 1-byte read and a 1-byte
//! write) on one pinned CPU. Three workloads implement [`Workload`]: the in-process loop timed
//! in batches ([`PinnedWorkload`], the default), the real `dd` timed as a whole process
//! ([`DdProcess`], the talk's method), and any command timed as a whole process, one execution
//! per operation ([`CommandProcess`], `probecost measure -- CMD`).

pub mod child_command;
mod command_process;
mod dd_process;
#[cfg(target_os = "linux")]
mod fresh_task;
mod in_process;
pub mod sample_report;
pub mod uprobe_sites;

use std::{io, sync::atomic::AtomicBool, time::Duration};

pub use command_process::CommandProcess;
pub use dd_process::DdProcess;
pub use in_process::{PinnedWorkload, BATCH_TIME};

use crate::{histogram::OpCostHistogram, stats::RunSummary};

/// One timed run.
#[derive(Clone, Debug)]
pub struct RunSample {
    /// Operations performed (one read + one write each).
    pub ops: u64,
    /// Wall time of the whole run.
    pub elapsed: Duration,
    /// Each batch's (or execution's) cost per operation.
    pub histogram: OpCostHistogram,
}

impl RunSample {
    /// Mean nanoseconds per operation over the run.
    pub fn ns_per_op(&self) -> f64 {
        self.elapsed.as_nanos() as f64 / self.ops.max(1) as f64
    }

    /// What the estimator keeps of the run.
    pub fn summary(&self) -> RunSummary {
        RunSummary::new(self.ops, self.elapsed.as_nanos() as f64, &self.histogram)
    }
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    /// The user asked to stop (Ctrl-C or SIGTERM).
    #[error("interrupted")]
    Interrupted,
    /// A read or write failed.
    #[error("workload I/O failed: {0}")]
    Io(#[from] io::Error),
}

/// Runs of dd operations on a pinned CPU.
pub trait Workload {
    /// What runs, for the environment record.
    fn description(&self) -> String;

    /// The CPU the workload runs on.
    fn cpu(&self) -> usize;

    /// The smallest run worth timing: below it, batch timing or process start-up dominates.
    fn min_ops(&self) -> u64 {
        2000
    }

    /// Performs `ops` operations, returning early with [`WorkloadError::Interrupted`] once
    /// `stop` is set.
    fn run(&self, ops: u64, stop: &AtomicBool) -> Result<RunSample, WorkloadError>;

    /// Gets a run of `ops` operations ready without starting it, so that what comes before a
    /// run's first operation (a new process's start-up) happens before a tracer attaches:
    /// [`ReadyRun::go`] then does only the operations. A workload with nothing to get ready
    /// runs it all in `go`.
    fn ready<'a>(
        &'a self,
        ops: u64,
        stop: &'a AtomicBool,
    ) -> Result<Box<dyn ReadyRun + 'a>, WorkloadError> {
        Ok(DeferredRun::boxed(self, ops, stop))
    }

    /// Runs for about `duration` and returns how long one operation took, to size later runs.
    fn calibrate(&self, duration: Duration, stop: &AtomicBool) -> Result<f64, WorkloadError> {
        calibrate_by(duration, &mut |ops| self.run(ops, stop))
    }
}

/// A run that [`Workload::ready`] got ready: what is left is its operations.
pub trait ReadyRun {
    /// Performs the run's operations and returns its sample.
    fn go(self: Box<Self>) -> Result<RunSample, WorkloadError>;
}

/// The run of a workload with nothing to get ready: all of it happens in [`ReadyRun::go`].
struct DeferredRun<'a, W: ?Sized> {
    workload: &'a W,
    ops: u64,
    stop: &'a AtomicBool,
}

impl<'a, W: Workload + ?Sized> DeferredRun<'a, W> {
    /// `ops` operations of `workload`, all of them done in [`ReadyRun::go`].
    fn boxed(workload: &'a W, ops: u64, stop: &'a AtomicBool) -> Box<dyn ReadyRun + 'a> {
        Box::new(Self {
            workload,
            ops,
            stop,
        })
    }
}

impl<W: Workload + ?Sized> ReadyRun for DeferredRun<'_, W> {
    fn go(self: Box<Self>) -> Result<RunSample, WorkloadError> {
        self.workload.run(self.ops, self.stop)
    }
}

/// How long one operation of `run` takes: runs growing fourfold from 1000 operations until one
/// lasts a quarter of `duration`, then one run for the rest of it.
pub fn calibrate_by<E>(
    duration: Duration,
    run: &mut dyn FnMut(u64) -> Result<RunSample, E>,
) -> Result<f64, E> {
    let mut ops = 1000;
    loop {
        let sample = run(ops)?;
        if sample.elapsed >= duration / 4 || ops >= 1 << 30 {
            let per_op = sample.ns_per_op();
            let rest = duration.saturating_sub(sample.elapsed);
            if !rest.is_zero() {
                let more = (rest.as_nanos() as f64 / per_op) as u64;
                return Ok(run(more.max(1))?.ns_per_op());
            }
            return Ok(per_op);
        }
        ops *= 4;
    }
}

/// A workload with the flag that stops it between batches: what a tracer runs its traced,
/// calibration and verification runs on.
#[derive(Clone, Copy)]
pub struct Interruptible<'a> {
    /// The workload.
    pub workload: &'a dyn Workload,
    /// Set by Ctrl-C or SIGTERM.
    pub stop: &'a AtomicBool,
}

impl<'a> Interruptible<'a> {
    /// Performs `ops` operations (see [`Workload::run`]).
    pub fn run(&self, ops: u64) -> Result<RunSample, WorkloadError> {
        self.workload.run(ops, self.stop)
    }

    /// Gets a run of `ops` operations ready (see [`Workload::ready`]): a tracer attaches
    /// between this and [`ReadyRun::go`], so that only the operations are traced.
    pub fn ready(&self, ops: u64) -> Result<Box<dyn ReadyRun + 'a>, WorkloadError> {
        self.workload.ready(ops, self.stop)
    }
}

/// Operations for a run of about `target` given `ns_per_op`, at least `floor`.
pub fn ops_for(target: Duration, ns_per_op: f64, floor: u64) -> u64 {
    let ops = target.as_nanos() as f64 / ns_per_op.max(1.0);
    (ops as u64).max(floor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_runs_by_time() {
        assert_eq!(ops_for(Duration::from_millis(500), 500.0, 1), 1_000_000);
        assert_eq!(ops_for(Duration::from_millis(500), 10_000.0, 1), 50_000);
        assert_eq!(ops_for(Duration::from_nanos(10), 500.0, 1000), 1000);
    }
}
