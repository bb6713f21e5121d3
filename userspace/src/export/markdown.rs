//! `--export-markdown`: the summary table as GitHub-flavoured Markdown, ready for a README or
//! an issue, with the environment above it.

use std::fmt::Write as _;

use super::{cell, Exporter};
use crate::{
    report::tracer_names,
    result::{ScenarioStatus, SuiteReport},
};

/// A Markdown summary.
pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn serialize(&self, report: &SuiteReport) -> Result<Vec<u8>, String> {
        let env = &report.environment;
        let tracers = tracer_names(&report.scenarios);
        let compared = report.scenarios.iter().any(|r| r.comparison.is_some());
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Kernel {} on {} (CPUs {}; virtualization: {}), workload on CPU {}: {}. Tracers: {}. \
             probecost {}, {} rounds per scenario.\n",
            env.kernel_release,
            env.cpu_model,
            env.online_cpus,
            env.virtualization.summary(),
            env.pinned_cpu,
            report.workload,
            env.tracers.join(", "),
            env.probecost_version,
            report.runs_requested
        );
        for warning in env.virtualization.warnings() {
            let _ = writeln!(out, "> {warning}\n");
        }
        let mut header = vec!["row".to_string(), "scenario".to_string()];
        for t in &tracers {
            header.push(format!("{t} ns/event (median [95% CI])"));
        }
        if compared {
            header.extend(["aya/bpftrace".into(), "added aya/bpftrace".into()]);
        }
        header.extend([
            "Gregg bpftrace".into(),
            "talk bpftrace".into(),
            "talk DTrace".into(),
        ]);
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
        for r in &report.scenarios {
            let mut row = vec![
                r.row.map_or("+".into(), |n| n.to_string()),
                format!("`{}`", r.name),
            ];
            for t in &tracers {
                row.push(match r.tracer(t) {
                    None => "".into(),
                    Some(t) if t.status == ScenarioStatus::Unsupported => "unsupported".into(),
                    Some(t) => {
                        let mut text = cell(t.per_event_ns, 1);
                        if let (Some(m), Some([lo, hi])) =
                            (t.per_event_ns_median, t.per_event_ns_ci95)
                        {
                            let _ = write!(text, " ({m:.1} [{lo:.1}, {hi:.1}])");
                        }
                        if t.status == ScenarioStatus::Substituted {
                            text.push_str(" *");
                        }
                        text
                    }
                });
            }
            if compared {
                let c = r.comparison.as_ref();
                row.push(cell(c.and_then(|c| c.per_event_ratio), 2));
                row.push(cell(c.and_then(|c| c.added_ratio), 2));
            }
            let p = r.published.as_ref();
            row.push(cell(p.map(|p| p.gregg_bpftrace_ns), 0));
            row.push(cell(p.map(|p| p.talk_bpftrace_ns), 0));
            row.push(cell(p.map(|p| p.talk_dtrace_ns), 0));
            let _ = writeln!(out, "| {} |", row.join(" | "));
        }
        let _ = writeln!(
            out,
            "\nns/event: (fastest traced run - fastest control run) per event. `*`: on a substitute \
             attach point (see the JSON `reason`). Published columns: other machines, for reference."
        );
        Ok(out.into_bytes())
    }
}
