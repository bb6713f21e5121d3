//! Result files other tools can read, one file per format behind [`Exporter`].

mod csv;
mod json;
mod markdown;
mod svg_plot;

pub use csv::CsvExporter;
pub use json::JsonExporter;
pub use markdown::MarkdownExporter;
pub use svg_plot::SvgPlotExporter;

use crate::result::SuiteReport;

/// Writes a [`SuiteReport`] in one format.
pub trait Exporter {
    /// The report's bytes in this format.
    fn serialize(&self, report: &SuiteReport) -> Result<Vec<u8>, String>;
}

/// A number with `decimals` decimals, or an empty cell.
fn cell(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => String::new(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{
        benchmark::comparison,
        environment::Environment,
        reference,
        result::{ScenarioResult, ScenarioStatus, TracerResult},
    };

    fn tracer(name: &'static str, ns: f64) -> TracerResult {
        TracerResult {
            tracer: name,
            status: ScenarioStatus::Substituted,
            attach: "tracepoint:syscalls:sys_enter_read".into(),
            reason: Some("no kprobes, here".into()),
            per_event_ns: Some(ns),
            per_event_ns_median: Some(ns + 1.0),
            per_event_ns_ci95: Some([ns - 1.0, ns + 2.0]),
            slowdown_pct: Some(20.0),
            body_ns: Some(ns / 2.0),
            events_verified: Some(true),
            verification: None,
            traced: None,
            traced_runs_ns_per_op: vec![300.0],
            delivery: None,
            attach_times: None,
        }
    }

    fn scenario(row: u32, name: &'static str, aya: f64, bpftrace: f64) -> ScenarioResult {
        ScenarioResult {
            row: Some(row),
            name,
            attach_talk: "kprobe:vfs_read".into(),
            ops: 1000,
            runs: 1,
            events_per_op: 1.0,
            control: None,
            control_runs_ns_per_op: vec![250.0],
            tracers: vec![tracer("aya", aya), tracer("bpftrace", bpftrace)],
            comparison: None,
            interrupted: false,
            published: reference::published(name),
        }
    }

    /// Two rows measured by two tracers, compared.
    pub(crate) fn sample_report() -> SuiteReport {
        let mut scenarios = vec![
            scenario(2, "kprobe", 50.0, 60.0),
            scenario(9, "map", 55.0, 75.0),
        ];
        comparison::compare(&mut scenarios);
        SuiteReport {
            environment: Environment::probe(0, vec!["aya".into(), "bpftrace v0.17.0".into()]),
            runs_requested: 1,
            interrupted: false,
            workload: "in-process loop".into(),
            scenarios,
        }
    }

    #[test]
    fn the_comparison_subtracts_each_tracers_bare_probe() {
        let report = sample_report();
        let map = report.scenarios[1].comparison.as_ref().unwrap();
        assert_eq!(map.per_event_ratio, Some(55.0 / 75.0));
        assert_eq!(map.probecost_added_ns, Some(5.0));
        assert_eq!(map.bpftrace_added_ns, Some(15.0));
        assert_eq!(map.added_ratio, Some(5.0 / 15.0));
        let bare = report.scenarios[0].comparison.as_ref().unwrap();
        assert_eq!(
            bare.added_ratio, None,
            "a bare row adds nothing over itself"
        );
    }

    #[test]
    fn markdown_has_a_column_per_tracer_and_the_ratios() {
        let text =
            String::from_utf8(MarkdownExporter.serialize(&sample_report()).unwrap()).unwrap();
        assert!(text.contains("| row | scenario | aya ns/event (median [95% CI]) | bpftrace ns/event (median [95% CI]) | aya/bpftrace | added aya/bpftrace |"), "{text}");
        assert!(text.contains("| 9 | `map` | 55.0 (56.0 [54.0, 57.0]) * | 75.0 (76.0 [74.0, 77.0]) * | 0.73 | 0.33 | 194 | 77 | 327 |"), "{text}");
    }

    #[test]
    fn csv_has_a_line_per_scenario_and_tracer() {
        let text = String::from_utf8(CsvExporter.serialize(&sample_report()).unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert_eq!(
            lines[4],
            "9,map,bpftrace,substituted,tracepoint:syscalls:sys_enter_read,1000,1,75.000,76.000,\
             74.000,77.000,20.000,37.500,true,,,0.7333,0.3333,194,77,327"
        );
    }

    #[test]
    fn the_plot_has_labelled_axes_a_legend_and_a_bar_per_value() {
        let svg = String::from_utf8(SvgPlotExporter.serialize(&sample_report()).unwrap()).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        for label in [
            "per-event cost (ns per event, log scale)",
            "scenario (row of the talk's Benchmark 1)",
            "probecost (aya), measured",
            "bpftrace, measured",
            "talk DTrace, published",
            "2 kprobe",
            "9 map",
        ] {
            assert!(svg.contains(label), "{label}");
        }
        // 2 rows x (2 tracers + 3 published) bars, a legend swatch per series, the background.
        assert_eq!(svg.matches("<rect").count(), 2 * 5 + 5 + 1);
    }
}
