//! What one timed run keeps for the estimator: its mean cost per operation and the low
//! quantiles of its batches' costs.

use serde::{Deserialize, Serialize};

use crate::histogram::OpCostHistogram;

/// A low quantile of a run's batch costs, the candidates for the run's floor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchQuantile {
    /// The fastest batch.
    Min,
    /// 1st percentile.
    P1,
    /// 5th percentile.
    P5,
    /// 10th percentile.
    P10,
    /// 25th percentile.
    P25,
}

impl BatchQuantile {
    /// Every candidate, lowest first.
    pub const ALL: [Self; 5] = [Self::Min, Self::P1, Self::P5, Self::P10, Self::P25];

    /// The quantile, 0..1.
    pub fn fraction(self) -> f64 {
        match self {
            Self::Min => 0.0,
            Self::P1 => 0.01,
            Self::P5 => 0.05,
            Self::P10 => 0.10,
            Self::P25 => 0.25,
        }
    }

    /// Its name in reports: `min`, `p1`, `p5`, ...
    pub fn name(self) -> &'static str {
        match self {
            Self::Min => "min",
            Self::P1 => "p1",
            Self::P5 => "p5",
            Self::P10 => "p10",
            Self::P25 => "p25",
        }
    }
}

impl std::str::FromStr for BatchQuantile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|q| q.name() == s)
            .ok_or_else(|| format!("`{s}` is not one of min, p1, p5, p10, p25"))
    }
}

/// The low quantiles of one run's batch costs, ns per operation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchQuantiles {
    /// The fastest batch.
    pub min: f64,
    /// 1st percentile.
    pub p1: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 10th percentile.
    pub p10: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
}

impl BatchQuantiles {
    /// The value at `quantile`.
    pub fn at(&self, quantile: BatchQuantile) -> f64 {
        match quantile {
            BatchQuantile::Min => self.min,
            BatchQuantile::P1 => self.p1,
            BatchQuantile::P5 => self.p5,
            BatchQuantile::P10 => self.p10,
            BatchQuantile::P25 => self.p25,
        }
    }
}

/// One timed run, as the estimator sees it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Operations performed.
    pub ops: u64,
    /// Batches timed (executions, for workloads that time whole processes).
    pub batches: u64,
    /// Wall time of the whole run / operations: the typical cost, bursts included.
    pub mean_ns_per_op: f64,
    /// Low quantiles of the batches' costs per operation: the floor candidates.
    pub batch_ns_per_op: BatchQuantiles,
}

impl RunSummary {
    /// The summary of a run of `ops` operations that took `elapsed_ns`, whose batches are in
    /// `histogram`.
    pub fn new(ops: u64, elapsed_ns: f64, histogram: &OpCostHistogram) -> Self {
        let mean_ns_per_op = elapsed_ns / ops.max(1) as f64;
        let at = |q: f64| {
            if histogram.is_empty() {
                mean_ns_per_op
            } else {
                histogram.quantile_ns(q)
            }
        };
        let floor = |q: BatchQuantile| at(q.fraction());
        Self {
            ops,
            batches: histogram.len(),
            mean_ns_per_op,
            batch_ns_per_op: BatchQuantiles {
                min: floor(BatchQuantile::Min),
                p1: floor(BatchQuantile::P1),
                p5: floor(BatchQuantile::P5),
                p10: floor(BatchQuantile::P10),
                p25: floor(BatchQuantile::P25),
                p50: at(0.50),
            },
        }
    }

    /// The run's floor at `quantile`.
    pub fn floor(&self, quantile: BatchQuantile) -> f64 {
        self.batch_ns_per_op.at(quantile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_come_from_the_batches() {
        let mut histogram = OpCostHistogram::default();
        for i in 0..100 {
            histogram.record_ns(300.0 + i as f64);
        }
        let run = RunSummary::new(100_000, 40_000_000.0, &histogram);
        assert_eq!(run.mean_ns_per_op, 400.0);
        assert_eq!(run.batches, 100);
        assert!((run.floor(BatchQuantile::Min) - 300.0).abs() < 0.5);
        assert!((run.floor(BatchQuantile::P5) - 304.0).abs() < 1.0);
        assert!((run.batch_ns_per_op.p50 - 349.5).abs() < 1.0);
    }

    #[test]
    fn names_round_trip() {
        for q in BatchQuantile::ALL {
            assert_eq!(q.name().parse::<BatchQuantile>(), Ok(q));
        }
        assert!("p7".parse::<BatchQuantile>().is_err());
    }
}
