//! One tracer's programs against another's on the same attach points (`run --ratio-against`):
//! per-event ratio, and the cost each adds over its own bare probe, which is what the program
//! body is responsible for.

use crate::{
    result::{ScenarioResult, TracerRatio, TracerResult},
    scenario::{Hook, ScenarioCatalog},
    tracer::Tracer,
};

/// The tracer measured and the one it is held against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RatioPair {
    /// The numerator: probecost's own programs by default.
    pub tracer: Tracer,
    /// The denominator.
    pub against: Tracer,
}

impl Default for RatioPair {
    /// probecost's aya programs against bpftrace, the talk's comparison.
    fn default() -> Self {
        Self {
            tracer: Tracer::Aya,
            against: Tracer::Bpftrace,
        }
    }
}

/// The bare row (empty program) with the same probe as a program on `hook`.
fn bare_row(hook: Hook) -> Option<&'static str> {
    match hook {
        Hook::ReadEntry => Some("kprobe"),
        Hook::ReadReturn => Some("kretprobe"),
        Hook::LibcReadEntry => Some("uprobe"),
        Hook::LibcReadReturn => Some("uretprobe"),
        Hook::Site(_) => None,
    }
}

/// The per-event cost of `scenario`'s bare probes for `tracer`, summed over its programs.
fn bare_cost(results: &[ScenarioResult], scenario: &str, tracer: Tracer) -> Option<f64> {
    let scenario = ScenarioCatalog.find(scenario)?;
    scenario
        .programs
        .iter()
        .map(|program| {
            let bare = bare_row(program.hook)?;
            let result = results.iter().find(|r| r.name == bare)?;
            result.tracer(tracer)?.per_event_ns
        })
        .sum()
}

fn ratio(numerator: Option<f64>, denominator: Option<f64>) -> Option<f64> {
    match (numerator, denominator) {
        (Some(n), Some(d)) if d.abs() > f64::EPSILON => Some(n / d),
        _ => None,
    }
}

fn is_bare(scenario: &str) -> bool {
    ScenarioCatalog
        .find(scenario)
        .is_some_and(|s| s.is_bare_probe())
}

/// Fills in [`ScenarioResult::tracer_ratio`] for every row both tracers of `pair` measured.
pub fn fill_ratios(results: &mut [ScenarioResult], pair: RatioPair) {
    let ratios: Vec<Option<TracerRatio>> = results
        .iter()
        .map(|r| {
            // The control row measures noise around zero: a ratio of it means nothing.
            if r.is_control() {
                return None;
            }
            let ours = r.tracer(pair.tracer).filter(|t| t.per_event_ns.is_some())?;
            let theirs = r
                .tracer(pair.against)
                .filter(|t| t.per_event_ns.is_some())?;
            Some(tracer_ratio(results, &r.name, [ours, theirs]))
        })
        .collect();
    for (result, ratio) in results.iter_mut().zip(ratios) {
        result.tracer_ratio = ratio;
    }
}

fn tracer_ratio(results: &[ScenarioResult], name: &str, pair: [&TracerResult; 2]) -> TracerRatio {
    let is_control = ScenarioCatalog.find(name).is_some_and(|s| s.is_control());
    let added = |t: &TracerResult| {
        if is_control || is_bare(name) {
            return None;
        }
        Some(t.per_event_ns? - bare_cost(results, name, t.tracer)?)
    };
    let [ours, theirs] = pair;
    let added_ns = [added(ours), added(theirs)];
    TracerRatio {
        tracers: [ours.tracer, theirs.tracer],
        per_event_ratio: ratio(ours.per_event_ns, theirs.per_event_ns),
        added_ns,
        added_ratio: ratio(added_ns[0], added_ns[1]),
        body_ratio: ratio(ours.body_ns, theirs.body_ns),
    }
}
