//! `probecost run`'s arguments, and the rounds `run` and `measure` share.

use std::{path::PathBuf, time::Duration};

use clap::Args;
use probecost_core::{
    benchmark::{RoundPolicy, TargetCi},
    scenario::ScenarioSuite,
    tracer::Tracer,
};

use super::{non_negative, percentage, MeasuringArgs};
use crate::commands::{RunCommand, WorkloadChoice};

/// `--suite`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SuiteChoice {
    /// The talk's 18 rows and `per-event-aya-log`.
    Talk,
    /// Every attach mechanism on one event.
    Mechanisms,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenarios to run (comma-separated, from either suite); all of --suite by default.
    #[arg(long, value_delimiter = ',')]
    scenario: Vec<String>,
    /// The suite: the talk's Benchmark 1 rows, or the mechanism matrix (an empty and a
    /// counting program through every attach mechanism this kernel offers).
    #[arg(long, value_enum, default_value_t = SuiteChoice::Talk)]
    suite: SuiteChoice,
    #[command(flatten)]
    rounds: RoundArgs,
    /// Workload operations per run, at least 1000 (default: sized so a traced run lasts
    /// --run-time-ms).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1000..=1_000_000_000_000))]
    ops: Option<u64>,
    /// Skips the verification run with kernel BPF statistics.
    #[arg(long)]
    no_verify: bool,
    /// Tracers to compare (comma-separated): aya (probecost's own eBPF programs), libbpf (the
    /// same programs in C) and bpftrace on Linux, dtrace on FreeBSD. Default: aya on Linux,
    /// dtrace on FreeBSD.
    #[arg(long, value_delimiter = ',', value_enum)]
    tracer: Vec<Tracer>,
    /// The ratio columns: the first --tracer's costs against this tracer's, on the rows both
    /// ran.
    #[arg(long, value_enum, value_name = "TRACER", default_value_t = Tracer::Bpftrace)]
    ratio_against: Tracer,
    /// What is timed: the in-process dd-style loop (timed in batches), or the real
    /// `dd if=/dev/zero of=/dev/null bs=1 count=N` timed as a whole process (the talk's method).
    #[arg(long, value_enum, default_value_t = WorkloadChoice::InProcess)]
    workload: WorkloadChoice,
    /// Where per-event scenarios write their formatted lines.
    #[arg(long, value_name = "FILE", default_value = "/dev/null")]
    per_event_sink: PathBuf,
    /// Saves the report as baseline NAME under the user's cache directory when the run
    /// completes.
    #[arg(long, value_name = "NAME")]
    save_baseline: Option<String>,
    /// Compares the run with saved baseline NAME afterwards (see `probecost compare`).
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    #[command(flatten)]
    measuring: MeasuringArgs,
}

impl RunArgs {
    pub fn command(&self) -> RunCommand {
        RunCommand {
            scenarios: self.scenario.clone(),
            suite: match self.suite {
                SuiteChoice::Talk => ScenarioSuite::Talk,
                SuiteChoice::Mechanisms => ScenarioSuite::Mechanisms,
            },
            rounds: self.rounds.policy(),
            ops: self.ops,
            run_time: self.rounds.run_time(),
            cpu: self.rounds.cpu,
            verify: !self.no_verify,
            tracers: self.tracer.clone(),
            ratio_against: self.ratio_against,
            workload: self.workload,
            exports: self.measuring.export.paths(),
            per_event_sink: self.per_event_sink.clone(),
            allow_concurrent: self.measuring.allow_concurrent,
            save_baseline: self.save_baseline.clone(),
            baseline: self.baseline.clone(),
        }
    }
}

/// `--ci-floor-ns` when not given: costs below it are held to the target's percent of it.
pub(super) const DEFAULT_CI_FLOOR_NS: f64 = 100.0;

/// How many rounds `run` and `measure` give a row, how long each run lasts, and where.
#[derive(Args, Debug)]
pub struct RoundArgs {
    /// Rounds per scenario, 1 to 1000 (default 12; with --target-ci, the minimum, default 5;
    /// `measure` without either runs 20 to 100 rounds, to ±2 % or for 60 s). A round is one
    /// control run and one traced run per tracer (`--runs` is its old name).
    #[arg(long, visible_alias = "runs", value_parser = clap::value_parser!(u64).range(1..=1000))]
    rounds: Option<u64>,
    /// Precision on demand: keeps giving a scenario rounds until the half-width of its
    /// per-event floor's 95% interval is at most PCT percent of the floor (costs below
    /// --ci-floor-ns are held to PCT percent of that), or --max-rounds is reached, or
    /// --max-time is spent.
    #[arg(long, value_name = "PCT", value_parser = percentage)]
    target_ci: Option<f64>,
    /// With --target-ci: the most rounds a scenario gets.
    #[arg(long, visible_alias = "max-runs", default_value_t = 30, requires = "target_ci", value_parser = clap::value_parser!(u64).range(2..=1000))]
    max_rounds: u64,
    /// With --target-ci: a time budget, in seconds from the first round, after which rows get
    /// no rounds beyond --rounds (the verification runs come after it).
    #[arg(long, value_name = "SECONDS", requires = "target_ci", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    max_time: Option<u64>,
    /// With --target-ci: costs below this many ns are held to PCT percent of it.
    #[arg(long, default_value_t = DEFAULT_CI_FLOOR_NS, requires = "target_ci", value_parser = non_negative)]
    ci_floor_ns: f64,
    /// Target duration of a traced run, in milliseconds, when --ops is not given.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(10..=600_000))]
    run_time_ms: u64,
    /// CPU to pin the workload to (default: the last one this process may use).
    #[arg(long)]
    pub(super) cpu: Option<usize>,
}

impl RoundArgs {
    pub(super) fn policy(&self) -> RoundPolicy {
        match self.target_ci {
            Some(pct) => RoundPolicy::TargetCi(TargetCi {
                pct,
                floor_ns: self.ci_floor_ns,
                min_rounds: self.rounds.unwrap_or(5) as usize,
                max_rounds: self.max_rounds as usize,
                max_time: self.max_time.map(Duration::from_secs),
            }),
            None => RoundPolicy::Fixed(self.rounds.unwrap_or(12) as usize),
        }
    }

    /// The policy asked for, or `default` when neither --rounds nor --target-ci is given.
    pub(super) fn policy_or(&self, default: RoundPolicy) -> RoundPolicy {
        if self.rounds.is_none() && self.target_ci.is_none() {
            default
        } else {
            self.policy()
        }
    }

    pub(super) fn run_time(&self) -> Duration {
        Duration::from_millis(self.run_time_ms)
    }
}
