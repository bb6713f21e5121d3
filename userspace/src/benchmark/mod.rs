//! Running a scenario: calibration, interleaved control and traced runs on one pinned CPU,
//! the verification run with kernel BPF statistics, and the estimates.

mod backend;
pub mod comparison;
pub mod run_order;

use std::{
    sync::atomic::AtomicBool,
    time::{Duration, Instant},
};

pub use backend::{
    run_attached, AttachChoice, AttachTimer, BackendError, Prepared, PreparedScenario,
    TracerBackend,
};

use crate::{
    error::Error,
    histogram::OpCostHistogram,
    reference,
    result::{ScenarioResult, ScenarioStatus, TracerResult, Verification},
    scenario::Scenario,
    stats,
    workload::{calibrate_by, ops_for, Interruptible, RunSample, Workload, WorkloadError},
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

/// One tracer's side of a scenario while it runs.
struct TracerSide {
    result: TracerResult,
    prepared: Option<Box<dyn PreparedScenario>>,
    histogram: OpCostHistogram,
}

/// Runs one scenario with every backend, their traced runs and the control runs interleaved
/// on the workload's CPU, and returns its result. A tracer that cannot run the scenario is
/// reported as unsupported; a failing tracer stops the benchmark.
pub fn run_scenario(
    backends: &mut [Box<dyn TracerBackend>],
    scenario: &'static Scenario,
    workload: &dyn Workload,
    settings: &BenchmarkSettings,
    stop: &AtomicBool,
) -> Result<ScenarioResult, Error> {
    let mut result = empty_result(scenario);
    let mut sides = Vec::new();
    for backend in backends.iter_mut() {
        let mut tracer = empty_tracer_result(backend.name(), scenario);
        let mut prepared = None;
        if !scenario.is_control() {
            match backend.prepare(scenario) {
                Ok(Prepared { choice, programs }) => {
                    tracer.attach = choice.attach;
                    tracer.status = if choice.substitution_reason.is_some() {
                        ScenarioStatus::Substituted
                    } else {
                        ScenarioStatus::Measured
                    };
                    tracer.reason = choice.substitution_reason;
                    prepared = Some(programs);
                }
                Err(Error::Unsupported { reason }) => {
                    tracer.status = ScenarioStatus::Unsupported;
                    tracer.attach = "none".into();
                    tracer.reason = Some(reason);
                    result.tracers.push(tracer);
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
        sides.push(TracerSide {
            result: tracer,
            prepared,
            histogram: OpCostHistogram::default(),
        });
    }

    if !sides.is_empty() {
        match measure(&mut result, &mut sides, workload, settings, stop) {
            Ok(()) => {}
            Err(MeasureError::Workload(WorkloadError::Interrupted)) => result.interrupted = true,
            Err(MeasureError::Workload(WorkloadError::Io(e))) => {
                return Err(Error::io("running the workload")(e))
            }
            Err(MeasureError::Backend(e)) => return Err(e.into()),
        }
    }
    for mut side in sides {
        if let Some(prepared) = side.prepared.as_mut() {
            prepared.detach()?;
            side.result.delivery = prepared.delivery()?;
            side.result.attach_times = prepared.attach_times();
        }
        finish_estimates(
            &mut side.result,
            &result.control_runs_ns_per_op,
            result.events_per_op,
            settings.seed,
        );
        result.tracers.push(side.result);
    }
    // Keep the order the tracers were asked for, unsupported ones included.
    let order: Vec<crate::tracer::Tracer> = backends.iter().map(|b| b.name()).collect();
    result
        .tracers
        .sort_by_key(|t| order.iter().position(|n| *n == t.tracer));
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
    sides: &mut [TracerSide],
    workload: &dyn Workload,
    settings: &BenchmarkSettings,
    stop: &AtomicBool,
) -> Result<(), MeasureError> {
    // Warm-up doubles as calibration: each tracer's traced run sizes the runs so the slowest
    // side lasts about `run_time` (a uprobe makes each operation ~20x slower).
    let ops = match settings.ops {
        Some(ops) => {
            for side in sides.iter_mut() {
                traced_run(&mut side.prepared, workload, ops.min(100_000), stop)?;
            }
            ops
        }
        None => {
            let warm_up = settings.run_time / 5;
            let mut slowest: f64 = 0.0;
            for side in sides.iter_mut() {
                let ns_per_op = match side.prepared.as_mut() {
                    Some(p) => calibrate_by(warm_up, &mut |ops| {
                        p.traced_run(Interruptible { workload, stop }, ops)
                    })?,
                    None => workload.calibrate(warm_up, stop)?,
                };
                slowest = slowest.max(ns_per_op);
            }
            ops_for(settings.run_time, slowest, MIN_OPS)
        }
    };
    workload.run(ops.min(100_000), stop)?; // control warm-up
    result.ops = ops;

    let mut control_hist = OpCostHistogram::default();
    for round in 0..settings.runs {
        let mut control = None;
        let mut traced = vec![None; sides.len()];
        for side in run_order::round(round, sides.len()) {
            match side {
                Side::Control => {
                    let sample = workload.run(ops, stop)?;
                    control_hist.merge(&sample.histogram);
                    control = Some(sample.ns_per_op());
                }
                Side::Traced(i) => {
                    let sample = traced_run(&mut sides[i].prepared, workload, ops, stop)?;
                    sides[i].histogram.merge(&sample.histogram);
                    traced[i] = Some(sample.ns_per_op());
                }
            }
        }
        // A round counts once every side of it finished (an interruption returns above).
        result
            .control_runs_ns_per_op
            .push(control.expect("every round runs control"));
        result.control = Some(control_hist.percentiles());
        for (side, ns) in sides.iter_mut().zip(traced) {
            side.result
                .traced_runs_ns_per_op
                .push(ns.expect("every round runs every tracer"));
            side.result.traced = Some(side.histogram.percentiles());
        }
        result.runs += 1;
    }

    if settings.verify {
        let verify_ops = (ops / 4).max(MIN_OPS);
        for side in sides.iter_mut() {
            if let Some(p) = side.prepared.as_mut() {
                let programs = p.verify(Interruptible { workload, stop }, verify_ops)?;
                let verification = programs.into_verification(verify_ops);
                side.result.body_ns = verification.body_ns;
                side.result.events_verified = Some(verification.events_verified);
                side.result.verification = Some(verification);
            }
        }
    }
    Ok(())
}

fn traced_run(
    probe: &mut Option<Box<dyn PreparedScenario>>,
    workload: &dyn Workload,
    ops: u64,
    stop: &AtomicBool,
) -> Result<RunSample, MeasureError> {
    match probe.as_mut() {
        Some(probe) => probe.traced_run(Interruptible { workload, stop }, ops),
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
        attach_talk: scenario.talk_attach_points(),
        ops: 0,
        runs: 0,
        events_per_op: 1.0,
        control: None,
        control_runs_ns_per_op: Vec::new(),
        tracers: Vec::new(),
        comparison: None,
        interrupted: false,
        published: reference::published(scenario.name),
    }
}

fn empty_tracer_result(tracer: crate::tracer::Tracer, scenario: &'static Scenario) -> TracerResult {
    TracerResult {
        tracer,
        status: ScenarioStatus::Measured,
        attach: scenario.talk_attach_points(),
        reason: None,
        per_event_ns: None,
        per_event_ns_median: None,
        per_event_ns_ci95: None,
        slowdown_pct: None,
        body_ns: None,
        events_verified: None,
        verification: None,
        traced: None,
        traced_runs_ns_per_op: Vec::new(),
        delivery: None,
        attach_times: None,
    }
}

fn finish_estimates(result: &mut TracerResult, control: &[f64], events_per_op: f64, seed: u64) {
    if let Some(cost) =
        stats::per_event_cost(control, &result.traced_runs_ns_per_op, events_per_op, seed)
    {
        result.per_event_ns = Some(cost.min_based_ns);
        result.per_event_ns_median = Some(cost.median_ns);
        result.per_event_ns_ci95 = Some(cost.ci95_ns);
        result.slowdown_pct = Some(cost.slowdown_pct);
    }
}

/// Runs `scenarios` in order with every backend, calling `on_result` after each; stops early
/// when `stop` is set. Fills in the probecost-against-bpftrace comparison at the end.
pub fn run_suite(
    backends: &mut [Box<dyn TracerBackend>],
    scenarios: &[&'static Scenario],
    workload: &dyn Workload,
    settings: &BenchmarkSettings,
    stop: &AtomicBool,
    on_result: &mut dyn FnMut(&ScenarioResult, Duration),
) -> Result<Vec<ScenarioResult>, Error> {
    let mut results = Vec::new();
    for scenario in scenarios {
        if crate::interrupt::stop_requested() || stop.load(std::sync::atomic::Ordering::Relaxed) {
            break;
        }
        let started = Instant::now();
        let result = run_scenario(backends, scenario, workload, settings, stop)?;
        on_result(&result, started.elapsed());
        let interrupted = result.interrupted;
        results.push(result);
        if interrupted {
            break;
        }
    }
    comparison::compare(&mut results);
    Ok(results)
}
