//! The published Benchmark 1 figures (Gregg, *BPF Performance Tools* ch. 18, and the BSDCan
//! 2023 talk), shown beside probecost's measurements as reference columns. They were measured
//! on other machines: never results of this run.

use serde::{Deserialize, Serialize};

const BENCHMARK1_CSV: &str = include_str!("../../../reference/benchmark1.csv");

/// Published per-event costs (ns) and slowdowns (%) of one Benchmark 1 row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublishedFigures {
    /// Gregg's bpftrace, ns per event.
    pub gregg_bpftrace_ns: f64,
    /// The talk's bpftrace, ns per event.
    pub talk_bpftrace_ns: f64,
    /// The talk's DTrace, ns per event.
    pub talk_dtrace_ns: f64,
    /// Gregg's bpftrace slowdown, %.
    pub gregg_bpftrace_pct: f64,
    /// The talk's bpftrace slowdown, %.
    pub talk_bpftrace_pct: f64,
    /// The talk's DTrace slowdown, %.
    pub talk_dtrace_pct: f64,
}

/// One line of the published table.
#[derive(Deserialize)]
struct PublishedRow {
    scenario: String,
    #[serde(flatten)]
    figures: PublishedFigures,
}

/// The published figures for the scenario called `name`, if it is a row of the talk.
pub fn published(name: &str) -> Option<PublishedFigures> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(BENCHMARK1_CSV.as_bytes())
        .deserialize::<PublishedRow>()
        .filter_map(Result::ok)
        .find(|row| row.scenario == name)
        .map(|row| row.figures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ScenarioCatalog;

    #[test]
    fn every_talk_row_has_figures() {
        for s in ScenarioCatalog.all().iter().filter(|s| s.row.is_some()) {
            assert!(published(s.name).is_some(), "{}", s.name);
        }
        let per_event = published("per-event").unwrap();
        assert_eq!(per_event.talk_dtrace_ns, 312.0);
        assert_eq!(per_event.talk_bpftrace_ns, 1539.0);
        assert!(published("per-event-aya-log").is_none());
        // Every line of the table reads: a malformed one would silently drop a row.
        let rows = csv::Reader::from_reader(BENCHMARK1_CSV.as_bytes())
            .deserialize::<PublishedRow>()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        assert_eq!(rows.len(), 18);
    }
}
