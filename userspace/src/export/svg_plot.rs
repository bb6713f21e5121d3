//! `--plot FILE.svg`: a grouped bar chart of the per-event cost of every scenario, one filled
//! bar per tracer and the published reference figures as hollow bars, on a log scale (costs
//! span tens of nanoseconds to tens of microseconds). Self-contained SVG, no fonts or scripts.

use std::fmt::Write as _;

use super::Exporter;
use crate::{report::tracer_names, result::SuiteReport};

/// The bar chart.
pub struct SvgPlotExporter;

const BAR: f64 = 9.0;
const GROUP_GAP: f64 = 16.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 110.0;
const PLOT_HEIGHT: f64 = 360.0;
const BOTTOM: f64 = 130.0;
const MIN_WIDTH: f64 = 780.0;

/// A series of bars: its legend label, colour, and whether it is a published figure.
struct Series {
    label: String,
    color: &'static str,
    hollow: bool,
    dashed: bool,
    values: Vec<Option<f64>>,
}

fn tracer_color(tracer: &str) -> &'static str {
    match tracer {
        "aya" => "#1f77b4",
        "bpftrace" => "#ff7f0e",
        "dtrace" => "#2ca02c",
        _ => "#7f7f7f",
    }
}

fn tracer_label(tracer: &str) -> String {
    match tracer {
        "aya" => "probecost (aya), measured".into(),
        other => format!("{other}, measured"),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ns_label(ns: f64) -> String {
    if ns >= 1000.0 {
        format!("{} µs", ns / 1000.0)
    } else {
        format!("{ns} ns")
    }
}

impl Exporter for SvgPlotExporter {
    fn serialize(&self, report: &SuiteReport) -> Result<Vec<u8>, String> {
        // The control row measures noise, not a probe: it has no bar.
        let rows: Vec<_> = report
            .scenarios
            .iter()
            .filter(|r| r.name != "control")
            .collect();
        let mut series: Vec<Series> = tracer_names(&report.scenarios)
            .into_iter()
            .map(|t| Series {
                label: tracer_label(t),
                color: tracer_color(t),
                hollow: false,
                dashed: false,
                values: rows
                    .iter()
                    .map(|r| r.tracer(t).and_then(|t| t.per_event_ns))
                    .collect(),
            })
            .collect();
        let published = |f: fn(&crate::reference::PublishedFigures) -> f64| -> Vec<Option<f64>> {
            rows.iter().map(|r| r.published.as_ref().map(f)).collect()
        };
        series.push(Series {
            label: "Gregg bpftrace, published".into(),
            color: "#ff7f0e",
            hollow: true,
            dashed: true,
            values: published(|p| p.gregg_bpftrace_ns),
        });
        series.push(Series {
            label: "talk bpftrace, published".into(),
            color: "#ff7f0e",
            hollow: true,
            dashed: false,
            values: published(|p| p.talk_bpftrace_ns),
        });
        series.push(Series {
            label: "talk DTrace, published".into(),
            color: "#2ca02c",
            hollow: true,
            dashed: false,
            values: published(|p| p.talk_dtrace_ns),
        });

        let positive: Vec<f64> = series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .filter(|v| *v > 0.0 && v.is_finite())
            .collect();
        if positive.is_empty() {
            return Err("nothing to plot: no scenario has a positive per-event cost".into());
        }
        let lo_exp = positive
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min)
            .log10()
            .floor();
        let hi_exp = positive
            .iter()
            .copied()
            .fold(0.0, f64::max)
            .log10()
            .ceil()
            .max(lo_exp + 1.0);
        let y = |v: f64| TOP + PLOT_HEIGHT * (hi_exp - v.log10()) / (hi_exp - lo_exp);

        let group = series.len() as f64 * BAR + GROUP_GAP;
        // Wide enough for the legend even with few scenarios.
        let width = (LEFT + group * rows.len() as f64 + RIGHT).max(MIN_WIDTH);
        let height = TOP + PLOT_HEIGHT + BOTTOM;
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" font-family="sans-serif" font-size="11">"#
        );
        let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let env = &report.environment;
        let _ = writeln!(
            svg,
            r#"<text x="{LEFT}" y="22" font-size="15" font-weight="bold">Per-event cost of tracing, by scenario and tracer</text>"#
        );
        let _ = writeln!(
            svg,
            r##"<text x="{LEFT}" y="40" fill="#444">{}</text>"##,
            escape(&format!(
                "kernel {} | {} | virtualization: {} | workload on CPU {}: {}",
                env.kernel_release,
                env.cpu_model,
                env.virtualization.summary(),
                env.pinned_cpu,
                report.workload
            ))
        );
        // Legend, two rows.
        for (i, s) in series.iter().enumerate() {
            let x = LEFT + (i % 3) as f64 * 230.0;
            let ly = 58.0 + (i / 3) as f64 * 18.0;
            let _ = writeln!(svg, "{}", bar_rect(s, x, ly, 12.0, 12.0));
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                x + 18.0,
                ly + 10.0,
                escape(&s.label)
            );
        }
        // Decades: grid lines and labels.
        let mut exp = lo_exp;
        while exp <= hi_exp {
            let v = 10f64.powf(exp);
            let gy = y(v);
            let _ = writeln!(
                svg,
                r##"<line x1="{LEFT}" y1="{gy:.1}" x2="{:.1}" y2="{gy:.1}" stroke="#ddd"/>"##,
                width - RIGHT
            );
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                LEFT - 6.0,
                gy + 4.0,
                escape(&ns_label(v))
            );
            exp += 1.0;
        }
        let base = TOP + PLOT_HEIGHT;
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#000"/><line x1="{LEFT}" y1="{base}" x2="{:.1}" y2="{base}" stroke="#000"/>"##,
            width - RIGHT
        );
        let _ = writeln!(
            svg,
            r#"<text transform="translate(22 {:.1}) rotate(-90)" text-anchor="middle" font-size="12">per-event cost (ns per event, log scale)</text>"#,
            TOP + PLOT_HEIGHT / 2.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12">scenario (row of the talk's Benchmark 1)</text>"#,
            LEFT + (width - LEFT - RIGHT) / 2.0,
            height - 8.0
        );
        for (g, r) in rows.iter().enumerate() {
            let gx = LEFT + GROUP_GAP / 2.0 + g as f64 * group;
            for (i, s) in series.iter().enumerate() {
                let x = gx + i as f64 * BAR;
                match s.values[g] {
                    Some(v) if v > 0.0 && v.is_finite() => {
                        let top = y(v);
                        let _ = writeln!(svg, "{}", bar_rect(s, x, top, BAR - 1.0, base - top));
                    }
                    // Measured at or below zero (within noise): a tick on the axis.
                    Some(_) if !s.hollow => {
                        let _ = writeln!(
                            svg,
                            r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="2" fill="{}"/>"#,
                            base - 2.0,
                            BAR - 1.0,
                            s.color
                        );
                    }
                    _ => {}
                }
            }
            let label = match r.row {
                Some(n) => format!("{n} {}", r.name),
                None => format!("+ {}", r.name),
            };
            let lx = gx + series.len() as f64 * BAR / 2.0;
            let _ = writeln!(
                svg,
                r#"<text transform="translate({lx:.1} {:.1}) rotate(-40)" text-anchor="end">{}</text>"#,
                base + 14.0,
                escape(&label)
            );
        }
        svg.push_str("</svg>\n");
        Ok(svg.into_bytes())
    }
}

fn bar_rect(series: &Series, x: f64, y: f64, w: f64, h: f64) -> String {
    if series.hollow {
        format!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="white" stroke="{}" stroke-width="1.5"{}/>"#,
            series.color,
            if series.dashed {
                r#" stroke-dasharray="3 2""#
            } else {
                ""
            }
        )
    } else {
        format!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{}"/>"#,
            series.color
        )
    }
}
