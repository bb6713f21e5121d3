//! `--plot FILE.svg`: the report's chart, drawn by [`crate::plot`].

use super::Exporter;
use crate::{
    error::{Error, Result},
    plot,
    report::Report,
};

/// The report's chart as SVG.
pub struct SvgPlotExporter;

impl Exporter for SvgPlotExporter {
    fn serialize(&self, report: &dyn Report) -> Result<Vec<u8>> {
        plot::svg(&report.chart()).map_err(|e| Error::operation(e.to_string()))
    }
}
