//! The workload in a child process, for tracers whose probes need a target process of their
//! own (DTrace's `pid$target`). The child is `probecost workload-child`: it pins itself, runs
//! the same [`PinnedWorkload`] loop as in process, and writes its [`RunSample`] as JSON to a
//! descriptor it inherited, so the parent gets the child's own timing, not process start-up.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{
    histogram::OpCostHistogram,
    workload::{PinnedWorkload, RunSample, WorkloadError},
};

/// The hidden subcommand the child runs.
pub const SUBCOMMAND: &str = "workload-child";

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

/// The child's command line: `exe workload-child --cpu C --ops N --report-fd FD`.
pub fn child_command(exe: &str, cpu: usize, ops: u64, report_fd: i32) -> Vec<String> {
    vec![
        exe.to_string(),
        SUBCOMMAND.to_string(),
        "--cpu".into(),
        cpu.to_string(),
        "--ops".into(),
        ops.to_string(),
        "--report-fd".into(),
        report_fd.to_string(),
    ]
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

/// The child's side: pins to `cpu`, runs `ops` operations and returns the report to write.
pub fn run_in_child(
    cpu: usize,
    ops: u64,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<String, WorkloadError> {
    let workload = PinnedWorkload::new(cpu)?;
    workload.pin()?;
    Ok(encode(&workload.run_here(ops, stop)?))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;

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

    #[test]
    fn the_child_command_names_its_arguments() {
        assert_eq!(
            child_command("/bin/probecost", 3, 5000, 7).join(" "),
            "/bin/probecost workload-child --cpu 3 --ops 5000 --report-fd 7"
        );
    }
}
