//! The workload in a child process, for tracers whose probes need a target process of their
//! own (DTrace's `pid$target`). The child is `probecost workload-child`: it pins itself, runs
//! the same [`PinnedWorkload`] loop as in process, and writes its [`RunSample`] as text to a
//! descriptor it inherited, so the parent gets the child's own timing, not process start-up.

use std::{fmt::Write as _, time::Duration};

use crate::{
    histogram::OpCostHistogram,
    workload::{PinnedWorkload, RunSample, Workload as _, WorkloadError},
};

/// The hidden subcommand the child runs.
pub const SUBCOMMAND: &str = "workload-child";

const HEADER: &str = "probecost-run-sample 1";

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

/// A sample as the child writes it: a header, `ops`, `elapsed_ns`, then one `batch` line per
/// histogram value (picoseconds per operation and how many batches had it).
pub fn encode(sample: &RunSample) -> String {
    let mut text = format!(
        "{HEADER}\nops {}\nelapsed_ns {}\n",
        sample.ops,
        sample.elapsed.as_nanos()
    );
    for (picos, batches) in sample.histogram.recorded_picos() {
        writeln!(text, "batch {picos} {batches}").expect("writing to a String");
    }
    text
}

/// Why a child's report could not be read.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChildReportError {
    /// The child wrote nothing (it failed or was interrupted before finishing).
    #[error("the workload child exited without a report")]
    Empty,
    /// The report is not what [`encode`] writes.
    #[error("malformed workload-child report line {line}: {text:?}")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
}

/// Reads what [`encode`] wrote.
pub fn decode(text: &str) -> Result<RunSample, ChildReportError> {
    if text.trim().is_empty() {
        return Err(ChildReportError::Empty);
    }
    let mut ops = None;
    let mut elapsed = None;
    let mut histogram = OpCostHistogram::default();
    for (index, line) in text.lines().enumerate() {
        let malformed = || ChildReportError::Malformed {
            line: index + 1,
            text: line.to_string(),
        };
        let fields: Vec<&str> = line.split(' ').collect();
        let number = |i: usize| -> Result<u64, ChildReportError> {
            fields
                .get(i)
                .and_then(|f| f.parse().ok())
                .ok_or_else(malformed)
        };
        match fields.as_slice() {
            _ if index == 0 => {
                if line != HEADER {
                    return Err(malformed());
                }
            }
            ["ops", _] => ops = Some(number(1)?),
            ["elapsed_ns", _] => elapsed = Some(Duration::from_nanos(number(1)?)),
            ["batch", _, _] => histogram.record_picos(number(1)?, number(2)?),
            _ => return Err(malformed()),
        }
    }
    let missing = |what: &str| ChildReportError::Malformed {
        line: 0,
        text: format!("no {what} line"),
    };
    Ok(RunSample {
        ops: ops.ok_or_else(|| missing("ops"))?,
        elapsed: elapsed.ok_or_else(|| missing("elapsed_ns"))?,
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
    Ok(encode(&workload.run(ops, stop)?))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;

    #[test]
    fn a_report_survives_the_round_trip() {
        let workload = PinnedWorkload::new(0).unwrap();
        let sample = workload.run(3000, &AtomicBool::new(false)).unwrap();
        let decoded = decode(&encode(&sample)).unwrap();
        assert_eq!(decoded.ops, 3000);
        assert_eq!(decoded.elapsed, sample.elapsed);
        assert_eq!(decoded.histogram.len(), 3);
        assert_eq!(
            decoded.histogram.recorded_picos(),
            sample.histogram.recorded_picos()
        );
    }

    #[test]
    fn bad_reports_are_errors() {
        assert!(matches!(decode(""), Err(ChildReportError::Empty)));
        assert!(matches!(
            decode("something else\nops 1\n"),
            Err(ChildReportError::Malformed { line: 1, .. })
        ));
        assert!(matches!(
            decode("probecost-run-sample 1\nops x\n"),
            Err(ChildReportError::Malformed { line: 2, .. })
        ));
        assert!(matches!(
            decode("probecost-run-sample 1\nops 5\n"),
            Err(ChildReportError::Malformed { line: 0, .. })
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
