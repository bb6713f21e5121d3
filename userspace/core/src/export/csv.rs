//! `--export-csv`: tidy data for a spreadsheet, pandas or R, written by the `csv` crate.

use super::Exporter;
use crate::{
    error::{Error, Result},
    report::Report,
};

/// CSV with a header line.
pub struct CsvExporter;

impl Exporter for CsvExporter {
    fn serialize(&self, report: &dyn Report) -> Result<Vec<u8>> {
        let table = report.findings().csv_table();
        let mut writer = ::csv::Writer::from_writer(Vec::new());
        let failed = |e: ::csv::Error| Error::operation(format!("writing CSV: {e}"));
        writer.write_record(&table.header).map_err(failed)?;
        for row in &table.rows {
            writer.write_record(row).map_err(failed)?;
        }
        writer
            .into_inner()
            .map_err(|e| Error::operation(format!("writing CSV: {e}")))
    }
}
