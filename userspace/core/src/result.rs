//! What a benchmark produces: one [`ScenarioResult`] per scenario, gathered in a [`Suite`]
//! that the table and every export are made from.

use serde::Serialize;

use crate::{
    histogram::Percentiles,
    reference::PublishedFigures,
    stats::{Estimator, RunSummary},
    tracer::Tracer,
};

/// How a scenario ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScenarioStatus {
    /// On the talk's attach point.
    Measured,
    /// On a substitute attach point (`reason` says why).
    Substituted,
    /// Not run: this kernel cannot (`reason` says why).
    Unsupported,
}

impl std::fmt::Display for ScenarioStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Self::Measured => "measured",
            Self::Substituted => "substituted",
            Self::Unsupported => "unsupported",
        })
    }
}

/// Per-event records delivered to user space (per-event scenarios only), over all traced runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    /// Events the program saw.
    pub seen: u64,
    /// Records formatted and written to the sink.
    pub delivered: u64,
    /// Records lost on the way (seen but never delivered).
    pub lost: u64,
}

impl DeliveryCounts {
    /// Counts of a tracer that reports what it delivered and what it dropped: every event was
    /// one or the other.
    pub fn from_output(delivered: u64, lost: u64) -> Self {
        Self {
            seen: delivered + lost,
            delivered,
            lost,
        }
    }

    /// Counts of a tracer that counts what its program saw: the rest was lost.
    pub fn from_seen(seen: u64, delivered: u64) -> Self {
        Self {
            seen,
            delivered,
            lost: seen.saturating_sub(delivered),
        }
    }
}

/// What the kernel's BPF statistics said during the verification run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verification {
    /// Workload operations in the verification run.
    pub ops: u64,
    /// Program invocations the kernel counted, per program.
    pub run_counts: Vec<u64>,
    /// Whether every program ran at least once per operation.
    pub events_verified: bool,
    /// Invocations per workload operation (background activity pushes it above 1).
    pub events_per_op_observed: f64,
    /// Kernel-measured average time in the program bodies per event (sum over the scenario's
    /// programs of run_time / run_count), ns; `null` where the tracer does not measure it.
    pub body_ns: Option<f64>,
    /// The programs' size after the kernel's rewrites, instructions summed over the scenario's
    /// programs (`bpftool prog dump xlated`); `null` where the tracer's programs are not
    /// probecost's.
    pub xlated_insns: Option<u64>,
    /// Instructions the verifier processed to accept them, summed; `null` where unknown.
    pub verified_insns: Option<u64>,
}

/// Median attach and detach times of a tracer's traced runs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct AttachTimes {
    /// From starting to attach until the probes were live, ms (for bpftrace: process start,
    /// compilation and attachment).
    pub attach_ms: f64,
    /// From asking to detach until the probes were gone, ms (for bpftrace: from SIGINT until
    /// it had closed every probe descriptor; it exits later).
    pub detach_ms: f64,
}

/// What one tracer measured for one scenario.
#[derive(Clone, Debug, Serialize)]
pub struct TracerResult {
    /// `aya` (probecost's own programs), `bpftrace` or `dtrace`.
    pub tracer: Tracer,
    /// measured | substituted | unsupported.
    pub status: ScenarioStatus,
    /// Attach point(s) used.
    pub attach: String,
    /// Why the scenario did not run as in the talk.
    pub reason: Option<String>,
    /// Per-event cost from the runs' floors, ns: the headline (see `stats::Estimator`).
    pub per_event_ns: Option<f64>,
    /// 95% bootstrap interval (over rounds) of `per_event_ns`.
    pub per_event_ns_ci95: Option<[f64; 2]>,
    /// Half that interval's width, percent of `per_event_ns`: the precision reached.
    pub ci95_half_width_pct: Option<f64>,
    /// Per-event cost from the runs' means, ns: what a loaded machine pays, bursts included.
    pub typical_ns: Option<f64>,
    /// 95% bootstrap interval (over rounds) of `typical_ns`.
    pub typical_ns_ci95: Option<[f64; 2]>,
    /// Whether the typical cost exceeds the floor beyond the control's own gap and the noise:
    /// the probe's cost comes partly in bursts that the floor leaves out.
    pub bursty: bool,
    /// The traced floor over the control floor, %.
    pub slowdown_pct: Option<f64>,
    /// Kernel-measured program-body time per event, ns.
    pub body_ns: Option<f64>,
    /// Whether the kernel counted at least one event per operation.
    pub events_verified: Option<bool>,
    /// The verification run in detail.
    pub verification: Option<Verification>,
    /// Traced runs' ns per operation, percentiles over batches.
    pub traced: Option<Percentiles>,
    /// Each traced run (mean and batch quantiles per operation), in round order.
    pub traced_runs: Vec<RunSummary>,
    /// Per-event records (per-event scenarios).
    pub delivery: Option<DeliveryCounts>,
    /// Median attach and detach times over the traced runs.
    pub attach_times: Option<AttachTimes>,
}

/// One tracer's per-event cost against another's on one row, when both ran (`run
/// --ratio-against`; by default probecost's aya programs against bpftrace).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TracerRatio {
    /// The tracer measured, then the one it is held against.
    pub tracers: [Tracer; 2],
    /// The first tracer's per-event cost / the second's.
    pub per_event_ratio: Option<f64>,
    /// Each tracer's cost over its own bare attach point (the empty program on the same
    /// probe(s)), ns per event.
    pub added_ns: [Option<f64>; 2],
    /// added_ns[0] / added_ns[1].
    pub added_ratio: Option<f64>,
    /// The first tracer's program-body time / the second's, from BPF statistics.
    pub body_ratio: Option<f64>,
}

/// The result of one scenario: the control runs it shares with every tracer, and each
/// tracer's traced runs.
#[derive(Clone, Debug, Serialize)]
pub struct ScenarioResult {
    /// Row in the talk's table (`null` for probecost's own scenarios).
    pub row: Option<u32>,
    /// Scenario name.
    pub name: String,
    /// Attach point(s) in the talk.
    pub attach_talk: String,
    /// Workload operations per run.
    pub ops: u64,
    /// Completed rounds (one control run and one traced run per tracer each).
    pub runs: usize,
    /// Events each operation triggers (by construction; see `verification`).
    pub events_per_op: f64,
    /// Control runs' ns per operation, percentiles over batches.
    pub control: Option<Percentiles>,
    /// Each control run (mean and batch quantiles per operation), in round order.
    pub control_runs: Vec<RunSummary>,
    /// One entry per tracer, in the order asked for.
    pub tracers: Vec<TracerResult>,
    /// One tracer against another, when both ran.
    pub tracer_ratio: Option<TracerRatio>,
    /// Whether the run was cut short by Ctrl-C / SIGTERM.
    pub interrupted: bool,
    /// Published figures from other machines, for reference.
    pub published: Option<PublishedFigures>,
    /// What the row's mechanism means for its figure (the mechanism matrix), if anything.
    pub note: Option<&'static str>,
    /// The workload this row was timed with, where rows of one report differ (the shipped
    /// bpftrace tools, each with a workload that fires its probes); `None` when it is the
    /// suite's.
    pub workload: Option<String>,
}

impl ScenarioResult {
    /// The result of `tracer`, if it ran this scenario.
    pub fn tracer(&self, tracer: Tracer) -> Option<&TracerResult> {
        self.tracers.iter().find(|t| t.tracer == tracer)
    }

    /// Whether this is the control row (no probe: it measures the noise around zero).
    pub fn is_control(&self) -> bool {
        crate::scenario::ScenarioCatalog
            .find(&self.name)
            .is_some_and(|s| s.is_control())
    }
}

/// What `probecost run` found: one result per scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Suite {
    /// Control/traced run pairs asked for (the minimum, with a target precision).
    pub runs_requested: usize,
    /// `--target-ci`: the half-width asked of every row's 95% interval, percent of its
    /// median (rows below `ci_floor_ns` are held to that percentage of the floor).
    pub target_ci_pct: Option<f64>,
    /// With a target: the floor, ns.
    pub ci_floor_ns: Option<f64>,
    /// With a target: the most rounds a row could get.
    pub max_runs: Option<usize>,
    /// With a target: the time budget, seconds from the first round, after which rows got no
    /// rounds beyond the minimum (`--max-time`).
    pub max_time_s: Option<u64>,
    /// The workload timed.
    pub workload: String,
    /// How per-event costs were estimated from the runs.
    pub estimator: Estimator,
    /// One result per scenario, in table order.
    pub scenarios: Vec<ScenarioResult>,
}
