//! probecost's programs against bpftrace's on the same attach points: per-event ratio, and the
//! cost each adds over its own bare probe, which is what the program body is responsible for.

use crate::{
    result::{Comparison, ScenarioResult, TracerResult},
    scenario::{Hook, ScenarioCatalog},
    tracer::Tracer,
};

const PROBECOST: Tracer = Tracer::Aya;
const BPFTRACE: Tracer = Tracer::Bpftrace;

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

/// Fills in [`ScenarioResult::comparison`] for every row both tracers measured.
pub fn compare(results: &mut [ScenarioResult]) {
    let comparisons: Vec<Option<Comparison>> = results
        .iter()
        .map(|r| {
            // The control row measures noise around zero: a ratio of it means nothing.
            if r.is_control() {
                return None;
            }
            let ours = r.tracer(PROBECOST).filter(|t| t.per_event_ns.is_some())?;
            let theirs = r.tracer(BPFTRACE).filter(|t| t.per_event_ns.is_some())?;
            Some(comparison(results, r.name, ours, theirs))
        })
        .collect();
    for (result, comparison) in results.iter_mut().zip(comparisons) {
        result.comparison = comparison;
    }
}

fn comparison(
    results: &[ScenarioResult],
    name: &str,
    ours: &TracerResult,
    theirs: &TracerResult,
) -> Comparison {
    let is_control = ScenarioCatalog.find(name).is_some_and(|s| s.is_control());
    let added = |t: &TracerResult, tracer: Tracer| {
        if is_control || is_bare(name) {
            return None;
        }
        Some(t.per_event_ns? - bare_cost(results, name, tracer)?)
    };
    let probecost_added_ns = added(ours, PROBECOST);
    let bpftrace_added_ns = added(theirs, BPFTRACE);
    Comparison {
        per_event_ratio: ratio(ours.per_event_ns, theirs.per_event_ns),
        probecost_added_ns,
        bpftrace_added_ns,
        added_ratio: ratio(probecost_added_ns, bpftrace_added_ns),
        body_ratio: ratio(ours.body_ns, theirs.body_ns),
    }
}
