//! Running a scenario: calibration, interleaved control and traced runs on one pinned CPU,
//! the verification run with kernel BPF statistics, and the estimates.

mod backend;
pub mod comparison;
mod rounds;
pub mod run_order;

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

pub use backend::{
    run_attached, AttachChoice, AttachTimer, Prepared, PreparedScenario, TracerBackend,
};
pub use rounds::{RoundPolicy, TargetCi};

use crate::{
    error::{BackendError, Error},
    histogram::OpCostHistogram,
    reference,
    result::{ScenarioResult, ScenarioStatus, TracerResult, Verification},
    scenario::Scenario,
    stats::{Estimator, PerEventCost},
    tracer::Tracer,
    workload::{ops_for, Interruptible, RunSample, Workload, WorkloadError},
};
use run_order::Side;

/// How scenarios are run.
#[derive(Clone, Debug)]
pub struct BenchmarkSettings {
    /// How many control/traced rounds each scenario gets.
    pub rounds: RoundPolicy,
    /// Operations per run; `None` sizes runs by `run_time`.
    pub ops: Option<u64>,
    /// Target duration of a traced run when `ops` is not given.
    pub run_time: Duration,
    /// Whether to run the verification run with BPF statistics.
    pub verify: bool,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Where the events per operation come from.
    pub events: EventsPerOp,
    /// How the rounds become per-event costs.
    pub estimator: Estimator,
}

/// How many events one workload operation makes, the divisor of every per-event cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EventsPerOp {
    /// One per program: the catalog's scenarios trace the operation's own read.
    #[default]
    One,
    /// What the verification run counted: program runs (all programs together) per
    /// operation, for programs whose events per operation nobody knows beforehand (a user's
    /// object, a command's whole process).
    Counted,
}

impl Default for BenchmarkSettings {
    fn default() -> Self {
        Self {
            rounds: RoundPolicy::Fixed(12),
            ops: None,
            run_time: Duration::from_millis(150),
            verify: true,
            seed: 0x5EED,
            events: EventsPerOp::One,
            estimator: Estimator::default(),
        }
    }
}

/// One tracer's side of a scenario while it runs.
struct TracerSide {
    result: TracerResult,
    prepared: Option<Box<dyn PreparedScenario>>,
    histogram: OpCostHistogram,
}

/// A scenario while the suite runs: its result so far and each tracer's loaded programs.
struct ScenarioRun {
    scenario: &'static Scenario,
    result: ScenarioResult,
    sides: Vec<TracerSide>,
    control_histogram: OpCostHistogram,
    /// Runs are sized (calibration done).
    calibrated: bool,
    /// No more rounds needed.
    finished: bool,
    /// The verification run is done.
    verified: bool,
}

/// Loads `scenario`'s programs with every backend. A tracer that cannot run it is reported as
/// unsupported; any other failure stops the benchmark.
fn prepare_scenario(
    backends: &mut [Box<dyn TracerBackend>],
    scenario: &'static Scenario,
) -> Result<ScenarioRun, Error> {
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
    Ok(ScenarioRun {
        scenario,
        result,
        finished: sides.is_empty(),
        calibrated: false,
        verified: false,
        sides,
        control_histogram: OpCostHistogram::default(),
    })
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

impl ScenarioRun {
    /// Runs `step` with every tracer's side entered ([`PreparedScenario::enter`]) and leaves
    /// them afterwards, whatever the outcome.
    fn entered(
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
    fn calibrate(
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
    fn run_round(
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
    fn estimates(&self, estimator: &Estimator, seed: u64) -> Vec<Option<PerEventCost>> {
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
    fn verify(
        &mut self,
        workload: &dyn Workload,
        events: EventsPerOp,
        stop: &AtomicBool,
    ) -> Result<(), MeasureError> {
        let verify_ops = (self.result.ops / 4).max(workload.min_ops());
        for (i, side) in self.sides.iter_mut().enumerate() {
            if let Some(p) = side.prepared.as_mut() {
                let programs = p.verify(Interruptible { workload, stop }, verify_ops)?;
                if events == EventsPerOp::Counted && i == 0 {
                    let runs: u64 = programs.programs.iter().map(|p| p.count).sum();
                    self.result.events_per_op = runs as f64 / verify_ops as f64;
                }
                let verification = programs.into_verification(verify_ops);
                side.result.body_ns = verification.body_ns;
                side.result.events_verified = Some(verification.events_verified);
                side.result.verification = Some(verification);
            }
        }
        self.verified = true;
        Ok(())
    }

    /// Detaches, collects what the tracers kept, and turns the rounds into estimates, the
    /// tracers in the order they were asked for (unsupported ones included).
    fn finish(
        mut self,
        order: &[Tracer],
        estimator: &Estimator,
        seed: u64,
    ) -> Result<ScenarioResult, Error> {
        for mut side in std::mem::take(&mut self.sides) {
            if let Some(prepared) = side.prepared.as_mut() {
                prepared.detach()?;
                side.result.delivery = prepared.delivery()?;
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

/// What the suite did in one round, for progress lines.
#[derive(Clone, Debug)]
pub struct RoundProgress {
    /// The round, from 1.
    pub round: usize,
    /// The most rounds a scenario can get.
    pub max_rounds: usize,
    /// Scenarios that ran in this round.
    pub scenarios: usize,
    /// Scenarios that need no more rounds after this one.
    pub finished: Vec<&'static str>,
    /// Scenarios that still need rounds.
    pub remaining: usize,
    /// How long the round took.
    pub took: Duration,
}

impl From<MeasureError> for Error {
    fn from(e: MeasureError) -> Self {
        match e {
            MeasureError::Workload(WorkloadError::Interrupted) => Error::Interrupted,
            MeasureError::Workload(WorkloadError::Io(e)) => Error::io("running the workload")(e),
            MeasureError::Backend(e) => e.into(),
        }
    }
}

/// Stops the benchmark on a workload or tracer failure; an interruption is `Ok(true)`.
fn interrupted(outcome: Result<(), MeasureError>) -> Result<bool, Error> {
    match outcome.map_err(Error::from) {
        Ok(()) => Ok(false),
        Err(Error::Interrupted) => Ok(true),
        Err(e) => Err(e),
    }
}

/// Runs `scenarios` with every backend and returns one result per scenario.
///
/// The suite runs round by round: each round gives every unfinished scenario one control run
/// and one traced run per tracer, so each scenario's rounds are spread over the whole suite
/// and its interval covers the machine's drift over minutes, not only over seconds (the
/// drift that made two runs of one build disagree). `settings.rounds` says when a scenario
/// is finished. Stops early when `stop` is set, keeping the rounds done and marking the rows
/// interrupted. Fills in the probecost-against-bpftrace comparison at the end.
pub fn run_suite(
    backends: &mut [Box<dyn TracerBackend>],
    scenarios: &[&'static Scenario],
    workload: &dyn Workload,
    settings: &BenchmarkSettings,
    stop: &AtomicBool,
    on_round: &mut dyn FnMut(&RoundProgress),
) -> Result<Vec<ScenarioResult>, Error> {
    let order: Vec<Tracer> = backends.iter().map(|b| b.name()).collect();
    let mut runs = Vec::new();
    for scenario in scenarios {
        runs.push(prepare_scenario(backends, scenario)?);
    }
    let stopped = || crate::interrupt::stop_requested() || stop.load(Ordering::Relaxed);
    let mut was_interrupted = false;
    let max_rounds = settings.rounds.max_rounds();
    let mut round = 0;
    while !was_interrupted && runs.iter().any(|r| !r.finished) {
        round += 1;
        let started = Instant::now();
        let mut progress = RoundProgress {
            round,
            max_rounds,
            scenarios: 0,
            finished: Vec::new(),
            remaining: 0,
            took: Duration::ZERO,
        };
        for run in runs.iter_mut().filter(|r| !r.finished) {
            // Each scenario is calibrated just before its first round, so an interruption
            // early in the suite still finds the first rows with a round each.
            let round = |run: &mut ScenarioRun| {
                if !run.calibrated {
                    run.calibrate(workload, settings, stop)?;
                }
                run.run_round(workload, stop)
            };
            if stopped() || interrupted(run.entered(round))? {
                was_interrupted = true;
                break;
            }
            progress.scenarios += 1;
            let estimates = run.estimates(&settings.estimator, settings.seed);
            if settings
                .rounds
                .finished(run.result.runs, &estimates, run.scenario.is_control())
            {
                run.finished = true;
                progress.finished.push(run.scenario.name);
            }
        }
        progress.remaining = runs.iter().filter(|r| !r.finished).count();
        progress.took = started.elapsed();
        on_round(&progress);
    }
    if settings.verify && !was_interrupted {
        for run in runs.iter_mut() {
            let verify = |run: &mut ScenarioRun| run.verify(workload, settings.events, stop);
            if stopped() || interrupted(run.entered(verify))? {
                was_interrupted = true;
                break;
            }
        }
    }
    let mut results = Vec::new();
    for mut run in runs {
        let never_ran = run.result.runs == 0 && !run.sides.is_empty();
        if was_interrupted {
            run.result.interrupted = !run.finished || (settings.verify && !run.verified);
        }
        let result = run.finish(&order, &settings.estimator, settings.seed)?;
        // A row that an interruption kept from running has nothing to say.
        if !(was_interrupted && never_ran) {
            results.push(result);
        }
    }
    comparison::compare(&mut results);
    Ok(results)
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
    /// Its size in instructions after the kernel's rewrites, where the tracer knows its
    /// program (probecost's own do).
    pub xlated_insns: Option<u32>,
    /// Instructions the verifier processed to accept it, where known.
    pub verified_insns: Option<u32>,
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
        let total = |insns: fn(&ProgramRun) -> Option<u32>| -> Option<u64> {
            self.programs.iter().map(|p| insns(p).map(u64::from)).sum()
        };
        let xlated_insns = total(|p| p.xlated_insns);
        let verified_insns = total(|p| p.verified_insns.filter(|&n| n > 0));
        Verification {
            ops,
            events_verified: min_count >= ops,
            events_per_op_observed: min_count as f64 / ops.max(1) as f64,
            run_counts,
            body_ns,
            xlated_insns,
            verified_insns,
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
        control_runs: Vec::new(),
        tracers: Vec::new(),
        comparison: None,
        interrupted: false,
        published: reference::published(scenario.name),
        note: (!scenario.note.is_empty()).then_some(scenario.note),
    }
}

fn empty_tracer_result(tracer: crate::tracer::Tracer, scenario: &'static Scenario) -> TracerResult {
    TracerResult {
        tracer,
        status: ScenarioStatus::Measured,
        attach: scenario.talk_attach_points(),
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
