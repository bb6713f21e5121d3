//! Result files other tools can read, one file per format behind [`Exporter`].

mod json;

pub use json::JsonExporter;

use crate::result::SuiteReport;

/// Writes a [`SuiteReport`] in one format.
pub trait Exporter {
    /// The report's bytes in this format.
    fn serialize(&self, report: &SuiteReport) -> Result<Vec<u8>, String>;
}
