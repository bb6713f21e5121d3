//! `--export-json`: the whole report (schema in docs/json.md).

use super::Exporter;
use crate::{error::Result, report::Report};

/// Pretty-printed JSON.
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn serialize(&self, report: &dyn Report) -> Result<Vec<u8>> {
        report
            .json()
            .map_err(|e| crate::error::Error::operation(format!("writing JSON: {e}")))
    }
}
