//! `--export-html FILE`: one self-contained page (no script, no link, no font or image to
//! fetch): the environment, the summary table, the chart drawn inline as SVG, the notes, and a
//! comparison when the report carries one (a run compared with its baseline).

use std::fmt::Write as _;

use super::Exporter;
use crate::{
    error::{Error, Result},
    report::{environment_line, render_environment, Findings, Report, Table},
};

/// A self-contained HTML page.
pub struct HtmlExporter;

/// The page's whole style sheet: readable tables, numbers right-aligned, the chart scaled to
/// the window.
const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1400px;padding:0 1em;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}\
pre.environment{background:#f4f4f4;padding:.8em;white-space:pre-wrap}\
table{border-collapse:collapse;font-size:.9em}\
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}\
td.number{text-align:right;font-variant-numeric:tabular-nums}\
th{background:#eee;position:sticky;top:0}tr:nth-child(even) td{background:#fafafa}\
.warning{background:#fff3cd;border-left:4px solid #d39e00;padding:.5em 1em}\
figure{margin:1em 0;overflow-x:auto}figure svg{max-width:100%;height:auto}";

/// `text` with the characters HTML gives a meaning escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A cell's text as HTML: escaped, with Markdown's `code` spans kept as code.
fn cell_html(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

/// Whether a cell holds a number (possibly followed by an interval), to right-align it.
fn is_number(text: &str) -> bool {
    text.split_whitespace()
        .next()
        .is_some_and(|first| first.parse::<f64>().is_ok())
}

fn table_html(table: &Table, id: &str) -> String {
    let mut out = format!("<table id=\"{id}\">\n<thead><tr>");
    for heading in &table.header {
        let _ = write!(out, "<th>{}</th>", cell_html(heading));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        out.push_str("<tr>");
        for cell in row {
            let class = if is_number(cell) {
                " class=\"number\""
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", cell_html(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

/// The findings' table, chart and notes under `heading`.
fn findings_html(
    findings: &dyn Findings,
    subtitle: &str,
    heading: &str,
    id: &str,
) -> Result<String> {
    let mut out = format!(
        "<h2>{}</h2>\n<p>{}</p>\n",
        escape(heading),
        cell_html(&findings.summary())
    );
    out.push_str(&table_html(&findings.markdown_table(), id));
    let notes = findings.notes();
    if !notes.is_empty() {
        out.push_str("<ul class=\"notes\">\n");
        for note in notes {
            let note = note.trim_start_matches("- ");
            let _ = writeln!(out, "<li>{}</li>", cell_html(note));
        }
        out.push_str("</ul>\n");
    }
    let mut chart = findings.chart();
    chart.subtitle = subtitle.to_string();
    let svg = super::chart_svg::svg(&chart).map_err(|e| Error::operation(e.to_string()))?;
    let svg = String::from_utf8_lossy(&svg);
    // Inline SVG needs no XML declaration.
    let svg = svg
        .strip_prefix("<?xml")
        .and_then(|rest| rest.split_once("?>"))
        .map_or(svg.as_ref(), |(_, rest)| rest);
    let _ = writeln!(out, "<figure id=\"{id}-chart\">{}</figure>", svg.trim());
    Ok(out)
}

impl Exporter for HtmlExporter {
    fn serialize(&self, report: &dyn Report) -> Result<Vec<u8>> {
        let env = report.environment();
        let findings = report.findings();
        let mut out = String::new();
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>probecost report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
             <h1>probecost report</h1>\n",
            escape(&env.kernel_release)
        );
        let _ = writeln!(
            out,
            "<h2>Environment</h2>\n<pre class=\"environment\">{}</pre>",
            escape(render_environment(env).trim_end())
        );
        if report.interrupted() {
            out.push_str(
                "<p class=\"warning\">Interrupted: the tables show what was measured before the \
                 signal.</p>\n",
            );
        }
        let subtitle = environment_line(env);
        out.push_str(&findings_html(findings, &subtitle, "Results", "results")?);
        if let Some(appendix) = findings.appendix() {
            out.push_str(&findings_html(
                appendix,
                &subtitle,
                "Compared with the baseline",
                "comparison",
            )?);
        }
        out.push_str("</body>\n</html>\n");
        Ok(out.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_report_is_one_page_with_its_rows_and_chart_and_nothing_to_fetch() {
        let report = crate::report::suite::tests::sample_report();
        let page = String::from_utf8(HtmlExporter.serialize(&report).unwrap()).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("<table id=\"results\">"));
        assert!(page.contains("<td><code>map</code></td>"), "{page}");
        assert!(page.contains("<figure id=\"results-chart\"><svg"), "{page}");
        assert!(!page.contains("<?xml"));
        for fetch in ["<script", "<link", "src=", "url(", "http://", "https://"] {
            let hits: Vec<&str> = page.matches(fetch).collect();
            // The SVG namespace is an identifier, not a fetch.
            let allowed = if fetch == "http://" {
                page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
            } else {
                0
            };
            assert!(hits.len() <= allowed, "{fetch} in the page");
        }
    }

    #[test]
    fn cells_are_escaped_and_code_spans_kept() {
        assert_eq!(cell_html("a <b> & `c`"), "a &lt;b&gt; &amp; <code>c</code>");
        assert!(is_number("12.5 (11.0 [10.0, 13.0])"));
        assert!(!is_number("unsupported"));
    }
}
