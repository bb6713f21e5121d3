//! Human-readable output and what every command's result offers the report and export
//! pipeline: [`Report`].

pub mod chart;
pub(crate) mod suite;
mod table;

pub use table::{render_environment, render_table, tracer_names};

use serde::Serialize;

use crate::environment::Environment;
use chart::Chart;

/// A number with `decimals` decimals, or `-` when there is none (or it is not finite).
pub fn number_or_dash(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "-".into(),
    }
}

/// A number with `decimals` decimals, or an empty cell (CSV, Markdown).
pub fn cell(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => String::new(),
    }
}

/// `items` in backquotes, joined with commas: `` `a`, `b` ``.
pub fn backquoted<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows of cells under a header, for the CSV and Markdown exports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// One row of cells per line, as long as the header.
    pub rows: Vec<Vec<String>>,
}

/// One command's result: the environment block every command shares, whether Ctrl-C or
/// SIGTERM cut it short, and what the command found. Its JSON is one object: `environment`,
/// `interrupted` and the findings' own fields.
#[derive(Clone, Debug, Serialize)]
pub struct Measured<T> {
    /// Where it was measured.
    pub environment: Environment,
    /// Whether Ctrl-C or SIGTERM cut the measurement short.
    pub interrupted: bool,
    /// What the command found.
    #[serde(flatten)]
    pub findings: T,
}

/// What a command found, as the terminal, the exports and the plot show it.
pub trait Findings {
    /// The terminal table and notes (the environment is printed above them).
    fn text(&self) -> String;

    /// One sentence on what was measured and how, above the Markdown table.
    fn summary(&self) -> String;

    /// The Markdown table (a summary, one line per row of the terminal table).
    fn markdown_table(&self) -> Table;

    /// Lines under the Markdown table (what the marks and columns mean).
    fn notes(&self) -> Vec<String>;

    /// The CSV table: tidy data, one line per measured value set.
    fn csv_table(&self) -> Table;

    /// The chart `--plot` draws (its subtitle is filled in with the environment).
    fn chart(&self) -> Chart;

    /// Findings shown after these in the HTML and Markdown pages (a run's comparison with its
    /// baseline).
    fn appendix(&self) -> Option<&dyn Findings> {
        None
    }

    /// Whether the terminal report starts with the environment it was measured in (a
    /// comparison names the environments of its files instead).
    fn measured_here(&self) -> bool {
        true
    }
}

/// A command's result as every output shows it; implemented once, for [`Measured`].
pub trait Report {
    /// Where it was measured.
    fn environment(&self) -> &Environment;

    /// Whether Ctrl-C or SIGTERM cut the measurement short.
    fn interrupted(&self) -> bool;

    /// The whole report as pretty JSON (the schema is in docs/json.md).
    fn json(&self) -> serde_json::Result<Vec<u8>>;

    /// The terminal report: environment, table and notes.
    fn text(&self) -> String;

    /// The findings, for the exporters' tables, notes and chart.
    fn findings(&self) -> &dyn Findings;
}

impl<T: Findings + Serialize> Report for Measured<T> {
    fn environment(&self) -> &Environment {
        &self.environment
    }

    fn interrupted(&self) -> bool {
        self.interrupted
    }

    fn json(&self) -> serde_json::Result<Vec<u8>> {
        let mut bytes = serde_json::to_vec_pretty(self)?;
        bytes.push(b'\n');
        Ok(bytes)
    }

    fn text(&self) -> String {
        let mut out = if self.findings.measured_here() {
            render_environment(&self.environment)
        } else {
            String::new()
        };
        out.push_str(&self.findings.text());
        if self.interrupted {
            out.push_str("(interrupted): the table shows what was measured before the signal\n");
        }
        out
    }

    fn findings(&self) -> &dyn Findings {
        &self.findings
    }
}

/// The environment in one line, for chart subtitles.
pub fn environment_line(env: &Environment) -> String {
    format!(
        "kernel {} | {} | virtualization: {}",
        env.kernel_release,
        env.cpu_model,
        env.virtualization.summary()
    )
}
