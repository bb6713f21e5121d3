//! How many rounds each scenario gets: a fixed number, or as many as its 95% interval needs to
//! reach a target precision (`--target-ci`), within a time budget if one is given.

use std::time::Duration;

use crate::stats::PerEventCost;

/// How many control/traced rounds each scenario runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RoundPolicy {
    /// Exactly this many rounds.
    Fixed(usize),
    /// Rounds until the interval is narrow enough.
    TargetCi(TargetCi),
}

/// Precision on demand: a row keeps getting rounds until the half-width of its floor's 95%
/// interval is at most `pct` percent of the floor, or `max_rounds` is reached.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TargetCi {
    /// The target half-width, percent of the median.
    pub pct: f64,
    /// Costs below this are held to `pct` of this instead of their own median: a 20 ns probe
    /// within 1 ns would need thousands of rounds on a noisy machine for no useful gain.
    pub floor_ns: f64,
    /// Rounds every row gets before its interval is trusted (a bootstrap of 2 values is not an
    /// interval).
    pub min_rounds: usize,
    /// Rounds after which a row stops whether or not it reached the target.
    pub max_rounds: usize,
    /// Time since the suite started after which no row gets a round beyond its minimum: a
    /// machine in a restless state would otherwise take every row to `max_rounds`.
    pub max_time: Option<Duration>,
}

impl TargetCi {
    /// Whether `cost`'s interval is within the target.
    pub fn reached(&self, cost: &PerEventCost) -> bool {
        cost.floor.half_width_ns() <= self.pct / 100.0 * cost.floor.ns.abs().max(self.floor_ns)
    }
}

impl RoundPolicy {
    /// The rounds every scenario gets at least.
    pub fn min_rounds(&self) -> usize {
        match self {
            Self::Fixed(rounds) => *rounds,
            Self::TargetCi(target) => target.min_rounds,
        }
    }

    /// The precision asked for, if any.
    pub fn target(&self) -> Option<&TargetCi> {
        match self {
            Self::Fixed(_) => None,
            Self::TargetCi(target) => Some(target),
        }
    }

    /// The most rounds any scenario can get.
    pub fn max_rounds(&self) -> usize {
        match self {
            Self::Fixed(rounds) => *rounds,
            Self::TargetCi(target) => target.max_rounds.max(target.min_rounds),
        }
    }

    /// Whether a scenario that has run `rounds` rounds gets no more because the time budget
    /// was spent `elapsed` after the first round. The runner asks between rounds: a round
    /// started within the budget runs for every row, and none starts after it.
    pub fn out_of_time(&self, rounds: usize, elapsed: Duration) -> bool {
        match self {
            Self::Fixed(_) => false,
            Self::TargetCi(target) => {
                rounds >= target.min_rounds && target.max_time.is_some_and(|t| elapsed >= t)
            }
        }
    }

    /// Whether a scenario that has run `rounds` rounds, with these estimates (one per traced
    /// side), needs no more. The control row measures the method's noise around zero, where a
    /// relative precision means nothing: it runs the minimum.
    pub fn finished(
        &self,
        rounds: usize,
        estimates: &[Option<PerEventCost>],
        control: bool,
    ) -> bool {
        match self {
            Self::Fixed(wanted) => rounds >= *wanted,
            Self::TargetCi(target) => {
                if rounds >= self.max_rounds() {
                    return true;
                }
                if rounds < target.min_rounds {
                    return false;
                }
                control
                    || estimates
                        .iter()
                        .all(|e| e.as_ref().is_some_and(|cost| target.reached(cost)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Estimate;

    fn cost(median: f64, low: f64, high: f64) -> Option<PerEventCost> {
        let estimate = Estimate {
            ns: median,
            ci95_ns: [low, high],
        };
        Some(PerEventCost {
            floor: estimate,
            typical: estimate,
            slowdown_pct: 0.0,
            bursty: false,
        })
    }

    const TARGET: TargetCi = TargetCi {
        pct: 5.0,
        floor_ns: 100.0,
        min_rounds: 5,
        max_rounds: 30,
        max_time: None,
    };

    #[test]
    fn fixed_stops_at_its_count() {
        let policy = RoundPolicy::Fixed(7);
        assert!(!policy.finished(6, &[None], false));
        assert!(policy.finished(7, &[None], false));
    }

    #[test]
    fn target_needs_the_minimum_and_every_tracer_within_it() {
        let policy = RoundPolicy::TargetCi(TARGET);
        let narrow = cost(300.0, 290.0, 310.0); // ±3.3 %
        let wide = cost(300.0, 270.0, 330.0); // ±10 %
        assert!(!policy.finished(4, std::slice::from_ref(&narrow), false));
        assert!(policy.finished(5, std::slice::from_ref(&narrow), false));
        assert!(!policy.finished(5, &[narrow, wide.clone()], false));
        assert!(policy.finished(30, &[wide], false));
    }

    #[test]
    fn small_costs_are_held_to_the_floor() {
        let policy = RoundPolicy::TargetCi(TARGET);
        // 40 ns ± 4 ns is ±10 % of itself but within 5 % of the 100 ns floor.
        assert!(policy.finished(5, &[cost(40.0, 36.0, 44.0)], false));
        assert!(!policy.finished(5, &[cost(40.0, 30.0, 50.0)], false));
    }

    #[test]
    fn a_spent_budget_stops_rows_after_their_minimum() {
        let policy = RoundPolicy::TargetCi(TargetCi {
            max_time: Some(Duration::from_secs(60)),
            ..TARGET
        });
        let (before, after) = (Duration::from_secs(59), Duration::from_secs(60));
        assert!(!policy.out_of_time(5, before));
        assert!(policy.out_of_time(5, after));
        assert!(!policy.out_of_time(4, after), "the minimum comes first");
        assert!(!RoundPolicy::TargetCi(TARGET).out_of_time(5, after * 100));
        assert!(!RoundPolicy::Fixed(7).out_of_time(7, after));
    }

    #[test]
    fn control_row_runs_the_minimum() {
        let policy = RoundPolicy::TargetCi(TARGET);
        assert!(!policy.finished(4, &[cost(0.0, -60.0, 50.0)], true));
        assert!(policy.finished(5, &[cost(0.0, -60.0, 50.0)], true));
    }
}
