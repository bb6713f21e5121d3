//! `probecost compare BASE.json NEW.json [MORE.json ...]`: every row of the newer reports
//! against the base, with the change's interval and verdict, and an optional regression gate.
//! The reports may come from `run`, `attach-scale` or `workload` (all from the same one).

use std::path::PathBuf;

use super::{print_and_export, ExportPaths, Outcome};
use probecost_core::{
    compare::{
        compare as compare_files, BaselineStore, CompareReport, CompareSettings, ReportFile,
        Verdict,
    },
    environment::Environment,
    error::{Error, Result},
    report::Measured,
};

/// What `probecost compare` compares.
#[derive(Clone, Debug)]
pub struct CompareCommand {
    /// JSON reports of one command (`run`, `attach-scale` or `workload`), the base first.
    pub files: Vec<PathBuf>,
    /// Fail (exit 1) when a row is slower by more than this percentage, its whole interval
    /// above it.
    pub fail_if_slower: Option<f64>,
    /// Rows (scenarios, attach-scale steps, workload configurations) the gate looks at (all
    /// when empty).
    pub only: Vec<String>,
    /// The noise threshold, and whether costs are compared at the base's machine speed.
    pub settings: CompareSettings,
    /// A saved baseline to use as the base, before `files`.
    pub baseline: Option<String>,
    /// Result files.
    pub exports: ExportPaths,
}

/// Compares, prints the table, writes the result files and applies the gate.
pub fn compare(command: &CompareCommand) -> Result<Outcome> {
    let mut files = match &command.baseline {
        Some(name) => vec![BaselineStore::user()?.load(name)?],
        None => Vec::new(),
    };
    for path in &command.files {
        files.push((path.display().to_string(), ReportFile::read(path)?));
    }
    if files.len() < 2 {
        return Err(Error::Input(
            "compare needs two reports or more: BASE.json NEW.json [MORE.json ...], or \
             --baseline NAME NEW.json"
                .into(),
        ));
    }
    let outputs = command.exports.create()?;
    let report: CompareReport = Measured {
        environment: Environment::probe(None, Vec::new()),
        interrupted: false,
        findings: compare_files(&files, command.settings)?,
    };
    print_and_export(&report, outputs)?;
    let Some(limit) = command.fail_if_slower else {
        return Ok(Outcome::Completed);
    };
    let regressed: Vec<String> = report
        .findings
        .rows
        .iter()
        .filter(|r| command.only.is_empty() || command.only.contains(&r.row))
        .filter(|r| r.verdict == Verdict::Slower)
        .filter(|r| r.change_ci95_low_pct().is_some_and(|low| low > limit))
        .map(|r| {
            format!(
                "{} ({}, {}): +{:.1}%",
                r.row,
                r.tracer,
                r.file,
                r.change_pct.unwrap_or(f64::NAN)
            )
        })
        .collect();
    if regressed.is_empty() {
        return Ok(Outcome::Completed);
    }
    eprintln!(
        "probecost: slower by more than {limit}% (the whole 95% interval): {}",
        regressed.join(", ")
    );
    Ok(Outcome::Regressed)
}
