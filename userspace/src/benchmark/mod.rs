//! Running a scenario: calibration, interleaved control and traced runs on one pinned CPU,
//! the verification run with kernel BPF statistics, and the estimates.

mod backend;
pub mod run_order;

use std::{
    sync::atomic::AtomicBool,
    time::{Duration, Instant},
};

pub use backend::{
    calibrate_attached, run_attached, AttachChoice, BackendError, PreparedScenario, TracerBackend,
};

use crate::{
    histogram::OpCostHistogram,
    reference,
    result::{ScenarioResult, ScenarioStatus, Verification},
    scenario::Scenario,
    stats,
    workload::{ops_for, PinnedWorkload, RunSample, WorkloadError},
};
use run_order::Side;

/// How scenarios are run.
#[derive(Clone, Debug)]
pub struct BenchmarkSettings {
    /// Control/traced run pairs per scenario.
    pub runs: usize,
    /// Operations per run; `None` sizes runs by `run_time`.
    pub ops: Option<u64>,
    /// Target duration of a traced run when `ops` is not given.
    pub run_time: Duration,
    /// Whether to run the verification run with BPF statistics.
    pub verify: bool,
    /// Seed of the bootstrap.
    pub seed: u64,
}

impl Default for BenchmarkSettings {
    fn default() -> Self {
        Self {
            runs: 7,
            ops: None,
            run_time: Duration::from_millis(450),
            verify: true,
            seed: 0x5EED,
        }
    }
}

/// The smallest run probecost times: below this, batch timing dominates.
const MIN_OPS: u64 = 2000;

/// Runs one scenario with `backend` and returns its result; errors of the scenario itself
/// (it could not attach, a run failed) are folded into the result or returned.
pub fn run_scenario(
    backend: &mut dyn TracerBackend,
    scenario: &'static Scenario,
    workload: &PinnedWorkload,
    settings: &BenchmarkSettings,
    stop: &AtomicBool,
) -> Result<ScenarioResult, BackendError> {
    let mut result = empty_result(scenario);
    let mut probe: Option<Box<dyn PreparedScenario>> = None;
    if !scenario.is_control() {
        match backend.prepare(scenario)? {
            Ok(prepared) => {
                let choice = prepared.choice().clone();
                result.attach = choice.attach;
                result.status = if choice.substitution_reason.is_some() {
                    ScenarioStatus::Substituted
                } else {
                    ScenarioStatus::Measured
                };
                result.reason = choice.substitution_reason;
                probe = Some(prepared);
            }
            Err(reason) => {
                result.status = ScenarioStatus::Unsupported;
                result.attach = "none".into();
                result.reason = Some(reason);
                return Ok(result);
            }
        }
    }

    match measure(&mut result, &mut probe, workload, settings, stop) {
        Ok(()) => {}
        Err(MeasureError::Workload(WorkloadError::Interrupted)) => result.interrupted = true,
        Err(MeasureError::Workload(WorkloadError::Io(e))) => {
            return Err(BackendError::Workload(e.to_string()))
        }
        Err(MeasureError::Backend(e)) => return Err(e),
    }
    if let Some(probe) = probe.as_mut() {
        probe.detach()?;
        result.delivery = probe.delivery()?;
    }
    finish_estimates(&mut result, settings.seed);
    Ok(result)
}

/// Why a measurement stopped: the workload (or an interruption) or the tracer.
#[derive(Debug)]
pub enum MeasureError {
    /// The workload failed or was interrupted.
    Workload(WorkloadError),
    /// The tracer failed.
    Backend(BackendError),
}

impl From<WorkloadError> for MeasureError {
    fn from(e: WorkloadError) -> Self {
        Self::Workload(e)
    }
}

impl From<BackendError> for MeasureError {
    fn from(e: BackendError) -> Self {
        Self::Backend(e)
    }
}

fn measure(
    result: &mut ScenarioResult,
    probe: &mut Option<Box<dyn PreparedScenario>>,
    workload: &PinnedWorkload,
    settings: &BenchmarkSettings,
    stop: &AtomicBool,
) -> Result<(), MeasureError> {
    // Warm-up doubles as calibration: a traced run sizes the runs so the slower side lasts
    // about `run_time` (a uprobe makes each operation ~20x slower).
    let ops = match settings.ops {
        Some(ops) => {
            traced_run(probe, workload, ops.min(100_000), stop)?;
            ops
        }
        None => {
            let warm_up = settings.run_time / 5;
            let calibrated = match probe.as_mut() {
                Some(p) => p.calibrate(workload, warm_up, stop)?,
                None => workload.calibrate(warm_up, stop)?,
            };
            ops_for(settings.run_time, calibrated, MIN_OPS)
        }
    };
    workload.run(ops.min(100_000), stop)?; // control warm-up
    result.ops = ops;

    let mut traced_hist = OpCostHistogram::default();
    let mut control_hist = OpCostHistogram::default();
    let mut pending_control: Option<f64> = None;
    let mut pending_traced: Option<f64> = None;
    for side in run_order::interleaved(settings.runs) {
        match side {
            Side::Control => {
                let sample = workload.run(ops, stop)?;
                control_hist.merge(&sample.histogram);
                pending_control = Some(sample.ns_per_op());
            }
            Side::Traced => {
                let sample = traced_run(probe, workload, ops, stop)?;
                traced_hist.merge(&sample.histogram);
                pending_traced = Some(sample.ns_per_op());
            }
        }
        // A pair counts once both halves finished.
        if let (Some(c), Some(t)) = (pending_control, pending_traced) {
            result.control_runs_ns_per_op.push(c);
            result.traced_runs_ns_per_op.push(t);
            result.runs += 1;
            result.control = Some(control_hist.percentiles());
            result.traced = Some(traced_hist.percentiles());
            pending_control = None;
            pending_traced = None;
        }
    }

    if settings.verify {
        if let Some(p) = probe.as_mut() {
            let verify_ops = (ops / 4).max(MIN_OPS);
            let programs = p.verify(workload, verify_ops, stop)?;
            result.verification = Some(programs.into_verification(verify_ops));
        }
    }
    Ok(())
}

fn traced_run(
    probe: &mut Option<Box<dyn PreparedScenario>>,
    workload: &PinnedWorkload,
    ops: u64,
    stop: &AtomicBool,
) -> Result<RunSample, MeasureError> {
    match probe.as_mut() {
        Some(probe) => probe.traced_run(workload, ops, stop),
        None => Ok(workload.run(ops, stop)?),
    }
}

/// What the kernel counted for one program (or probe clause) over the verification run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgramRun {
    /// Times it ran.
    pub count: u64,
    /// Time spent in it, where the tracer measures that (BPF statistics do; DTrace does not).
    pub time_ns: Option<u64>,
}

/// The kernel's counts for each program of a scenario over the verification run.
#[derive(Clone, Debug, Default)]
pub struct ProgramStats {
    /// One entry per program, in the scenario's order.
    pub programs: Vec<ProgramRun>,
}

impl ProgramStats {
    fn into_verification(self, ops: u64) -> Verification {
        let run_counts: Vec<u64> = self.programs.iter().map(|p| p.count).collect();
        let min_count = run_counts.iter().copied().min().unwrap_or(0);
        let body_ns = self
            .programs
            .iter()
            .map(|p| Some(p.time_ns? as f64 / p.count.max(1) as f64))
            .sum();
        Verification {
            ops,
            events_verified: min_count >= ops,
            events_per_op_observed: min_count as f64 / ops.max(1) as f64,
            run_counts,
            body_ns,
        }
    }
}

fn empty_result(scenario: &'static Scenario) -> ScenarioResult {
    ScenarioResult {
        row: scenario.row,
        name: scenario.name,
        status: ScenarioStatus::Measured,
        attach: scenario.talk_attach_points(),
        attach_talk: scenario.talk_attach_points(),
        reason: None,
        ops: 0,
        runs: 0,
        events_per_op: 1.0,
        per_event_ns: None,
        per_event_ns_median: None,
        per_event_ns_ci95: None,
        slowdown_pct: None,
        body_ns: None,
        events_verified: None,
        verification: None,
        traced: None,
        control: None,
        traced_runs_ns_per_op: Vec::new(),
        control_runs_ns_per_op: Vec::new(),
        delivery: None,
        interrupted: false,
        published: reference::published(scenario.name),
    }
}

fn finish_estimates(result: &mut ScenarioResult, seed: u64) {
    if let Some(cost) = stats::per_event_cost(
        &result.control_runs_ns_per_op,
        &result.traced_runs_ns_per_op,
        result.events_per_op,
        seed,
    ) {
        result.per_event_ns = Some(cost.min_based_ns);
        result.per_event_ns_median = Some(cost.median_ns);
        result.per_event_ns_ci95 = Some(cost.ci95_ns);
        result.slowdown_pct = Some(cost.slowdown_pct);
    }
    if let Some(v) = &result.verification {
        result.body_ns = v.body_ns;
        result.events_verified = Some(v.events_verified);
    }
}

/// Runs `scenarios` in order, calling `on_result` after each; stops early when `stop` is set.
pub fn run_suite(
    backend: &mut dyn TracerBackend,
    scenarios: &[&'static Scenario],
    workload: &PinnedWorkload,
    settings: &BenchmarkSettings,
    stop: &AtomicBool,
    on_result: &mut dyn FnMut(&ScenarioResult, Duration),
) -> Result<Vec<ScenarioResult>, BackendError> {
    let mut results = Vec::new();
    for scenario in scenarios {
        if crate::interrupt::stop_requested() || stop.load(std::sync::atomic::Ordering::Relaxed) {
            break;
        }
        let started = Instant::now();
        let result = run_scenario(backend, scenario, workload, settings, stop)?;
        on_result(&result, started.elapsed());
        let interrupted = result.interrupted;
        results.push(result);
        if interrupted {
            break;
        }
    }
    Ok(results)
}
