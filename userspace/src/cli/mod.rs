//! The command line: clap's definitions, one file per subcommand, turned into the commands'
//! settings. No clap type reaches the backends.

mod attach_scale;
mod bpftrace_tools;
mod compare;
mod complex_workload;
mod measure;
mod run;

pub use attach_scale::AttachScaleArgs;
pub use bpftrace_tools::BpftraceToolsArgs;
pub use compare::CompareArgs;
pub use complex_workload::ComplexWorkloadArgs;
pub use measure::MeasureArgs;
pub use run::{RoundArgs, RunArgs};

use std::path::PathBuf;

use crate::commands::{ExportPaths, WorkloadChildCommand};
use clap::{Args, Parser, Subcommand};

/// Measures what tracing costs, in nanoseconds per event.
#[derive(Parser, Debug)]
#[command(name = "probecost", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Runs the Benchmark 1 scenarios and prints the per-event cost table.
    Run(RunArgs),
    /// Measures your own BPF object, bpftrace script or BPF-loading command against a
    /// control, per event; by default in 20 to 100 rounds, until the floor is within ±2 % or
    /// for 60 s.
    Measure(MeasureArgs),
    /// Measures every bpftrace tool of a directory (the distribution's, in /usr/sbin), each
    /// with a workload that fires its probes, ranked by per-event cost.
    BpftraceTools(BpftraceToolsArgs),
    /// Lists every scenario, its attach point and whether this kernel supports it.
    List,
    /// Times attaching and detaching N probes of one kind, for each count and tracer.
    AttachScale(AttachScaleArgs),
    /// Times a complex command untraced and under many-probe scenario sets (Benchmark 2).
    #[command(name = "complex-workload", visible_alias = "workload")]
    ComplexWorkload(ComplexWorkloadArgs),
    /// Compares reports of `run` (or `measure`, `bpftrace-tools`), `attach-scale` or
    /// `complex-workload`: each row's change against the
    /// first, with its 95% interval.
    Compare(CompareArgs),
    /// Runs the workload in this process and reports its timing on a descriptor (used by
    /// tracers that trace a process of their own, like DTrace's pid provider).
    #[command(name = "workload-child", hide = true)]
    WorkloadChild(WorkloadChildArgs),
}

/// The result files every measuring command can write, created before it measures.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Writes the whole report as JSON to this file (schema: docs/json.md).
    #[arg(long, value_name = "FILE")]
    export_json: Option<PathBuf>,
    /// Writes the summary table as Markdown to this file.
    #[arg(long, value_name = "FILE")]
    export_markdown: Option<PathBuf>,
    /// Writes the table as CSV to this file.
    #[arg(long, value_name = "FILE")]
    export_csv: Option<PathBuf>,
    /// Draws the report's chart to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// Writes one self-contained HTML page (environment, table, chart, and the comparison when
    /// there is one) to this file.
    #[arg(long, value_name = "FILE.html")]
    export_html: Option<PathBuf>,
}

/// What every measuring command shares: its result files and the measurement lock.
#[derive(Args, Debug)]
pub struct MeasuringArgs {
    #[command(flatten)]
    export: ExportArgs,
    /// Measures even while another probecost measures on this machine (their numbers will
    /// disturb each other).
    #[arg(long)]
    allow_concurrent: bool,
}

impl ExportArgs {
    fn paths(&self) -> ExportPaths {
        ExportPaths {
            json: self.export_json.clone(),
            markdown: self.export_markdown.clone(),
            csv: self.export_csv.clone(),
            plot: self.plot.clone(),
            html: self.export_html.clone(),
        }
    }
}

#[derive(Args, Debug)]
pub struct WorkloadChildArgs {
    /// CPU to pin to.
    #[arg(long)]
    cpu: usize,
    /// Operations to run.
    #[arg(long)]
    ops: u64,
    /// Inherited descriptor to write the report to.
    #[arg(long)]
    report_fd: i32,
    /// Each operation also calls probecost's uprobe sites.
    #[arg(long)]
    uprobe_sites: bool,
    /// Get ready, write a line saying so to the report, and run only once a byte arrives on
    /// standard input.
    #[arg(long)]
    wait_for_start: bool,
}

impl WorkloadChildArgs {
    pub fn command(&self) -> WorkloadChildCommand {
        WorkloadChildCommand {
            cpu: self.cpu,
            ops: self.ops,
            report_fd: self.report_fd,
            uprobe_sites: self.uprobe_sites,
            wait_for_start: self.wait_for_start,
        }
    }
}

/// A percentage above 0 and at most 1000.
fn percentage(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if value > 0.0 && value <= 1000.0 {
        Ok(value)
    } else {
        Err(format!(
            "{value} is not a percentage above 0 and at most 1000"
        ))
    }
}

/// A finite number above 0.
fn positive(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(format!("{value} is not a number above 0"))
    }
}

/// A finite number of at least 0.
fn non_negative(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(format!("{value} is not a finite number of at least 0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_and_complex_workload_keep_their_old_names() {
        for args in [
            ["probecost", "run", "--rounds", "3"],
            ["probecost", "run", "--runs", "3"],
            ["probecost", "complex-workload", "--rounds", "2"],
            ["probecost", "workload", "--runs", "2"],
        ] {
            Cli::try_parse_from(args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        }
        let cli = Cli::try_parse_from(["probecost", "run", "--target-ci", "2", "--max-runs", "9"]);
        assert!(cli.is_ok());
    }
}
