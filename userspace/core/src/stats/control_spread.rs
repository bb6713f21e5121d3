//! How far the control's floor moved over a suite: the machine's own steadiness, which says
//! why a run's intervals are wide.
//!
//! Nothing is attached during a control run, so its floor moves only with the machine. On the
//! instances probecost is developed on, the floor holds one level through most of a suite on a
//! calm instance and switches between two levels about 20 % apart, for 0.3-2 s at a time, on a
//! restless one (docs/results/2026-12-02-noisy-instance.md). A run that falls wholly inside a
//! slow stretch has no fast batch, so its floor is the slow level, and the rows whose rounds
//! met such runs are wide. Saying so beside the table tells a reader whether to trust a wide
//! row to the probe or to the machine.

use super::{BatchQuantile, RunSummary};

/// Beyond this spread between the 10th and 90th percentiles of the control runs' floors, the
/// machine changed state during the suite. In a calm stretch the control floors stay within a
/// few percent of each other (408-424 ns in three of the five suites of
/// docs/results/2026-12-01-fresh-task.md); a slow stretch lifts them by 5 % to 40 %.
pub const CHANGED_STATE_SPREAD_PCT: f64 = 5.0;

/// The spread of the control runs' floors over a whole suite, ns per operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ControlSpread {
    /// Control runs counted.
    pub runs: usize,
    /// The lowest floor.
    pub lowest: f64,
    /// The 10th percentile of the floors.
    pub p10: f64,
    /// The 90th percentile of the floors.
    pub p90: f64,
}

impl ControlSpread {
    /// The spread of `runs`' floors (`quantile` of each run's batches); `None` without a run.
    pub fn of<'a>(
        runs: impl IntoIterator<Item = &'a RunSummary>,
        quantile: BatchQuantile,
    ) -> Option<Self> {
        let mut floors: Vec<f64> = runs.into_iter().map(|r| r.floor(quantile)).collect();
        if floors.is_empty() {
            return None;
        }
        floors.sort_by(f64::total_cmp);
        let at = |p: f64| floors[((floors.len() - 1) as f64 * p).round() as usize];
        Some(Self {
            runs: floors.len(),
            lowest: floors[0],
            p10: at(0.1),
            p90: at(0.9),
        })
    }

    /// The 90th percentile over the 10th, less one, percent.
    pub fn spread_pct(&self) -> f64 {
        (self.p90 / self.p10 - 1.0) * 100.0
    }

    /// Whether the machine changed state during the suite (see [`CHANGED_STATE_SPREAD_PCT`]).
    pub fn changed_state(&self) -> bool {
        self.spread_pct() > CHANGED_STATE_SPREAD_PCT
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        let range = format!(
            "control floor: {:.1}-{:.1} ns per operation (10th-90th percentile of {} control runs, \
             lowest {:.1})",
            self.p10, self.p90, self.runs, self.lowest
        );
        if self.changed_state() {
            format!(
                "{range}: the machine changed state during the run ({:.0} % apart), so rows whose \
                 rounds met its slow stretches are wider; compare rows within this run, or add \
                 rounds (--target-ci)",
                self.spread_pct()
            )
        } else {
            format!("{range}: steady")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::BatchQuantiles;

    fn run(floor: f64) -> RunSummary {
        RunSummary {
            ops: 1000,
            batches: 100,
            mean_ns_per_op: floor * 1.05,
            batch_ns_per_op: BatchQuantiles {
                min: floor - 1.0,
                p1: floor,
                p5: floor + 1.0,
                p10: floor + 2.0,
                p25: floor + 4.0,
                p50: floor + 10.0,
            },
        }
    }

    #[test]
    fn a_calm_control_is_steady() {
        let runs: Vec<_> = (0..24).map(|i| run(408.0 + (i % 4) as f64)).collect();
        let spread = ControlSpread::of(&runs, BatchQuantile::P1).unwrap();
        assert_eq!((spread.runs, spread.lowest), (24, 408.0));
        assert!(!spread.changed_state(), "{spread:?}");
        assert!(
            spread.describe().ends_with("steady"),
            "{}",
            spread.describe()
        );
    }

    #[test]
    fn two_levels_are_a_change_of_state() {
        // A third of the runs at the fast level, the rest in slow stretches ~18 % above it.
        let runs: Vec<_> = (0..30)
            .map(|i| run(if i % 3 == 0 { 510.0 } else { 605.0 }))
            .collect();
        let spread = ControlSpread::of(&runs, BatchQuantile::P1).unwrap();
        assert_eq!((spread.p10, spread.p90), (510.0, 605.0));
        assert!(spread.changed_state());
        assert!(
            spread.describe().contains("changed state"),
            "{}",
            spread.describe()
        );
    }

    #[test]
    fn no_runs_no_spread() {
        assert_eq!(ControlSpread::of(&[], BatchQuantile::P1), None);
    }
}
