//! The one place where timed runs become a per-event cost with its uncertainty.
//!
//! Every measured side (a control run, a traced run) is a [`RunSummary`]: the run's mean cost
//! per operation and the low quantiles of its batches. The machines probecost runs on are
//! noisy in one direction only (a fast state, slow stretches from milliseconds to whole
//! seconds, drift between runs): delays only add, so the *floor* is the stable quantity, and
//! the mean is what a loaded machine pays, bursts included. The [`Estimator`] gives both:
//!
//! * **floor** (the headline): a run's floor is a low quantile of its ~200 µs batch costs, so
//!   the slow stretches within a run drop out. Whole runs still fall in slow stretches (they
//!   last up to seconds, longer than a run), and a probe costs more there too, so each side's
//!   floor over its rounds is the mean of the runs that met the machine's fast state
//!   ([`FloorOverRounds::FastStateMean`]); the per-event cost is the traced side's minus the
//!   control side's, per event, and its 95% interval a bootstrap over whole rounds (never
//!   over batches within a run);
//! * **typical**: the median over rounds of (traced run's mean - control run's mean) / events
//!   per operation, with its bootstrap interval over rounds.
//!
//! Both intervals are widened for few rounds ([`RoundsInterval::TWidened`]).
//!
//! docs/methodology.md ("The estimator") gives the measurements the choice was made by.

use serde::{Deserialize, Serialize};

use super::{
    bootstrap_median_ci95, bootstrap_rounds_ci95, mean, median, t_widening, widen, BatchQuantile,
    RunSummary, SplitMix64,
};

/// Resamples of each bootstrap.
const RESAMPLES: usize = 4000;

/// The batch quantile that is a run's floor unless asked otherwise.
pub const DEFAULT_FLOOR_QUANTILE: BatchQuantile = BatchQuantile::P1;

/// How far above the fast state's anchor a run's floor may lie and still count as a run in
/// the fast state: the fast state's own spread between runs on this machine kind (5-8 %),
/// below the gap to the slow state (15-20 %).
const FAST_STATE_WINDOW: f64 = 0.08;

/// How many runs may lie below the fast state's anchor: the anchor is the second-lowest run,
/// so one unusually fast run cannot define the state alone.
const FAST_STATE_ANCHOR: usize = 1;

/// How a side's run floors over its rounds become one figure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FloorOverRounds {
    /// The median over rounds of (traced run's floor - control run's floor): the estimator of
    /// the reports written before `fast-state`, which lack this field.
    #[default]
    PairedMedian,
    /// For each side, the median floor of the runs that met the machine's fast state (within
    /// 8 % of the side's second-lowest run floor); the traced side's minus the control's: the
    /// estimator of the reports written before `fast-state-mean`.
    FastState,
    /// For each side, the mean floor of the runs that met the machine's fast state; the
    /// traced side's minus the control's. The window already leaves the slow runs out, so the
    /// mean of the rest is as robust as their median and less noisy.
    FastStateMean,
}

impl FloorOverRounds {
    /// Its name in reports and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::PairedMedian => "paired-median",
            Self::FastState => "fast-state",
            Self::FastStateMean => "fast-state-mean",
        }
    }
}

/// How the 95% intervals over rounds are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundsInterval {
    /// The percentile bootstrap as it comes: the reports written before `t-widened`, which
    /// lack this field.
    #[default]
    Percentile,
    /// The percentile bootstrap scaled about its point by t(0.975, rounds - 1) / z(0.975)
    /// (see `small_sample.rs`), so that few rounds do not give too narrow an interval.
    TWidened,
}

impl RoundsInterval {
    /// Its name in reports and messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Percentile => "percentile",
            Self::TWidened => "t-widened",
        }
    }
}

/// How a report's per-event costs were estimated; reports made differently are not compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estimator {
    /// The batch quantile taken as each run's floor.
    pub floor_quantile: BatchQuantile,
    /// How each side's run floors over its rounds become one figure.
    #[serde(default)]
    pub over_rounds: FloorOverRounds,
    /// How the intervals over rounds are drawn.
    #[serde(default)]
    pub interval: RoundsInterval,
}

impl Default for Estimator {
    fn default() -> Self {
        Self {
            floor_quantile: DEFAULT_FLOOR_QUANTILE,
            over_rounds: FloorOverRounds::FastStateMean,
            interval: RoundsInterval::TWidened,
        }
    }
}

impl std::fmt::Display for Estimator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the {} floor over {} rounds ({} intervals)",
            self.floor_quantile.name(),
            self.over_rounds.name(),
            self.interval.name()
        )
    }
}

/// A point estimate and its 95% interval, ns per event.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// The point estimate.
    pub ns: f64,
    /// 95% bootstrap interval over rounds.
    pub ci95_ns: [f64; 2],
}

impl Estimate {
    /// Half the interval's width, ns.
    pub fn half_width_ns(&self) -> f64 {
        (self.ci95_ns[1] - self.ci95_ns[0]) / 2.0
    }

    /// Half the interval's width, percent of the point (`None` at zero).
    pub fn half_width_pct(&self) -> Option<f64> {
        (self.ns.abs() > f64::EPSILON).then(|| self.half_width_ns() / self.ns.abs() * 100.0)
    }
}

/// The cost a probe adds to each traced event.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PerEventCost {
    /// From the runs' floors: the headline.
    pub floor: Estimate,
    /// From the runs' means: what a loaded machine pays, bursts included.
    pub typical: Estimate,
    /// The traced side's floor over the control side's, percent.
    pub slowdown_pct: f64,
    /// Whether the typical cost exceeds the floor by more than the control's own
    /// typical-over-floor gap and the two intervals' noise: the probe's cost comes in
    /// bursts (a ring buffer's drain, output, wake-ups) that the floor leaves out.
    pub bursty: bool,
}

/// The run floors in the machine's fast state: those within [`FAST_STATE_WINDOW`] of the
/// anchor, the second-lowest floor.
fn fast_state_runs(floors: &[f64]) -> Vec<f64> {
    let mut sorted = floors.to_vec();
    sorted.sort_by(f64::total_cmp);
    let Some(&anchor) = sorted.get(FAST_STATE_ANCHOR.min(sorted.len().saturating_sub(1))) else {
        return sorted;
    };
    sorted.retain(|f| *f <= anchor * (1.0 + FAST_STATE_WINDOW));
    sorted
}

impl Estimator {
    /// Each round's typical cost: (traced run's mean - control run's mean) / events per
    /// operation, for rounds with both sides.
    pub fn typical_round_costs(
        &self,
        control: &[RunSummary],
        traced: &[RunSummary],
        events_per_op: f64,
    ) -> Vec<f64> {
        let events = events_per_op.max(f64::EPSILON);
        control
            .iter()
            .zip(traced)
            .map(|(c, t)| (t.mean_ns_per_op - c.mean_ns_per_op) / events)
            .collect()
    }

    /// Each run's floor, ns per operation.
    pub fn floors(&self, runs: &[RunSummary]) -> Vec<f64> {
        runs.iter().map(|r| r.floor(self.floor_quantile)).collect()
    }

    /// The per-event floor cost of paired rounds, from each round's control and traced run
    /// floors (`control[i]` and `traced[i]` one round), ns per operation.
    pub fn floor_cost(&self, control: &[f64], traced: &[f64], events_per_op: f64) -> f64 {
        let events = events_per_op.max(f64::EPSILON);
        match self.over_rounds {
            FloorOverRounds::PairedMedian => {
                let costs: Vec<f64> = control.iter().zip(traced).map(|(c, t)| t - c).collect();
                median(&costs) / events
            }
            FloorOverRounds::FastState | FloorOverRounds::FastStateMean => {
                self.floor_cost_and_control_floor(control, traced, events_per_op)
                    .0
            }
        }
    }

    /// [`Self::floor_cost`] and, beside it, the control side's floor ([`Self::side_floor`]):
    /// the machine's speed while the rounds ran. Each side's floor is taken once.
    pub fn floor_cost_and_control_floor(
        &self,
        control: &[f64],
        traced: &[f64],
        events_per_op: f64,
    ) -> (f64, f64) {
        match self.over_rounds {
            FloorOverRounds::PairedMedian => (
                self.floor_cost(control, traced, events_per_op),
                self.side_floor(control),
            ),
            FloorOverRounds::FastState | FloorOverRounds::FastStateMean => {
                let control_floor = self.side_floor(control);
                let events = events_per_op.max(f64::EPSILON);
                (
                    (self.side_floor(traced) - control_floor) / events,
                    control_floor,
                )
            }
        }
    }

    /// One side's floor over its rounds (a control side's is the machine's speed at the
    /// time), ns per operation.
    pub fn side_floor(&self, floors: &[f64]) -> f64 {
        match self.over_rounds {
            FloorOverRounds::PairedMedian => median(floors),
            FloorOverRounds::FastState => median(&fast_state_runs(floors)),
            FloorOverRounds::FastStateMean => mean(&fast_state_runs(floors)),
        }
    }

    /// How the floor is taken, in words, for the notes under a report's tables.
    pub fn floor_in_words(&self) -> String {
        let quantile = self.floor_quantile.name();
        match self.over_rounds {
            FloorOverRounds::FastState | FloorOverRounds::FastStateMean => format!(
                "(traced side's floor - control side's) per event, a side's floor being the \
                 {statistic} of its runs in the machine's fast state (within {window:.0} % of its \
                 second-lowest run) and a run's floor the {quantile} of its ~200 µs batch costs",
                statistic = if self.over_rounds == FloorOverRounds::FastState {
                    "median"
                } else {
                    "mean"
                },
                window = FAST_STATE_WINDOW * 100.0
            ),
            FloorOverRounds::PairedMedian => format!(
                "the median over rounds of (traced run's {quantile} batch cost - control run's) \
                 per event"
            ),
        }
    }

    /// How its intervals are drawn, in words.
    pub fn interval_in_words(&self) -> &'static str {
        match self.interval {
            RoundsInterval::TWidened => {
                "95% bootstrap interval over rounds, widened by t(0.975, rounds - 1) / 1.96 for \
                 few rounds"
            }
            RoundsInterval::Percentile => "95% bootstrap interval over rounds",
        }
    }

    /// A bootstrap `interval` of `point` from `rounds` rounds, as [`Self::interval`] draws it.
    pub fn interval_over(&self, point: f64, interval: [f64; 2], rounds: usize) -> [f64; 2] {
        match self.interval {
            RoundsInterval::Percentile => interval,
            RoundsInterval::TWidened => widen(point, interval, t_widening(rounds)),
        }
    }

    /// The median of `costs` (one per round) and its bootstrap interval over rounds.
    fn median_estimate(&self, costs: &[f64], rng: &mut SplitMix64) -> Estimate {
        let ns = median(costs);
        let interval = bootstrap_median_ci95(costs, RESAMPLES, rng);
        Estimate {
            ns,
            ci95_ns: self.interval_over(ns, interval, costs.len()),
        }
    }

    /// [`Self::floor_cost`] and its 95% bootstrap interval over whole rounds.
    pub fn floor_estimate(
        &self,
        control: &[f64],
        traced: &[f64],
        events_per_op: f64,
        rng: &mut SplitMix64,
    ) -> Estimate {
        let rounds = control.len().min(traced.len());
        let (control, traced) = (&control[..rounds], &traced[..rounds]);
        let (mut c, mut t) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
        let ns = self.floor_cost(control, traced, events_per_op);
        let interval = bootstrap_rounds_ci95(rounds, RESAMPLES, rng, |picks| {
            c.clear();
            t.clear();
            c.extend(picks.iter().map(|&i| control[i]));
            t.extend(picks.iter().map(|&i| traced[i]));
            self.floor_cost(&c, &t, events_per_op)
        });
        Estimate {
            ns,
            ci95_ns: self.interval_over(ns, interval, rounds),
        }
    }

    /// The per-event cost from rounds of paired runs (`control[i]` and `traced[i]` interleaved
    /// on one CPU); `None` without a pair.
    pub fn per_event_cost(
        &self,
        control: &[RunSummary],
        traced: &[RunSummary],
        events_per_op: f64,
        seed: u64,
    ) -> Option<PerEventCost> {
        let pairs = control.len().min(traced.len());
        if pairs == 0 || events_per_op <= 0.0 {
            return None;
        }
        let (control, traced) = (&control[..pairs], &traced[..pairs]);
        let mut rng = SplitMix64::new(seed);
        let (control_floors, traced_floors) = (self.floors(control), self.floors(traced));
        let floor = self.floor_estimate(&control_floors, &traced_floors, events_per_op, &mut rng);
        let typical = self.median_estimate(
            &self.typical_round_costs(control, traced, events_per_op),
            &mut rng,
        );
        let control_ratios: Vec<f64> = control
            .iter()
            .map(|r| r.mean_ns_per_op / r.floor(self.floor_quantile) - 1.0)
            .collect();
        let control_gaps: Vec<f64> = control
            .iter()
            .map(|r| r.mean_ns_per_op - r.floor(self.floor_quantile))
            .collect();
        // A probe that only makes each operation longer stretches the mean over the floor by
        // the control's own ratio, or, since a probe costs more in the machine's slow
        // stretches, by up to about the control's own gap per operation: the bare probes
        // (empty programs, never bursty) sit there on this machine kind. A burstier one goes
        // beyond both and beyond the noise.
        let expected_gap = (floor.ns.max(0.0) * median(&control_ratios).max(0.0))
            .max(median(&control_gaps).max(0.0) / events_per_op);
        let noise = floor.half_width_ns() + typical.half_width_ns();
        let (control_side, traced_side) = (
            self.side_floor(&control_floors),
            self.side_floor(&traced_floors),
        );
        Some(PerEventCost {
            slowdown_pct: (traced_side - control_side) / control_side * 100.0,
            bursty: typical.ns - floor.ns > expected_gap + noise,
            floor,
            typical,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::BatchQuantiles;

    fn run(mean: f64, floor: f64) -> RunSummary {
        RunSummary {
            ops: 1000,
            batches: 100,
            mean_ns_per_op: mean,
            batch_ns_per_op: BatchQuantiles {
                min: floor - 2.0,
                p1: floor - 1.0,
                p5: floor,
                p10: floor + 1.0,
                p25: floor + 3.0,
                p50: floor + 10.0,
            },
        }
    }

    #[test]
    fn floor_ignores_slow_stretches_that_the_mean_keeps() {
        // The control drifts between 300 and 380 ns mean; every run's floor stays at 280.
        let control: Vec<_> = [300.0, 380.0, 320.0, 360.0, 310.0]
            .iter()
            .map(|&m| run(m, 280.0))
            .collect();
        let traced: Vec<_> = [420.0, 360.0, 450.0, 370.0, 430.0]
            .iter()
            .map(|&m| run(m, 346.0))
            .collect();
        let cost = Estimator::default()
            .per_event_cost(&control, &traced, 1.0, 1)
            .unwrap();
        assert_eq!(cost.floor.ns, 66.0);
        assert_eq!(cost.floor.ci95_ns, [66.0, 66.0]);
        assert!(cost.typical.ns > 66.0);
        assert!(cost.typical.half_width_ns() > 20.0, "{cost:?}");
        assert!((cost.slowdown_pct - 66.0 / 279.0 * 100.0).abs() < 1e-9);
    }

    #[test]
    fn events_per_op_divides_and_quantile_is_chosen() {
        let control = [run(300.0, 280.0)];
        let traced = [run(500.0, 480.0)];
        let p5 = Estimator::default()
            .per_event_cost(&control, &traced, 2.0, 1)
            .unwrap();
        assert_eq!(p5.floor.ns, 100.0);
        assert_eq!(p5.typical.ns, 100.0);
        let estimator = Estimator {
            floor_quantile: BatchQuantile::P25,
            ..Estimator::default()
        };
        let floors = |runs: &[RunSummary]| estimator.floors(runs);
        assert_eq!(floors(&control), vec![283.0]);
        assert_eq!(
            estimator.floor_cost(&floors(&control), &floors(&traced), 1.0),
            200.0
        );
    }

    #[test]
    fn bursty_when_the_mean_grows_beyond_the_controls_gap() {
        let control: Vec<_> = (0..7).map(|i| run(300.0 + i as f64, 280.0)).collect();
        let steady: Vec<_> = (0..7).map(|i| run(370.0 + i as f64, 346.0)).collect();
        let bursty: Vec<_> = (0..7).map(|i| run(900.0 + i as f64, 346.0)).collect();
        let estimator = Estimator::default();
        assert!(
            !estimator
                .per_event_cost(&control, &steady, 1.0, 1)
                .unwrap()
                .bursty
        );
        assert!(
            estimator
                .per_event_cost(&control, &bursty, 1.0, 1)
                .unwrap()
                .bursty
        );
    }

    #[test]
    fn a_probe_that_costs_more_in_slow_stretches_is_not_bursty() {
        // The control's mean is 6 ns over its floor (2.5 %); the probe's typical cost exceeds
        // its 107 ns floor by 5 ns, more than 2.5 % of it but less than the control's gap.
        let control: Vec<_> = (0..7).map(|_| run(244.0, 239.0)).collect();
        let bare: Vec<_> = (0..7).map(|_| run(356.0, 346.0)).collect();
        let cost = Estimator::default()
            .per_event_cost(&control, &bare, 1.0, 1)
            .unwrap();
        assert_eq!((cost.floor.ns, cost.typical.ns), (107.0, 112.0));
        assert!(!cost.bursty, "{cost:?}");
    }

    #[test]
    fn paired_median_is_the_median_of_the_rounds() {
        // One round whose control run fell in a slow stretch (floor 320) does not move it.
        let control = [run(300.0, 280.0), run(340.0, 320.0), run(300.0, 281.0)];
        let traced = [run(400.0, 346.0), run(360.0, 347.0), run(380.0, 347.0)];
        let estimator = Estimator {
            floor_quantile: BatchQuantile::P5,
            over_rounds: FloorOverRounds::PairedMedian,
            interval: RoundsInterval::Percentile,
        };
        // The rounds' differences of p5 floors are 66, 27 and 66.
        let cost = estimator.per_event_cost(&control, &traced, 1.0, 1).unwrap();
        assert_eq!(cost.floor.ns, 66.0);
        assert!(
            cost.floor.ci95_ns[0] <= 66.0 && cost.floor.ci95_ns[1] >= 66.0,
            "{cost:?}"
        );
    }

    #[test]
    fn the_fast_state_leaves_out_runs_in_a_slow_state() {
        // Five of eight runs met a slow state 18 % up, where the probe costs 18 % more too;
        // one run is unusually fast.
        assert_eq!(
            fast_state_runs(&[590.0, 505.0, 600.0, 510.0, 500.0, 595.0]),
            [500.0, 505.0, 510.0]
        );
        assert_eq!(
            fast_state_runs(&[450.0, 505.0, 600.0, 510.0, 500.0]),
            [450.0, 500.0, 505.0, 510.0]
        );
        assert!(fast_state_runs(&[]).is_empty());
        let control: Vec<_> = [590.0, 600.0, 500.0, 595.0, 505.0, 605.0, 510.0, 598.0]
            .iter()
            .map(|&f| run(f + 40.0, f + 1.0))
            .collect();
        // Traced runs: 300 ns more in the fast state, 354 in the slow one, in other rounds.
        let traced: Vec<_> = [805.0, 948.0, 952.0, 800.0, 954.0, 810.0, 950.0, 956.0]
            .iter()
            .map(|&f| run(f + 60.0, f + 1.0))
            .collect();
        for over_rounds in [FloorOverRounds::FastState, FloorOverRounds::FastStateMean] {
            let estimator = Estimator {
                over_rounds,
                ..Estimator::default()
            };
            let cost = estimator.per_event_cost(&control, &traced, 1.0, 1).unwrap();
            assert_eq!(cost.floor.ns, 300.0, "{over_rounds:?}");
            assert!(
                cost.floor.ci95_ns[0] <= 300.0 && cost.floor.ci95_ns[1] >= 300.0,
                "{cost:?}"
            );
            assert!((cost.slowdown_pct - 300.0 / 505.0 * 100.0).abs() < 1e-9);
        }
    }

    #[test]
    fn the_fast_state_mean_weighs_every_fast_run_and_the_median_the_middle_one() {
        let estimator = |over_rounds| Estimator {
            over_rounds,
            ..Estimator::default()
        };
        // Four fast runs, one at the top of the window; one slow run left out by both.
        let floors = [500.0, 502.0, 504.0, 530.0, 600.0];
        assert_eq!(
            estimator(FloorOverRounds::FastState).side_floor(&floors),
            503.0
        );
        assert_eq!(
            estimator(FloorOverRounds::FastStateMean).side_floor(&floors),
            509.0
        );
    }

    #[test]
    fn estimators_name_themselves() {
        assert_eq!(
            Estimator::default().to_string(),
            "the p1 floor over fast-state-mean rounds (t-widened intervals)"
        );
    }

    #[test]
    fn few_rounds_get_a_wider_interval() {
        let control: Vec<_> = [500.0, 503.0, 507.0, 501.0, 505.0]
            .iter()
            .map(|&f| run(f + 40.0, f + 1.0))
            .collect();
        let traced: Vec<_> = [800.0, 809.0, 802.0, 806.0, 804.0]
            .iter()
            .map(|&f| run(f + 60.0, f + 1.0))
            .collect();
        let percentile = Estimator {
            interval: RoundsInterval::Percentile,
            ..Estimator::default()
        };
        let plain = percentile
            .per_event_cost(&control, &traced, 1.0, 7)
            .unwrap();
        let widened = Estimator::default()
            .per_event_cost(&control, &traced, 1.0, 7)
            .unwrap();
        assert_eq!(plain.floor.ns, widened.floor.ns);
        let ratio = widened.floor.half_width_ns() / plain.floor.half_width_ns();
        assert!((ratio - t_widening(5)).abs() < 1e-9, "{ratio}");
        let ratio = widened.typical.half_width_ns() / plain.typical.half_width_ns();
        assert!((ratio - t_widening(5)).abs() < 1e-9, "{ratio}");
    }

    #[test]
    fn no_pairs_no_estimate() {
        assert!(Estimator::default()
            .per_event_cost(&[], &[run(1.0, 1.0)], 1.0, 1)
            .is_none());
    }
}
