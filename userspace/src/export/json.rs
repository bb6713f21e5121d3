//! `--export-json`: the whole report, schema documented in the README.

use super::Exporter;
use crate::result::SuiteReport;

/// Pretty-printed JSON.
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn serialize(&self, report: &SuiteReport) -> Result<Vec<u8>, String> {
        let mut bytes = serde_json::to_vec_pretty(report).map_err(|e| e.to_string())?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}
