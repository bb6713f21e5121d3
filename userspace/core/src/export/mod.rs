//! Result files other tools can read, one file per format behind [`Exporter`]. Every command's
//! result goes through the same exporters, as a [`Report`].

mod chart_svg;
mod csv;
mod html;
mod json;
mod markdown;
mod svg_plot;

pub use csv::CsvExporter;
pub use html::HtmlExporter;
pub use json::JsonExporter;
pub use markdown::MarkdownExporter;
pub use svg_plot::SvgPlotExporter;

use crate::{error::Result, report::Report};

/// Writes a [`Report`] in one format.
pub trait Exporter {
    /// The report's bytes in this format.
    fn serialize(&self, report: &dyn Report) -> Result<Vec<u8>>;
}

/// Every exporter with the flag that asks for it.
pub const EXPORTERS: [(&str, &dyn Exporter); 5] = [
    ("--export-json", &JsonExporter),
    ("--export-markdown", &MarkdownExporter),
    ("--export-csv", &CsvExporter),
    ("--plot", &SvgPlotExporter),
    ("--export-html", &HtmlExporter),
];

#[cfg(test)]
mod tests;
