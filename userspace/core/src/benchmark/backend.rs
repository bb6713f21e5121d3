//! What the runner needs from a tracer: prepare a scenario's probes, attach and detach them
//! around each traced run, and count their events with the kernel's statistics.

use std::time::Duration;

use crate::{
    benchmark::{MeasureError, ProgramStats, SuiteRow},
    error::{BackendError, Error},
    result::{AttachTimes, DeliveryCounts},
    scenario::Scenario,
    workload::{Interruptible, RunSample},
};

/// The attach point a backend chose for a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachChoice {
    /// Attach point(s) used, e.g. `tracepoint:syscalls:sys_enter_read`.
    pub attach: String,
    /// Why the talk's attach point was not used, when it was not.
    pub substitution_reason: Option<String>,
}

/// A tracer that can run scenarios.
pub trait TracerBackend {
    /// Which tracer this is (its name is the column, the JSON value and `--tracer`).
    fn tracer(&self) -> crate::tracer::Tracer;

    /// The tracer and its version, for the environment record.
    fn version(&self) -> String;

    /// Loads `scenario`'s programs on the best attach point this kernel offers.
    /// [`Error::Unsupported`] means the kernel cannot run it at all (the row says why); any
    /// other error is a failure worth stopping for.
    fn prepare(&mut self, scenario: &'static Scenario) -> Result<Prepared, Error>;

    /// Loads `row`'s programs: a catalog scenario's through [`Self::prepare`]; a user's object
    /// only by the backend made for it, which overrides this.
    fn prepare_row(&mut self, row: SuiteRow<'_>) -> Result<Prepared, Error> {
        match row {
            SuiteRow::Scenario(scenario) => self.prepare(scenario),
            SuiteRow::Object(object) => Err(Error::unsupported(format!(
                "{} runs the catalog's scenarios, not the object {}",
                self.tracer(),
                object.name
            ))),
        }
    }
}

/// A scenario's loaded programs and where they attach.
pub struct Prepared {
    /// Where the programs attach, and why there when it is not the talk's attach point.
    pub choice: AttachChoice,
    /// The programs.
    pub programs: Box<dyn PreparedScenario>,
}

/// A scenario's loaded programs.
pub trait PreparedScenario {
    /// Gets ready for a stretch of this scenario's runs (starts a per-event drain's thread).
    /// The runner calls it before the scenario's runs in each round and [`Self::leave`]
    /// after, so nothing of one scenario (a second thread in the process slows every
    /// syscall) runs during another's.
    fn enter(&mut self) -> Result<(), BackendError> {
        Ok(())
    }

    /// The scenario's runs are over for now (parks a per-event drain's thread).
    fn leave(&mut self) {}

    /// Attaches every program (idempotent).
    fn attach(&mut self) -> Result<(), BackendError>;

    /// Detaches every program (idempotent).
    fn detach(&mut self) -> Result<(), BackendError>;

    /// One traced run of `ops` operations. Most tracers attach around the in-process
    /// workload; one whose probes need a target process (DTrace's pid provider) runs the
    /// workload in a child instead.
    fn traced_run(&mut self, on: Interruptible<'_>, ops: u64) -> Result<RunSample, MeasureError> {
        run_attached(self, on, ops)
    }

    /// A traced run of `ops` operations that counts each program's events (and, where the
    /// tracer can, the time spent in it) instead of timing the workload.
    fn verify(&mut self, on: Interruptible<'_>, ops: u64) -> Result<ProgramStats, MeasureError>;

    /// Median attach and detach times of the traced runs so far, where the tracer keeps them.
    fn attach_times(&self) -> Option<AttachTimes> {
        None
    }

    /// Per-event records delivered so far (per-event scenarios only).
    fn delivery(&mut self) -> Result<Option<DeliveryCounts>, BackendError>;
}

/// The in-process traced run: get the run ready, attach, run the workload, detach (also when
/// the run fails). What the run does before its first operation (a new process's start-up)
/// stays out of the traced window.
pub fn run_attached<P: PreparedScenario + ?Sized>(
    prepared: &mut P,
    on: Interruptible<'_>,
    ops: u64,
) -> Result<RunSample, MeasureError> {
    let ready = on.ready(ops)?;
    prepared.attach()?;
    let sample = ready.go();
    prepared.detach()?;
    Ok(sample?)
}

/// Attach and detach durations of a tracer's runs, for [`PreparedScenario::attach_times`].
#[derive(Clone, Debug, Default)]
pub struct AttachTimer {
    attaches: Vec<Duration>,
    detaches: Vec<Duration>,
}

impl AttachTimer {
    /// Records one attach.
    pub fn attached(&mut self, took: Duration) {
        self.attaches.push(took);
    }

    /// Records one detach.
    pub fn detached(&mut self, took: Duration) {
        self.detaches.push(took);
    }

    /// Medians, once there was at least one attach and one detach.
    pub fn medians(&self) -> Option<AttachTimes> {
        let ms = |d: &[Duration]| {
            let values: Vec<f64> = d.iter().map(|d| d.as_secs_f64() * 1e3).collect();
            crate::stats::median(&values)
        };
        if self.attaches.is_empty() || self.detaches.is_empty() {
            return None;
        }
        Some(AttachTimes {
            attach_ms: ms(&self.attaches),
            detach_ms: ms(&self.detaches),
        })
    }
}
