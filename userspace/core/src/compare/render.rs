//! How a comparison shows: the terminal table (one line per row, or one column per newer file
//! when there are several), the Markdown and CSV tables, and the chart of changes with their
//! intervals.

use std::fmt::Write as _;

use super::{ComparedRow, CostScale, ReportComparison, ReportKind, Verdict};
use crate::{
    report::chart::{Chart, ChartKind, Interval, IntervalSeries, Palette},
    report::{cell, number_or_dash as num, Findings, Table},
};

/// How far, percent, a newer report's control operation may move before the text says that the
/// machine's speed changed: where the control moved by 4-5 % between runs, the costs moved with
/// it; where it moved by up to 3 % (its own floor's noise on an instance switching levels within
/// runs), they did not (docs/methodology.md, "The machine's speed").
const SPEED_HINT_PCT: f64 = 3.0;

impl ReportComparison {
    /// The column headings, with the comparison's row kind and unit.
    fn columns(&self) -> [String; 9] {
        [
            self.kind.row_heading().into(),
            "tracer".into(),
            "file".into(),
            format!("base {}", self.unit),
            format!("new {}", self.unit),
            "change [95% CI]".into(),
            "change %".into(),
            "typical %".into(),
            "verdict".into(),
        ]
    }

    /// Width of the row column: the longest row name.
    fn row_width(&self) -> usize {
        self.rows
            .iter()
            .map(|r| r.row.len())
            .max()
            .unwrap_or(0)
            .max(17)
    }

    /// Several newer files: one column per file against the base (the change in % of the
    /// base with its interval, and the verdict), one line per row, the files numbered.
    fn side_by_side(&self) -> String {
        let mut out = String::from("\n");
        for (i, file) in self.files.iter().enumerate() {
            let role = if i == 0 { "base" } else { "against the base" };
            let _ = writeln!(out, "#{}: {file} ({role})", i + 1);
        }
        let width = self.row_width();
        let _ = write!(
            out,
            "\n{:<width$} {:<8} {:>10}",
            self.kind.row_heading(),
            "tracer",
            format!("#1 {}", self.unit)
        );
        for i in 2..=self.files.len() {
            let _ = write!(out, " {:>36}", format!("#{i} change % [95% CI]"));
        }
        out.push('\n');
        let mut keys: Vec<(&str, &str)> = Vec::new();
        for row in &self.rows {
            if !keys.contains(&(row.row.as_str(), row.tracer.as_str())) {
                keys.push((row.row.as_str(), row.tracer.as_str()));
            }
        }
        for (name, tracer) in keys {
            let rows: Vec<Option<&ComparedRow>> = self.files[1..]
                .iter()
                .map(|file| {
                    self.rows
                        .iter()
                        .find(|r| r.file == *file && r.row == name && r.tracer == tracer)
                })
                .collect();
            let base = rows.iter().flatten().find_map(|r| r.base);
            let _ = write!(
                out,
                "{name:<width$} {tracer:<8} {:>10}",
                num(base, self.decimals())
            );
            for row in rows {
                let _ = write!(
                    out,
                    " {:>36}",
                    row.map_or("-".into(), ComparedRow::change_cell)
                );
            }
            out.push('\n');
        }
        out
    }

    /// One line per newer `run` report: how far its control operation moved against the base,
    /// and what that means for its costs.
    fn control_lines(&self) -> Vec<String> {
        self.control_changes
            .iter()
            .map(|c| {
                let pct = c.control_change_pct;
                let meaning = match self.scale {
                    CostScale::AtBaseSpeed => {
                        ": its costs are compared at the base's speed (times each row's \
                         control floor in the base over its own)"
                    }
                    CostScale::AsMeasured if pct.abs() >= SPEED_HINT_PCT => {
                        ": the machine ran at another speed as a whole, and per-event costs \
                         move with it; for one kernel, --at-base-speed compares them at the \
                         base's speed"
                    }
                    CostScale::AsMeasured => "",
                };
                format!(
                    "control operation in {}: {pct:+.1} % against the base (median over \
                     rows){meaning}",
                    c.file
                )
            })
            .collect()
    }

    /// With three or more files, how well their figures agree.
    fn agreement_line(&self) -> Option<String> {
        self.agreement
            .as_ref()
            .map(|a| a.describe(self.scale == CostScale::AtBaseSpeed))
    }

    /// Decimals worth printing for the unit.
    fn decimals(&self) -> usize {
        match self.kind {
            ReportKind::Run | ReportKind::AttachScale => 1,
            ReportKind::Workload => 2,
        }
    }
}

impl ComparedRow {
    /// `+12.3 [+1.0, +25.0] slower`: the change in % of the base, its interval, the verdict
    /// (left out when it is `no change`).
    fn change_cell(&self) -> String {
        let verdict = match self.verdict {
            Verdict::NoChange => String::new(),
            other => format!(" {other}"),
        };
        match (self.change_pct, self.change_ci95, self.base) {
            (Some(pct), Some([low, high]), Some(base)) if base > 0.0 => format!(
                "{pct:+.1} [{:+.1}, {:+.1}]{verdict}",
                low / base * 100.0,
                high / base * 100.0
            ),
            _ => format!("-{verdict}"),
        }
    }

    fn cells(&self, none: fn(Option<f64>, usize) -> String, decimals: usize) -> [String; 9] {
        let change = match (self.change, self.change_ci95) {
            (Some(c), Some([lo, hi])) => {
                format!("{c:.decimals$} [{lo:.decimals$}, {hi:.decimals$}]")
            }
            _ => none(None, decimals),
        };
        [
            self.row.clone(),
            self.tracer.clone(),
            self.file.clone(),
            none(self.base, decimals),
            none(self.new, decimals),
            change,
            none(self.change_pct, 1),
            none(self.typical_change_pct, 1),
            self.verdict.to_string(),
        ]
    }
}

impl Findings for ReportComparison {
    fn text(&self) -> String {
        let mut out = format!("base: {}\n", self.files.first().map_or("", String::as_str));
        for difference in &self.environment_differences {
            let _ = writeln!(
                out,
                "differs: {}: {}",
                difference.field,
                difference.values.join(" | ")
            );
        }
        if self.environment_differences.is_empty() {
            let _ = writeln!(
                out,
                "environments: the same kernel, CPU, virtualization and tools"
            );
        }
        for line in self.control_lines() {
            let _ = writeln!(out, "{line}");
        }
        if let Some(line) = self.agreement_line() {
            let _ = writeln!(out, "{line}");
        }
        if self.files.len() > 2 {
            out.push_str(&self.side_by_side());
            return out;
        }
        // One newer file: its table in full.
        let width = self.row_width();
        let line = |c: &[String; 9]| {
            format!(
                "{:<width$} {:<8} {:>10} {:>10} {:>28} {:>9} {:>9}  {}",
                c[0], c[1], c[3], c[4], c[5], c[6], c[7], c[8]
            )
        };
        for file in &self.files[1..] {
            let _ = writeln!(out, "\n{file} against the base:");
            let _ = writeln!(out, "{}", line(&self.columns()));
            for row in self.rows.iter().filter(|r| r.file == *file) {
                let _ = writeln!(out, "{}", line(&row.cells(num, self.decimals())));
                if let Some(reason) = &row.reason {
                    let _ = writeln!(out, "{:<width$} {reason}", "");
                }
            }
        }
        out
    }

    fn summary(&self) -> String {
        format!(
            "`{}` reports: {} against {} (95% bootstrap intervals of the change over the \
             per-round values, {}; slower or faster only when the whole interval is beyond \
             ±{}% of the base).",
            self.kind.command(),
            self.files[1..].join(", "),
            self.files.first().map_or("", String::as_str),
            self.unit,
            self.noise_threshold_pct
        )
    }

    fn markdown_table(&self) -> Table {
        self.csv_table()
    }

    fn measured_here(&self) -> bool {
        false
    }

    fn notes(&self) -> Vec<String> {
        self.environment_differences
            .iter()
            .map(|d| format!("- {} differs: {}", d.field, d.values.join(" | ")))
            .chain(self.control_lines().into_iter().map(|l| format!("- {l}")))
            .chain(self.agreement_line().map(|l| format!("- {l}")))
            .collect()
    }

    fn csv_table(&self) -> Table {
        Table {
            header: self.columns().to_vec(),
            rows: self
                .rows
                .iter()
                .map(|r| r.cells(cell, self.decimals()).to_vec())
                .collect(),
        }
    }

    /// The change of every comparable row in % of the base, a dot with its 95% interval,
    /// one colour per newer file.
    fn chart(&self) -> Chart {
        // The control row measures noise around zero: a percentage of it means nothing.
        let is_control = |row: &ComparedRow| {
            self.kind == ReportKind::Run
                && crate::scenario::ScenarioCatalog
                    .find(&row.row)
                    .is_some_and(|s| s.is_control())
        };
        let mut categories: Vec<String> = Vec::new();
        for row in self.rows.iter().filter(|r| !is_control(r)) {
            let name = format!("{} {}", row.row, row.tracer);
            if !categories.contains(&name) {
                categories.push(name);
            }
        }
        let interval = |row: &ComparedRow| {
            let base = row.base.filter(|b| *b > 0.0)?;
            let [low, high] = row.change_ci95?;
            Some(Interval {
                value: row.change_pct?,
                low: low / base * 100.0,
                high: high / base * 100.0,
            })
        };
        let series = self.files[1..]
            .iter()
            .enumerate()
            .map(|(i, file)| IntervalSeries {
                label: file.clone(),
                color: Palette::CYCLE[i % Palette::CYCLE.len()],
                values: categories
                    .iter()
                    .map(|name| {
                        self.rows
                            .iter()
                            .find(|r| r.file == *file && format!("{} {}", r.row, r.tracer) == *name)
                            .and_then(interval)
                    })
                    .collect(),
            })
            .collect();
        Chart {
            title: format!(
                "Change against the base ({} {}), with 95% intervals",
                self.kind.command(),
                self.unit
            ),
            subtitle: String::new(),
            x_label: format!("{} and tracer", self.kind.row_heading()),
            y_label: "change (% of the base)".into(),
            kind: ChartKind::Intervals { categories, series },
        }
    }
}
