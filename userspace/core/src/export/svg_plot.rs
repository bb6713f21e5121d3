//! `--plot FILE.svg`: the report's chart, drawn by [`super::chart_svg`].

use super::{chart_svg, Exporter};
use crate::{
    error::{Error, Result},
    report::{environment_line, Report},
};

/// The report's chart as SVG.
pub struct SvgPlotExporter;

impl Exporter for SvgPlotExporter {
    fn serialize(&self, report: &dyn Report) -> Result<Vec<u8>> {
        let mut chart = report.findings().chart();
        chart.subtitle = environment_line(report.environment());
        chart_svg::svg(&chart).map_err(|e| Error::operation(e.to_string()))
    }
}
