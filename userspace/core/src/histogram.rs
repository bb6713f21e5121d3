//! HDR histograms of per-operation cost. Each batch of operations records its mean cost per
//! operation, in picoseconds so sub-nanosecond differences survive the integer histogram.

use hdrhistogram::Histogram;
use serde::Serialize;

const PICOS_PER_NANO: f64 = 1000.0;

/// Per-operation costs of the batches of one or more runs.
#[derive(Clone, Debug)]
pub struct OpCostHistogram(Histogram<u64>);

impl Default for OpCostHistogram {
    fn default() -> Self {
        // Three significant digits, auto-resizing: a uprobe run reaches tens of microseconds.
        Self(Histogram::new(3).expect("3 significant digits is a valid HDR precision"))
    }
}

impl OpCostHistogram {
    /// Records one batch's mean cost per operation.
    pub fn record_ns(&mut self, ns_per_op: f64) {
        let picos = (ns_per_op * PICOS_PER_NANO).round().max(1.0) as u64;
        self.0
            .record(picos)
            .expect("auto-resizing histogram accepts any u64");
    }

    /// The recorded values: (picoseconds per operation, batches), ascending.
    pub fn recorded_picos(&self) -> Vec<(u64, u64)> {
        self.0
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect()
    }

    /// Records `batches` batches of `picos` picoseconds per operation.
    pub fn record_picos(&mut self, picos: u64, batches: u64) {
        self.0
            .record_n(picos.max(1), batches)
            .expect("auto-resizing histogram accepts any u64");
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Self) {
        self.0
            .add(&other.0)
            .expect("auto-resizing histograms always merge");
    }

    /// Number of batches recorded.
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value at quantile `q` (0..=1), in nanoseconds.
    pub fn quantile_ns(&self, q: f64) -> f64 {
        self.0.value_at_quantile(q) as f64 / PICOS_PER_NANO
    }

    /// The percentiles reports show.
    pub fn percentiles(&self) -> Percentiles {
        Percentiles {
            p50: self.quantile_ns(0.50),
            p90: self.quantile_ns(0.90),
            p99: self.quantile_ns(0.99),
            p99_9: self.quantile_ns(0.999),
        }
    }
}

/// Per-operation cost percentiles, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    #[serde(rename = "p99.9")]
    pub p99_9: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_sub_nanosecond_precision() {
        let mut h = OpCostHistogram::default();
        for v in [100.25, 100.5, 100.75, 400.0] {
            h.record_ns(v);
        }
        assert_eq!(h.len(), 4);
        assert!((h.quantile_ns(0.5) - 100.5).abs() < 0.2);
        assert!((h.percentiles().p99_9 - 400.0).abs() < 0.5);
    }
}
