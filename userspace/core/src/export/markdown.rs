//! `--export-markdown`: the summary table as GitHub-flavoured Markdown, ready for a README or
//! an issue, with the environment above it.

use std::fmt::Write as _;

use super::Exporter;
use crate::{
    error::Result,
    report::{Findings, Report},
};

/// A Markdown summary.
pub struct MarkdownExporter;

/// A cell's text with the characters that would end a Markdown cell escaped.
fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The findings' table and the notes under it.
fn write_findings(out: &mut String, findings: &dyn Findings) {
    let table = findings.markdown_table();
    let _ = writeln!(out, "| {} |", table.header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(table.header.len()));
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let notes = findings.notes();
    if !notes.is_empty() {
        let _ = writeln!(out);
        for note in notes {
            let _ = writeln!(out, "{note}");
        }
    }
}

impl Exporter for MarkdownExporter {
    fn serialize(&self, report: &dyn Report) -> Result<Vec<u8>> {
        let env = report.environment();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Kernel {} on {} (CPUs {}; virtualization: {}), workload {}. Tracers: {}. probecost \
             {}. {}\n",
            env.kernel_release,
            env.cpu_model,
            env.online_cpus,
            env.virtualization.summary(),
            env.pinned_cpu
                .map_or("unpinned".into(), |cpu| format!("on CPU {cpu}")),
            env.tracers.join(", "),
            env.probecost_version,
            report.findings().summary(),
        );
        for warning in env.virtualization.warnings() {
            let _ = writeln!(out, "> {warning}\n");
        }
        if report.interrupted() {
            let _ = writeln!(
                out,
                "> Interrupted: the table shows what was measured before the signal.\n"
            );
        }
        write_findings(&mut out, report.findings());
        if let Some(appendix) = report.findings().appendix() {
            let _ = writeln!(out, "\n{}\n", appendix.summary());
            write_findings(&mut out, appendix);
        }
        Ok(out.into_bytes())
    }
}
