//! `--export-csv`: one line per scenario and tracer (tidy data for a spreadsheet, pandas or R),
//! with the comparison columns repeated on each line of a scenario.

use std::fmt::Write as _;

use super::{cell, Exporter};
use crate::result::{ScenarioStatus, SuiteReport};

/// CSV with a header line.
pub struct CsvExporter;

const HEADER: &str = "row,scenario,tracer,status,attach,ops,runs,per_event_ns,per_event_ns_median,\
ci95_low,ci95_high,slowdown_pct,body_ns,events_verified,attach_ms,detach_ms,\
per_event_ratio_aya_bpftrace,added_ratio_aya_bpftrace,\
published_gregg_bpftrace_ns,published_talk_bpftrace_ns,published_talk_dtrace_ns";

/// Quotes a field when it holds a comma, a quote or a newline.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

impl Exporter for CsvExporter {
    fn serialize(&self, report: &SuiteReport) -> Result<Vec<u8>, String> {
        let mut out = String::from(HEADER);
        out.push('\n');
        for r in &report.scenarios {
            let c = r.comparison.as_ref();
            let p = r.published.as_ref();
            for t in &r.tracers {
                let [lo, hi] = t
                    .per_event_ns_ci95
                    .map_or([None, None], |[l, h]| [Some(l), Some(h)]);
                let status = match t.status {
                    ScenarioStatus::Measured => "measured",
                    ScenarioStatus::Substituted => "substituted",
                    ScenarioStatus::Unsupported => "unsupported",
                };
                let fields = [
                    r.row.map_or(String::new(), |n| n.to_string()),
                    r.name.to_string(),
                    t.tracer.to_string(),
                    status.to_string(),
                    t.attach.clone(),
                    r.ops.to_string(),
                    r.runs.to_string(),
                    cell(t.per_event_ns, 3),
                    cell(t.per_event_ns_median, 3),
                    cell(lo, 3),
                    cell(hi, 3),
                    cell(t.slowdown_pct, 3),
                    cell(t.body_ns, 3),
                    t.events_verified.map_or(String::new(), |v| v.to_string()),
                    cell(t.attach_times.map(|a| a.attach_ms), 3),
                    cell(t.attach_times.map(|a| a.detach_ms), 3),
                    cell(c.and_then(|c| c.per_event_ratio), 4),
                    cell(c.and_then(|c| c.added_ratio), 4),
                    cell(p.map(|p| p.gregg_bpftrace_ns), 0),
                    cell(p.map(|p| p.talk_bpftrace_ns), 0),
                    cell(p.map(|p| p.talk_dtrace_ns), 0),
                ];
                let line: Vec<String> = fields.iter().map(|f| field(f)).collect();
                let _ = writeln!(out, "{}", line.join(","));
            }
        }
        Ok(out.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_are_quoted() {
        assert_eq!(field("a + b"), "a + b");
        assert_eq!(field("x, y"), "\"x, y\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
