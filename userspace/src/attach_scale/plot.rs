//! `attach-scale --plot FILE.svg`: attach and detach time against probe count, log-log, one
//! line per tracer and mechanism (solid attach, dashed detach).

use std::fmt::Write as _;

use super::AttachScaleReport;

/// The log-log plot.
pub struct AttachScalePlot;

const LEFT: f64 = 90.0;
const TOP: f64 = 90.0;
const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 420.0;
const COLORS: [&str; 6] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
];

fn decades(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let positive: Vec<f64> = values.filter(|v| *v > 0.0 && v.is_finite()).collect();
    let lo = positive.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = positive.iter().copied().fold(0.0, f64::max);
    if positive.is_empty() {
        return None;
    }
    let lo = lo.log10().floor();
    Some((lo, hi.log10().ceil().max(lo + 1.0)))
}

impl AttachScalePlot {
    /// The SVG document.
    pub fn render(&self, report: &AttachScaleReport) -> Result<Vec<u8>, String> {
        let rows = &report.rows;
        let (x_lo, x_hi) =
            decades(rows.iter().map(|r| r.probes as f64)).ok_or("nothing to plot: no rows")?;
        let (y_lo, y_hi) = decades(rows.iter().flat_map(|r| [r.attach_ms, r.detach_ms]))
            .ok_or("nothing to plot: no positive times")?;
        let x = |v: f64| LEFT + WIDTH * (v.log10() - x_lo) / (x_hi - x_lo);
        let y = |v: f64| TOP + HEIGHT * (y_hi - v.log10()) / (y_hi - y_lo);
        let (w, h) = (LEFT + WIDTH + 40.0, TOP + HEIGHT + 70.0);
        let mut svg = String::new();
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/>"#
        );
        let _ = writeln!(
            svg,
            r#"<text x="{LEFT}" y="22" font-size="15" font-weight="bold">Attach and detach time against probe count (log-log)</text>"#
        );
        let _ = writeln!(
            svg,
            r##"<text x="{LEFT}" y="40" fill="#444">kernel {} | {} | virtualization: {}</text>"##,
            report.environment.kernel_release,
            report.environment.cpu_model,
            report.environment.virtualization.summary()
        );
        let mut e = y_lo;
        while e <= y_hi {
            let v = 10f64.powf(e);
            let _ = writeln!(
                svg,
                r##"<line x1="{LEFT}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#ddd"/><text x="{2:.1}" y="{3:.1}" text-anchor="end">{4} ms</text>"##,
                y(v),
                LEFT + WIDTH,
                LEFT - 6.0,
                y(v) + 4.0,
                v
            );
            e += 1.0;
        }
        let mut e = x_lo;
        while e <= x_hi {
            let v = 10f64.powf(e);
            let _ = writeln!(
                svg,
                r##"<line x1="{0:.1}" y1="{TOP}" x2="{0:.1}" y2="{1:.1}" stroke="#eee"/><text x="{0:.1}" y="{2:.1}" text-anchor="middle">{3}</text>"##,
                x(v),
                TOP + HEIGHT,
                TOP + HEIGHT + 16.0,
                v
            );
            e += 1.0;
        }
        let _ = writeln!(
            svg,
            r##"<rect x="{LEFT}" y="{TOP}" width="{WIDTH}" height="{HEIGHT}" fill="none" stroke="#000"/><text x="{0:.1}" y="{1:.1}" text-anchor="middle" font-size="12">probes attached (log scale)</text><text transform="translate(24 {2:.1}) rotate(-90)" text-anchor="middle" font-size="12">time for all probes, ms (log scale)</text>"##,
            LEFT + WIDTH / 2.0,
            TOP + HEIGHT + 40.0,
            TOP + HEIGHT / 2.0
        );
        let mut series: Vec<(&str, &str)> = Vec::new();
        for r in rows {
            if !series.contains(&(r.tracer, r.mechanism.name())) {
                series.push((r.tracer, r.mechanism.name()));
            }
        }
        for (i, (tracer, mechanism)) in series.iter().enumerate() {
            let color = COLORS[i % COLORS.len()];
            let points: Vec<_> = rows
                .iter()
                .filter(|r| r.tracer == *tracer && r.mechanism.name() == *mechanism)
                .collect();
            for (label, dashed, pick) in [
                (
                    "attach",
                    "",
                    (|r: &super::AttachScaleRow| r.attach_ms) as fn(&_) -> f64,
                ),
                (
                    "detach",
                    r#" stroke-dasharray="6 4""#,
                    |r: &super::AttachScaleRow| r.detach_ms,
                ),
            ] {
                let path: Vec<String> = points
                    .iter()
                    .filter(|r| pick(r) > 0.0)
                    .map(|r| format!("{:.1},{:.1}", x(r.probes as f64), y(pick(r))))
                    .collect();
                let _ = writeln!(
                    svg,
                    r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="2"{dashed}/>"#,
                    path.join(" ")
                );
                for p in &path {
                    let (px, py) = p.split_once(',').expect("x,y");
                    let _ = writeln!(svg, r#"<circle cx="{px}" cy="{py}" r="3" fill="{color}"/>"#);
                }
                let name = if tracer == mechanism {
                    tracer.to_string()
                } else {
                    format!("{tracer} {mechanism}")
                };
                // Legend: one column per series, attach above detach.
                let ly = 48.0 + if label == "detach" { 16.0 } else { 0.0 };
                let lx = LEFT + i as f64 * 240.0;
                let _ = writeln!(
                    svg,
                    r#"<line x1="{lx}" y1="{0}" x2="{1}" y2="{0}" stroke="{color}" stroke-width="2"{dashed}/><text x="{2}" y="{3}">{name} {label}</text>"#,
                    ly + 8.0,
                    lx + 24.0,
                    lx + 28.0,
                    ly + 12.0
                );
            }
        }
        svg.push_str("</svg>\n");
        Ok(svg.into_bytes())
    }
}
