//! `--plot FILE.svg`: the report's chart, drawn by [`crate::plot`].

use super::Exporter;
use crate::{
    error::{Error, Result},
    plot,
    report::{environment_line, Report},
};

/// The report's chart as SVG.
pub struct SvgPlotExporter;

impl Exporter for SvgPlotExporter {
    fn serialize(&self, report: &dyn Report) -> Result<Vec<u8>> {
        let mut chart = report.findings().chart();
        chart.subtitle = environment_line(report.environment());
        plot::svg(&chart).map_err(|e| Error::operation(e.to_string()))
    }
}
