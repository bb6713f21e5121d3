//! A run report through each exporter: the Markdown columns, the tidy CSV records and the
//! chart's labels.

use super::{CsvExporter, Exporter, MarkdownExporter, SvgPlotExporter};
use crate::report::suite::tests::sample_report;

#[test]
fn markdown_has_a_column_per_tracer_and_the_ratios() {
    let text = String::from_utf8(MarkdownExporter.serialize(&sample_report()).unwrap()).unwrap();
    assert!(text.contains("| row | scenario | aya ns/event (floor [95% CI]; typical) | bpftrace ns/event (floor [95% CI]; typical) | aya/bpftrace | added aya/bpftrace |"), "{text}");
    assert!(text.contains("| 9 | `map` | 55.0 [54.0, 57.0]; 65.0 * | 75.0 [74.0, 77.0]; 85.0 * | 0.73 | 0.33 | 194 | 77 | 327 |"), "{text}");
}

#[test]
fn csv_has_a_record_per_scenario_and_tracer() {
    let bytes = CsvExporter.serialize(&sample_report()).unwrap();
    let mut reader = ::csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers().unwrap().clone();
    let records: Vec<::csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 4);
    let field = |record: &::csv::StringRecord, name: &str| {
        let i = header.iter().position(|h| h == name).unwrap();
        record[i].to_string()
    };
    let last = &records[3];
    assert_eq!(field(last, "scenario"), "map");
    assert_eq!(field(last, "tracer"), "bpftrace");
    assert_eq!(field(last, "status"), "substituted");
    assert_eq!(field(last, "per_event_ns"), "75.000");
    assert_eq!(field(last, "per_event_ratio_aya_bpftrace"), "0.7333");
    assert_eq!(field(last, "published_talk_dtrace_ns"), "327");
}

#[test]
fn the_plot_has_labelled_axes_a_legend_and_every_scenario() {
    let svg = String::from_utf8(SvgPlotExporter.serialize(&sample_report()).unwrap()).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.trim_end().ends_with("</svg>"));
    for label in [
        "per-event cost (ns per event, log scale)",
        "scenario (row of the talk&apos;s Benchmark 1)",
        "probecost (aya), measured",
        "bpftrace, measured",
        "talk DTrace, published",
        "2 kprobe",
        "9 map",
    ] {
        assert!(svg.contains(label), "{label}");
    }
}
