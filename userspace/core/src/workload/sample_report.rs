//! A run's sample as one JSON object, for a run made in another process (a forked child, or
//! `probecost workload-child`): its timing and the histogram of its batches.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::RunSample;
use crate::histogram::OpCostHistogram;

/// The report's format version; a parent refuses another.
const FORMAT: u32 = 1;

/// What the child writes: its timing and the histogram of its batches.
#[derive(Debug, Serialize, Deserialize)]
struct ChildReport {
    format: u32,
    ops: u64,
    elapsed_ns: u64,
    /// `[picoseconds per operation, batches]` for each recorded value.
    batches: Vec<[u64; 2]>,
}

/// A sample as the child writes it: one JSON object.
pub fn encode(sample: &RunSample) -> String {
    let report = ChildReport {
        format: FORMAT,
        ops: sample.ops,
        elapsed_ns: u64::try_from(sample.elapsed.as_nanos()).unwrap_or(u64::MAX),
        batches: sample
            .histogram
            .recorded_picos()
            .into_iter()
            .map(|(picos, batches)| [picos, batches])
            .collect(),
    };
    serde_json::to_string(&report).expect("a report of numbers serializes")
}

/// Why a child's report could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ChildReportError {
    /// The child wrote nothing (it failed or was interrupted before finishing).
    #[error("the workload child exited without a report")]
    Empty,
    /// The report is not what [`encode`] writes.
    #[error("malformed workload-child report: {0}")]
    Malformed(String),
}

/// Reads what [`encode`] wrote.
pub fn decode(text: &str) -> Result<RunSample, ChildReportError> {
    if text.trim().is_empty() {
        return Err(ChildReportError::Empty);
    }
    let report: ChildReport =
        serde_json::from_str(text).map_err(|e| ChildReportError::Malformed(e.to_string()))?;
    if report.format != FORMAT {
        return Err(ChildReportError::Malformed(format!(
            "format {} (this probecost reads {FORMAT})",
            report.format
        )));
    }
    let mut histogram = OpCostHistogram::default();
    for [picos, batches] in report.batches {
        histogram.record_picos(picos, batches);
    }
    Ok(RunSample {
        ops: report.ops,
        elapsed: Duration::from_nanos(report.elapsed_ns),
        histogram,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::workload::PinnedWorkload;

    #[test]
    fn a_report_survives_the_round_trip() {
        let workload = PinnedWorkload::new(0).unwrap();
        let sample = workload.run_here(3000, &AtomicBool::new(false)).unwrap();
        let decoded = decode(&encode(&sample)).unwrap();
        assert_eq!(decoded.ops, 3000);
        assert_eq!(decoded.elapsed, sample.elapsed);
        assert_eq!(decoded.histogram.len(), sample.histogram.len());
        assert_eq!(
            decoded.histogram.recorded_picos(),
            sample.histogram.recorded_picos()
        );
    }

    #[test]
    fn bad_reports_are_errors() {
        assert!(matches!(decode(""), Err(ChildReportError::Empty)));
        assert!(matches!(
            decode("ops 1"),
            Err(ChildReportError::Malformed(_))
        ));
        assert!(matches!(
            decode(r#"{"format":2,"ops":1,"elapsed_ns":5,"batches":[]}"#),
            Err(ChildReportError::Malformed(e)) if e.contains("format 2")
        ));
        assert!(matches!(
            decode(r#"{"format":1,"ops":5}"#),
            Err(ChildReportError::Malformed(e)) if e.contains("elapsed_ns")
        ));
    }
}
