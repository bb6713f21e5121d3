//! Turning interleaved control and traced runs into a per-event cost with its uncertainty:
//! what a run keeps ([`RunSummary`]), the [`Estimator`], the bootstrap under it, and how far
//! the control moved over a suite ([`ControlSpread`]).

mod bootstrap;
mod control_spread;
mod estimator;
mod run_summary;
mod small_sample;

pub use bootstrap::{bootstrap_median_ci95, bootstrap_rounds_ci95, percentile_ci95, SplitMix64};
pub use control_spread::{ControlSpread, CHANGED_STATE_SPREAD_PCT};
pub use estimator::{
    Estimate, Estimator, FloorOverRounds, PerEventCost, RoundsInterval, DEFAULT_FLOOR_QUANTILE,
};
pub use run_summary::{BatchQuantile, BatchQuantiles, RunSummary};
pub use small_sample::{t_widening, widen};

/// Smallest value (NaN-free input).
pub fn min(values: &[f64]) -> f64 {
    values.iter().copied().fold(f64::INFINITY, f64::min)
}

/// Arithmetic mean; NaN for no values.
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
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
    fn median_even_and_odd() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
