//! What `probecost run` reports: the suite's results and, with `--baseline`, their comparison
//! with the baseline, which every output (terminal, JSON, Markdown, HTML) carries after the
//! table.

use serde::Serialize;

use super::ReportComparison;
use crate::{
    report::chart::Chart,
    report::{Findings, Measured, Table},
    result::Suite,
};

/// Everything one `probecost run` measured.
pub type SuiteReport = Measured<RunFindings>;

/// A suite's results and their comparison with a baseline; the JSON is the suite's fields with
/// `baseline_comparison` beside them.
#[derive(Clone, Debug, Serialize)]
pub struct RunFindings {
    /// One result per scenario and how they were measured.
    #[serde(flatten)]
    pub suite: Suite,
    /// With `--baseline`: this run compared with the baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline_comparison: Option<ReportComparison>,
}

impl Findings for RunFindings {
    fn text(&self) -> String {
        let mut out = self.suite.text();
        if let Some(comparison) = &self.baseline_comparison {
            out.push('\n');
            out.push_str(&comparison.text());
        }
        out
    }

    fn summary(&self) -> String {
        self.suite.summary()
    }

    fn markdown_table(&self) -> Table {
        self.suite.markdown_table()
    }

    fn notes(&self) -> Vec<String> {
        self.suite.notes()
    }

    fn csv_table(&self) -> Table {
        self.suite.csv_table()
    }

    fn chart(&self) -> Chart {
        self.suite.chart()
    }

    fn appendix(&self) -> Option<&dyn Findings> {
        self.baseline_comparison
            .as_ref()
            .map(|c| c as &dyn Findings)
    }
}
