//! Turning interleaved control and traced runs into a per-event cost with its uncertainty.

mod bootstrap;

pub use bootstrap::{bootstrap_median_ci95, bootstrap_median_difference_ci95, SplitMix64};

use serde::Serialize;

/// One run's mean cost of a workload operation, in nanoseconds.
pub type NsPerOp = f64;

/// The cost a probe adds to each traced event, estimated from paired runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PerEventCost {
    /// (fastest traced run - fastest control run) / events per op: the talk's estimate
    /// ("principle of least perturbation").
    pub min_based_ns: f64,
    /// Median over the run pairs of (traced - control) / events per op.
    pub median_ns: f64,
    /// 95% bootstrap confidence interval of the median estimate.
    pub ci95_ns: [f64; 2],
    /// (fastest traced - fastest control) / fastest control, in percent.
    pub slowdown_pct: f64,
    /// Fastest control run, ns per op.
    pub control_min_ns_per_op: f64,
    /// Fastest traced run, ns per op.
    pub traced_min_ns_per_op: f64,
}

/// Estimates the per-event cost from `control[i]` and `traced[i]`, run `i` of each
/// interleaved on the same CPU. Returns `None` without at least one pair.
pub fn per_event_cost(
    control: &[NsPerOp],
    traced: &[NsPerOp],
    events_per_op: f64,
    seed: u64,
) -> Option<PerEventCost> {
    let pairs = control.len().min(traced.len());
    if pairs == 0 || events_per_op <= 0.0 {
        return None;
    }
    let control = &control[..pairs];
    let traced = &traced[..pairs];
    let control_min = min(control);
    let traced_min = min(traced);
    let differences: Vec<f64> = traced
        .iter()
        .zip(control)
        .map(|(t, c)| (t - c) / events_per_op)
        .collect();
    let mut rng = SplitMix64::new(seed);
    Some(PerEventCost {
        min_based_ns: (traced_min - control_min) / events_per_op,
        median_ns: median(&differences),
        ci95_ns: bootstrap_median_ci95(&differences, 10_000, &mut rng),
        slowdown_pct: (traced_min - control_min) / control_min * 100.0,
        control_min_ns_per_op: control_min,
        traced_min_ns_per_op: traced_min,
    })
}

/// Smallest value (NaN-free input).
pub fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

/// Median (mean of the middle two for an even count); NaN for no values.
pub fn median(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_based_estimate_uses_fastest_runs() {
        let control = [300.0, 290.0, 310.0];
        let traced = [460.0, 450.0, 440.0];
        let cost = per_event_cost(&control, &traced, 1.0, 1).unwrap();
        assert_eq!(cost.min_based_ns, 150.0);
        assert_eq!(cost.control_min_ns_per_op, 290.0);
        assert!((cost.slowdown_pct - 150.0 / 290.0 * 100.0).abs() < 1e-9);
    }

    #[test]
    fn per_event_division() {
        // Two events per operation halve the per-event cost.
        let cost = per_event_cost(&[100.0], &[300.0], 2.0, 1).unwrap();
        assert_eq!(cost.min_based_ns, 100.0);
        assert_eq!(cost.median_ns, 100.0);
    }

    #[test]
    fn median_is_of_paired_differences() {
        let control = [100.0, 200.0, 100.0];
        let traced = [150.0, 260.0, 170.0];
        let cost = per_event_cost(&control, &traced, 1.0, 1).unwrap();
        assert_eq!(cost.median_ns, 60.0);
        assert!(cost.ci95_ns[0] <= 60.0 && 60.0 <= cost.ci95_ns[1]);
    }

    #[test]
    fn no_pairs_no_estimate() {
        assert!(per_event_cost(&[], &[1.0], 1.0, 1).is_none());
    }

    #[test]
    fn median_even_and_odd() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
