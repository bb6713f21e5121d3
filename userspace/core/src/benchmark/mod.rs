//! Running a suite: every scenario's control and traced runs interleaved on one pinned CPU,
//! round by round (`scenario_run.rs` holds one scenario's calibration, rounds, verification
//! and estimates), until the round policy says each is finished.

mod backend;
mod measure_error;
mod program_stats;
mod rounds;
pub mod run_order;
mod scenario_run;
mod suite_row;
pub mod tracer_ratio;

use std::{
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

pub use backend::{
    run_attached, AttachChoice, AttachTimer, Prepared, PreparedScenario, TracerBackend,
};
pub use measure_error::MeasureError;
pub use program_stats::{ProgramRun, ProgramStats};
pub use rounds::{RoundPolicy, TargetCi};
pub use scenario_run::unsupported_row;
use scenario_run::{prepare_scenario, ScenarioRun};
pub use suite_row::{ObjectRow, SuiteRow};
pub use tracer_ratio::RatioPair;

use crate::{
    error::Error, result::ScenarioResult, stats::Estimator, tracer::Tracer, workload::Workload,
};

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
    /// The tracers whose ratio the table shows.
    pub ratio: RatioPair,
}

/// How many events one workload operation makes, the divisor of every per-event cost.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum EventsPerOp {
    /// One per program: the catalog's scenarios trace the operation's own read.
    #[default]
    One,
    /// What the verification run counted: program runs (all programs together) per
    /// operation, for programs whose events per operation nobody knows beforehand (a user's
    /// object, a command's whole process).
    Counted,
    /// What the user said (`measure --events-per-op`), for a traced side whose programs no one
    /// can count (a command that loads none): its events are not verified.
    Given(f64),
}

impl Default for BenchmarkSettings {
    fn default() -> Self {
        Self {
            rounds: RoundPolicy::Fixed(12),
            ops: None,
            run_time: Duration::from_millis(50),
            verify: true,
            seed: 0x5EED,
            events: EventsPerOp::One,
            ratio: RatioPair::default(),
            estimator: Estimator::default(),
        }
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
    pub finished: Vec<String>,
    /// Scenarios that still need rounds.
    pub remaining: usize,
    /// The time budget (`--max-time`) is spent: rows past their minimum got no more rounds.
    pub time_spent: bool,
    /// How long the round took.
    pub took: Duration,
}

/// Stops the benchmark on a workload or tracer failure; an interruption is `Ok(true)`, and so
/// is a failure once probecost was asked to stop (`stop_asked`): a Ctrl-C reaches the tracer's
/// process too (bpftrace, a user's command), which may then die while it starts or stops.
fn interrupted(outcome: Result<(), MeasureError>, stop_asked: bool) -> Result<bool, Error> {
    match outcome.map_err(Error::from) {
        Ok(()) => Ok(false),
        Err(Error::Interrupted) => Ok(true),
        Err(_) if stop_asked => Ok(true),
        Err(e) => Err(e),
    }
}

/// Runs `scenarios` with every backend and returns one result per scenario.
///
/// The suite runs round by round: each round gives every unfinished scenario one control run
/// and one traced run per tracer, so each scenario's rounds are spread over the whole suite
/// and its interval covers the machine's drift over minutes, not only over seconds (the
/// drift that made two runs of one build disagree). `settings.rounds` says when a scenario
/// is finished; its time budget counts from the first round. Stops early when `stop` is set,
/// keeping the rounds done and marking the rows interrupted. Fills in the
/// probecost-against-bpftrace comparison at the end.
pub fn run_suite(
    backends: &mut [Box<dyn TracerBackend>],
    rows: &[SuiteRow<'_>],
    workload: &dyn Workload,
    settings: &BenchmarkSettings,
    stop: &AtomicBool,
    on_round: &mut dyn FnMut(&RoundProgress),
) -> Result<Vec<ScenarioResult>, Error> {
    let order: Vec<Tracer> = backends.iter().map(|b| b.tracer()).collect();
    let mut runs = Vec::new();
    for row in rows {
        runs.push(prepare_scenario(backends, *row)?);
    }
    let stopped = || crate::interrupt::stop_requested() || stop.load(Ordering::Relaxed);
    let mut was_interrupted = false;
    let max_rounds = settings.rounds.max_rounds();
    let first_round = Instant::now();
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
            time_spent: false,
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
            if stopped() || interrupted(run.entered(round), stopped())? {
                was_interrupted = true;
                break;
            }
            progress.scenarios += 1;
            let estimates = run.estimates(&settings.estimator, settings.seed);
            if settings
                .rounds
                .finished(run.result.runs, &estimates, run.row.is_control())
            {
                run.finished = true;
                progress.finished.push(run.row.name().to_string());
            }
        }
        if !was_interrupted {
            let elapsed = first_round.elapsed();
            for run in runs.iter_mut().filter(|r| !r.finished) {
                if settings.rounds.out_of_time(run.result.runs, elapsed) {
                    run.finished = true;
                    progress.time_spent = true;
                    progress.finished.push(run.row.name().to_string());
                }
            }
        }
        progress.remaining = runs.iter().filter(|r| !r.finished).count();
        progress.took = started.elapsed();
        on_round(&progress);
    }
    if settings.verify && !was_interrupted {
        for run in runs.iter_mut() {
            let verify = |run: &mut ScenarioRun| run.verify(workload, settings.events, stop);
            if stopped() || interrupted(run.entered(verify), stopped())? {
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
    tracer_ratio::fill_ratios(&mut results, settings.ratio);
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::BackendError;

    fn tracer_failure() -> Result<(), MeasureError> {
        Err(MeasureError::Backend(BackendError::Read {
            what: "bpftrace".into(),
            error: "it exited (signal: 2 (SIGINT)) before it was ready".into(),
        }))
    }

    #[test]
    fn a_tracer_failure_once_a_stop_was_asked_is_the_interruption() {
        assert!(interrupted(tracer_failure(), true).unwrap());
        assert!(interrupted(tracer_failure(), false).is_err());
        assert!(!interrupted(Ok(()), true).unwrap());
    }
}
