//! One scenario while the suite runs: its programs prepared by every tracer, its calibration,
//! its rounds of control and traced runs, its verification run, and its estimates at the end.

use std::sync::atomic::AtomicBool;

use super::{
    run_order::{self, Side},
    BenchmarkSettings, EventsPerOp, MeasureError, Prepared, PreparedScenario, SuiteRow,
    TracerBackend,
};
use crate::{
    error::Error,
    histogram::OpCostHistogram,
    reference,
    result::{ScenarioResult, ScenarioStatus, TracerResult},
    stats::{Estimator, PerEventCost},
    tracer::Tracer,
    workload::{ops_for, Interruptible, RunSample, Workload},
};

/// One tracer's side of a scenario while it runs.
pub(super) struct TracerSide {
    pub(super) result: TracerResult,
    pub(super) prepared: Option<Box<dyn PreparedScenario>>,
    pub(super) histogram: OpCostHistogram,
}

/// A scenario while the suite runs: its result so far and each tracer's loaded programs.
pub(super) struct ScenarioRun<'a> {
    pub(super) row: SuiteRow<'a>,
    pub(super) result: ScenarioResult,
    pub(super) sides: Vec<TracerSide>,
    pub(super) control_histogram: OpCostHistogram,
    /// Runs are sized (calibration done).
    pub(super) calibrated: bool,
    /// No more rounds needed.
    pub(super) finished: bool,
    /// The verification run is done.
    pub(super) verified: bool,
}

/// Loads `scenario`'s programs with every backend. A tracer that cannot run it is reported as
/// unsupported; any other failure stops the benchmark.
pub(super) fn prepare_scenario<'a>(
    backends: &mut [Box<dyn TracerBackend>],
    row: SuiteRow<'a>,
) -> Result<ScenarioRun<'a>, Error> {
    let mut result = empty_result(row);
    let mut sides = Vec::new();
    for backend in backends.iter_mut() {
        let mut tracer = empty_tracer_result(backend.tracer(), row);
        let mut prepared = None;
        if !row.is_control() {
            match backend.prepare_row(row) {
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
    Ok(ScenarioRun {
        row,
        result,
        finished: sides.is_empty(),
        calibrated: false,
        verified: false,
        sides,
        control_histogram: OpCostHistogram::default(),
    })
}

impl ScenarioRun<'_> {
    /// Runs `step` with every tracer's side entered ([`PreparedScenario::enter`]) and leaves
    /// them afterwards, whatever the outcome.
    pub(super) fn entered(
        &mut self,
        step: impl FnOnce(&mut Self) -> Result<(), MeasureError>,
    ) -> Result<(), MeasureError> {
        let mut outcome = Ok(());
        for prepared in self.sides.iter_mut().filter_map(|s| s.prepared.as_mut()) {
            if let Err(e) = prepared.enter() {
                outcome = Err(e.into());
                break;
            }
        }
        if outcome.is_ok() {
            outcome = step(self);
        }
        for prepared in self.sides.iter_mut().filter_map(|s| s.prepared.as_mut()) {
            prepared.leave();
        }
        outcome
    }

    /// Warm-up doubles as calibration: each tracer's traced run sizes the runs so the slowest
    /// side lasts about `run_time` (a uprobe makes each operation ~20x slower).
    pub(super) fn calibrate(
        &mut self,
        workload: &dyn Workload,
        settings: &BenchmarkSettings,
        stop: &AtomicBool,
    ) -> Result<(), MeasureError> {
        let ops = match settings.ops {
            Some(ops) => {
                for side in self.sides.iter_mut() {
                    traced_run(&mut side.prepared, workload, ops.min(100_000), stop)?;
                }
                ops
            }
            None => {
                // The control sizes one warm-up run per traced side, which gives that side's
                // cost per operation: one traced run each (bpftrace starts for every one).
                let warm_up = settings.run_time / 5;
                let control = workload.calibrate(warm_up, stop)?;
                let warm_up_ops = ops_for(warm_up, control, workload.min_ops());
                let mut slowest = control;
                for side in self.sides.iter_mut() {
                    let sample = traced_run(&mut side.prepared, workload, warm_up_ops, stop)?;
                    slowest = slowest.max(sample.ns_per_op());
                }
                ops_for(settings.run_time, slowest, workload.min_ops())
            }
        };
        workload.run(ops.min(100_000), stop)?; // control warm-up
        self.result.ops = ops;
        self.calibrated = true;
        Ok(())
    }

    /// One round: a control run and a traced run per tracer, in the round's order. A round
    /// counts once every side of it finished (an interruption returns before it is recorded).
    pub(super) fn run_round(
        &mut self,
        workload: &dyn Workload,
        stop: &AtomicBool,
    ) -> Result<(), MeasureError> {
        let ops = self.result.ops;
        let mut control = None;
        let mut traced = vec![None; self.sides.len()];
        for side in run_order::round(self.result.runs, self.sides.len()) {
            match side {
                Side::Control => {
                    let sample = workload.run(ops, stop)?;
                    self.control_histogram.merge(&sample.histogram);
                    control = Some(sample.summary());
                }
                Side::Traced(i) => {
                    let sample = traced_run(&mut self.sides[i].prepared, workload, ops, stop)?;
                    self.sides[i].histogram.merge(&sample.histogram);
                    traced[i] = Some(sample.summary());
                }
            }
        }
        self.result
            .control_runs
            .push(control.expect("every round runs control"));
        self.result.control = Some(self.control_histogram.percentiles());
        for (side, ns) in self.sides.iter_mut().zip(traced) {
            side.result
                .traced_runs
                .push(ns.expect("every round runs every tracer"));
            side.result.traced = Some(side.histogram.percentiles());
        }
        self.result.runs += 1;
        Ok(())
    }

    /// Each traced side's estimate from the rounds so far.
    pub(super) fn estimates(&self, estimator: &Estimator, seed: u64) -> Vec<Option<PerEventCost>> {
        self.sides
            .iter()
            .map(|side| {
                estimator.per_event_cost(
                    &self.result.control_runs,
                    &side.result.traced_runs,
                    self.result.events_per_op,
                    seed,
                )
            })
            .collect()
    }

    /// A traced run per tracer that counts each program's events with the kernel's statistics.
    /// With [`EventsPerOp::Counted`], the scenario's events per operation become what the
    /// first tracer's programs counted.
    pub(super) fn verify(
        &mut self,
        workload: &dyn Workload,
        events: EventsPerOp,
        stop: &AtomicBool,
    ) -> Result<(), MeasureError> {
        let verify_ops = (self.result.ops / 4).max(workload.min_ops());
        for (i, side) in self.sides.iter_mut().enumerate() {
            if let Some(p) = side.prepared.as_mut() {
                let programs = p.verify(Interruptible { workload, stop }, verify_ops)?;
                match events {
                    EventsPerOp::Counted if i == 0 => {
                        let runs: u64 = programs.programs.iter().map(|p| p.count).sum();
                        self.result.events_per_op = runs as f64 / verify_ops as f64;
                    }
                    EventsPerOp::Given(per_op) => self.result.events_per_op = per_op,
                    _ => {}
                }
                let verification = programs.into_verification(verify_ops, events);
                side.result.body_ns = verification.body_ns;
                // Events the user gave are neither verified nor refuted.
                side.result.events_verified = match events {
                    EventsPerOp::Given(_) => None,
                    _ => Some(verification.events_verified),
                };
                side.result.verification = Some(verification);
            }
        }
        self.verified = true;
        Ok(())
    }

    /// Detaches, collects what the tracers kept, and turns the rounds into estimates, the
    /// tracers in the order they were asked for (unsupported ones included).
    pub(super) fn finish(
        mut self,
        order: &[Tracer],
        estimator: &Estimator,
        seed: u64,
    ) -> Result<ScenarioResult, Error> {
        for mut side in std::mem::take(&mut self.sides) {
            if let Some(prepared) = side.prepared.as_mut() {
                prepared.detach()?;
                side.result.delivery = match prepared.delivery() {
                    Ok(delivery) => delivery,
                    // An interruption may have reached the tracer's process before its output
                    // was read: the row is marked interrupted, without its delivery counts.
                    Err(_) if self.result.interrupted => None,
                    Err(e) => return Err(e.into()),
                };
                side.result.attach_times = prepared.attach_times();
            }
            finish_estimates(
                &mut side.result,
                &self.result.control_runs,
                self.result.events_per_op,
                estimator,
                seed,
            );
            self.result.tracers.push(side.result);
        }
        self.result
            .tracers
            .sort_by_key(|t| order.iter().position(|n| *n == t.tracer));
        Ok(self.result)
    }
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

/// The result of a row `tracer` cannot measure, for `reason`, without anything being run
/// (a user's tool that cannot attach here, say).
pub fn unsupported_row(
    row: SuiteRow<'_>,
    tracer: crate::tracer::Tracer,
    reason: String,
) -> ScenarioResult {
    let mut result = empty_result(row);
    let mut side = empty_tracer_result(tracer, row);
    side.status = ScenarioStatus::Unsupported;
    side.attach = "none".into();
    side.reason = Some(reason);
    result.tracers.push(side);
    result
}

fn empty_result(row: SuiteRow<'_>) -> ScenarioResult {
    ScenarioResult {
        row: row.row(),
        name: row.name().to_string(),
        attach_talk: row.talk_attach_points(),
        ops: 0,
        runs: 0,
        events_per_op: 1.0,
        control: None,
        control_runs: Vec::new(),
        tracers: Vec::new(),
        tracer_ratio: None,
        interrupted: false,
        published: row.scenario().and_then(|s| reference::published(s.name)),
        note: row.note(),
        workload: None,
    }
}

fn empty_tracer_result(tracer: crate::tracer::Tracer, row: SuiteRow<'_>) -> TracerResult {
    TracerResult {
        tracer,
        status: ScenarioStatus::Measured,
        attach: row.talk_attach_points(),
        reason: None,
        per_event_ns: None,
        per_event_ns_ci95: None,
        ci95_half_width_pct: None,
        typical_ns: None,
        typical_ns_ci95: None,
        bursty: false,
        slowdown_pct: None,
        body_ns: None,
        events_verified: None,
        verification: None,
        traced: None,
        traced_runs: Vec::new(),
        delivery: None,
        attach_times: None,
    }
}

fn finish_estimates(
    result: &mut TracerResult,
    control: &[crate::stats::RunSummary],
    events_per_op: f64,
    estimator: &Estimator,
    seed: u64,
) {
    if let Some(cost) = estimator.per_event_cost(control, &result.traced_runs, events_per_op, seed)
    {
        result.per_event_ns = Some(cost.floor.ns);
        result.per_event_ns_ci95 = Some(cost.floor.ci95_ns);
        result.ci95_half_width_pct = cost.floor.half_width_pct();
        result.typical_ns = Some(cost.typical.ns);
        result.typical_ns_ci95 = Some(cost.typical.ci95_ns);
        result.bursty = cost.bursty;
        result.slowdown_pct = Some(cost.slowdown_pct);
    }
}
