//! How well three or more reports agree with one another. For runs of one build on one
//! machine this is how reproducible the figures are there, which no report's own intervals
//! say: each run keeps a level of its own (docs/methodology.md, "Comparing runs").

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ComparedRow, ReportKind, Verdict};
use crate::stats::median;

/// A figure agrees with its row when it is within this percentage of the row's median over the
/// files...
const AGREEMENT_PCT: f64 = 3.0;
/// ...or, for per-event costs, within this many nanoseconds: a few-ns probe within 3 % of
/// itself would be sub-nanosecond, below what a run of the workload resolves.
const AGREEMENT_NS: f64 = 3.0;

/// How the files' figures of each row spread about the row's median over the files.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Agreement {
    /// Rows with a figure in every file and something attached (a `run` report's control
    /// row, noise around zero, is left out).
    pub rows: usize,
    /// Their figures: rows times files.
    pub figures: usize,
    /// Figures within [`AGREEMENT_PCT`] % (for per-event costs, or [`AGREEMENT_NS`] ns) of
    /// their row's median over the files.
    pub within: usize,
    /// `within` in percent of `figures`.
    pub within_pct: f64,
    /// The tolerance in nanoseconds for small per-event costs ([`AGREEMENT_NS`]); `None` for
    /// times in ms or s, held to the percentage alone.
    pub within_ns: Option<f64>,
}

/// The agreement of the figures of `files` compared files, from the comparison's `rows` (the
/// newer files' figures as compared: at the base's speed when asked); `None` for fewer than
/// three files, or when no row has a figure in every file.
pub fn agreement(kind: ReportKind, files: usize, rows: &[ComparedRow]) -> Option<Agreement> {
    if files < 3 {
        return None;
    }
    let newer = files - 1;
    let within_ns = match kind {
        ReportKind::Run => Some(AGREEMENT_NS),
        ReportKind::AttachScale | ReportKind::Workload => None,
    };
    let tolerance =
        |middle: f64| (AGREEMENT_PCT / 100.0 * middle.abs()).max(within_ns.unwrap_or(0.0));
    let mut by_row: BTreeMap<(&str, &str), Vec<&ComparedRow>> = BTreeMap::new();
    for row in rows {
        by_row
            .entry((row.row.as_str(), row.tracer.as_str()))
            .or_default()
            .push(row);
    }
    let (mut counted, mut within) = (0, 0);
    for of_row in by_row.values() {
        let comparable = of_row.len() == newer
            && of_row
                .iter()
                .all(|r| r.measures_a_probe && r.verdict != Verdict::NotComparable);
        // The base's figure (the same in each of the row's comparisons), then each newer file's.
        let figures: Option<Vec<f64>> = std::iter::once(of_row[0].base)
            .chain(of_row.iter().map(|r| r.new))
            .collect();
        let Some(figures) = figures.filter(|_| comparable) else {
            continue;
        };
        let middle = median(&figures);
        counted += 1;
        within += figures
            .iter()
            .filter(|f| (*f - middle).abs() <= tolerance(middle))
            .count();
    }
    (counted > 0).then(|| {
        let figures = counted * files;
        Agreement {
            rows: counted,
            figures,
            within,
            within_pct: within as f64 / figures as f64 * 100.0,
            within_ns,
        }
    })
}

impl Agreement {
    /// One line for the terminal and the notes.
    pub fn describe(&self, at_base_speed: bool) -> String {
        let files = self.figures / self.rows;
        let speed = if at_base_speed {
            ", the newer files' at the base's speed"
        } else {
            ""
        };
        let or_ns = self
            .within_ns
            .map_or(String::new(), |ns| format!(" (or {ns} ns)"));
        format!(
            "agreement of the {files} files: {} of {} figures ({:.1} %) within {AGREEMENT_PCT} \
             %{or_ns} of their row's median over the files ({} rows{speed})",
            self.within, self.figures, self.within_pct, self.rows
        )
    }
}
