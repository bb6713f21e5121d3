//! `compare`: did the per-event cost change between two `probecost run` reports, by how much,
//! and is that more than noise? Each row's change comes with a 95% bootstrap interval over the
//! per-round costs of both files, and a verdict at that confidence; rows whose attach point or
//! status differ are not comparable, and the environments' differences are named first.

mod baseline;
mod input;

use std::fmt::Write as _;

use serde::Serialize;

pub use baseline::BaselineStore;
pub use input::{RunFile, ScenarioFile, TracerFile};

use crate::{
    plot::{Chart, ChartKind, Interval, IntervalSeries, Palette},
    report::{cell, number_or_dash as num, Findings, Measured, Table},
    stats::{self, bootstrap_median_difference_ci95, SplitMix64},
};

/// Resamples of the bootstrap of each change.
const RESAMPLES: usize = 10_000;
/// Seed of the bootstrap, so a comparison can be reproduced from its files.
const SEED: u64 = 0x00C0_4EA5;

/// What a row's change says at 95% confidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The interval of the change lies entirely below zero.
    Faster,
    /// The interval lies entirely above zero.
    Slower,
    /// The interval contains zero: no change beyond the noise.
    NoChange,
    /// The rows ran differently (status or attach point): a difference is not a change.
    NotComparable,
    /// The row is only in the base file.
    OnlyInBase,
    /// The row is only in the newer file.
    OnlyInNew,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Self::Faster => "faster",
            Self::Slower => "slower",
            Self::NoChange => "no change",
            Self::NotComparable => "not comparable",
            Self::OnlyInBase => "only in base",
            Self::OnlyInNew => "only in new",
        })
    }
}

/// One environment fact that differs between the files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvironmentDifference {
    /// The fact (`kernel_release`, `virtualization`, ...).
    pub field: &'static str,
    /// Its value in each file, in file order.
    pub values: Vec<String>,
}

/// One scenario and tracer of a newer file against the base file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComparedRow {
    /// Scenario name.
    pub scenario: String,
    /// Tracer name.
    pub tracer: String,
    /// The newer file.
    pub file: String,
    /// Base: median of the per-round per-event costs, ns.
    pub base_ns: Option<f64>,
    /// Newer file: the same, ns.
    pub new_ns: Option<f64>,
    /// `new_ns - base_ns`.
    pub change_ns: Option<f64>,
    /// The change as a percentage of `base_ns` (when that is positive).
    pub change_pct: Option<f64>,
    /// 95% bootstrap interval of the change, ns.
    pub change_ci95_ns: Option<[f64; 2]>,
    /// What the change says.
    pub verdict: Verdict,
    /// Why a row is not comparable.
    pub reason: Option<String>,
}

impl ComparedRow {
    /// The lower end of the change's interval as a percentage of the base, when both exist.
    pub fn change_ci95_low_pct(&self) -> Option<f64> {
        let base = self.base_ns.filter(|b| *b > 0.0)?;
        Some(self.change_ci95_ns?[0] / base * 100.0)
    }
}

/// What `probecost compare` found.
#[derive(Clone, Debug, Serialize)]
pub struct RunComparison {
    /// The files, the base first.
    pub files: Vec<String>,
    /// Environment facts that differ between the files.
    pub environment_differences: Vec<EnvironmentDifference>,
    /// One row per scenario and tracer of each newer file.
    pub rows: Vec<ComparedRow>,
}

/// Everything one `probecost compare` found (the environment is where it compared).
pub type CompareReport = Measured<RunComparison>;

/// Each round's per-event cost of `tracer` in `scenario`: (traced - control) / events per op.
fn per_round_costs(scenario: &ScenarioFile, tracer: &TracerFile) -> Vec<f64> {
    scenario
        .control_runs_ns_per_op
        .iter()
        .zip(&tracer.traced_runs_ns_per_op)
        .map(|(control, traced)| (traced - control) / scenario.events_per_op.max(f64::EPSILON))
        .collect()
}

fn compare_row(
    base: Option<(&ScenarioFile, &TracerFile)>,
    new: Option<(&ScenarioFile, &TracerFile)>,
    file: &str,
    rng: &mut SplitMix64,
) -> Option<ComparedRow> {
    let (scenario, tracer) = base
        .or(new)
        .map(|(s, t)| (s.name.clone(), t.tracer.clone()))?;
    let mut row = ComparedRow {
        scenario,
        tracer,
        file: file.to_string(),
        base_ns: None,
        new_ns: None,
        change_ns: None,
        change_pct: None,
        change_ci95_ns: None,
        verdict: Verdict::NoChange,
        reason: None,
    };
    let ((base_scenario, base_tracer), (new_scenario, new_tracer)) = match (base, new) {
        (Some(b), Some(n)) => (b, n),
        (Some(_), None) => {
            row.verdict = Verdict::OnlyInBase;
            return Some(row);
        }
        (None, _) => {
            row.verdict = Verdict::OnlyInNew;
            return Some(row);
        }
    };
    let base_costs = per_round_costs(base_scenario, base_tracer);
    let new_costs = per_round_costs(new_scenario, new_tracer);
    let median = |v: &[f64]| (!v.is_empty()).then(|| stats::median(v));
    row.base_ns = median(&base_costs);
    row.new_ns = median(&new_costs);
    if base_tracer.status != new_tracer.status || base_tracer.attach != new_tracer.attach {
        row.verdict = Verdict::NotComparable;
        row.reason = Some(format!(
            "{} at {} in the base, {} at {} here",
            base_tracer.status, base_tracer.attach, new_tracer.status, new_tracer.attach
        ));
        return Some(row);
    }
    let (Some(base_ns), Some(new_ns)) = (row.base_ns, row.new_ns) else {
        row.verdict = Verdict::NotComparable;
        row.reason = Some("no completed rounds in one of the files".into());
        return Some(row);
    };
    let ci = bootstrap_median_difference_ci95(&base_costs, &new_costs, RESAMPLES, rng);
    row.change_ns = Some(new_ns - base_ns);
    row.change_pct = (base_ns > 0.0).then(|| (new_ns - base_ns) / base_ns * 100.0);
    row.change_ci95_ns = Some(ci);
    row.verdict = if ci[0] > 0.0 {
        Verdict::Slower
    } else if ci[1] < 0.0 {
        Verdict::Faster
    } else {
        Verdict::NoChange
    };
    Some(row)
}

/// The environment facts compared, by name, from each file.
fn environment_facts(file: &RunFile) -> [(&'static str, String); 7] {
    let env = &file.environment;
    [
        ("kernel_release", env.kernel_release.clone()),
        ("cpu_model", env.cpu_model.clone()),
        ("virtualization", env.virtualization.describe()),
        ("clocksource", env.clocksource.clone()),
        (
            "pinned_cpu",
            env.pinned_cpu.map_or("unpinned".into(), |c| c.to_string()),
        ),
        ("tracers", env.tracers.join(", ")),
        ("probecost_version", env.probecost_version.clone()),
    ]
}

/// Compares every file after the first against the first.
pub fn compare(files: &[(String, RunFile)]) -> RunComparison {
    let mut rng = SplitMix64::new(SEED);
    let facts: Vec<_> = files.iter().map(|(_, f)| environment_facts(f)).collect();
    let environment_differences = (0..facts.first().map_or(0, |f| f.len()))
        .filter_map(|i| {
            let values: Vec<String> = facts.iter().map(|f| f[i].1.clone()).collect();
            values
                .iter()
                .any(|v| *v != values[0])
                .then(|| EnvironmentDifference {
                    field: facts[0][i].0,
                    values,
                })
        })
        .collect();
    let mut rows = Vec::new();
    if let Some(((_, base), newer)) = files.split_first() {
        for (name, new) in newer {
            // The base's rows in its order, then those only the newer file has.
            let mut keys = base.keys();
            for key in new.keys() {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            for key in keys {
                rows.extend(compare_row(base.find(key), new.find(key), name, &mut rng));
            }
        }
    }
    RunComparison {
        files: files.iter().map(|(name, _)| name.clone()).collect(),
        environment_differences,
        rows,
    }
}

const COLUMNS: [&str; 8] = [
    "scenario",
    "tracer",
    "file",
    "base ns/ev",
    "new ns/ev",
    "change ns [95% CI]",
    "change %",
    "verdict",
];

impl ComparedRow {
    fn cells(&self, none: fn(Option<f64>, usize) -> String) -> [String; 8] {
        let change = match (self.change_ns, self.change_ci95_ns) {
            (Some(c), Some([lo, hi])) => format!("{c:.1} [{lo:.1}, {hi:.1}]"),
            _ => none(None, 1),
        };
        [
            self.scenario.clone(),
            self.tracer.clone(),
            self.file.clone(),
            none(self.base_ns, 1),
            none(self.new_ns, 1),
            change,
            none(self.change_pct, 1),
            self.verdict.to_string(),
        ]
    }
}

impl Findings for RunComparison {
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
        // One table per newer file; the file column is its heading.
        let line = |c: &[String; 8]| {
            format!(
                "{:<17} {:<8} {:>10} {:>10} {:>28} {:>9}  {}",
                c[0], c[1], c[3], c[4], c[5], c[6], c[7]
            )
        };
        for file in &self.files[1..] {
            let _ = writeln!(out, "\n{file} against the base:");
            let _ = writeln!(out, "{}", line(&COLUMNS.map(String::from)));
            for row in self.rows.iter().filter(|r| r.file == *file) {
                let _ = writeln!(out, "{}", line(&row.cells(num)));
                if let Some(reason) = &row.reason {
                    let _ = writeln!(out, "{:<17} {reason}", "");
                }
            }
        }
        out
    }

    fn summary(&self) -> String {
        format!(
            "{} against {} (95% bootstrap intervals of the change over the per-round costs).",
            self.files[1..].join(", "),
            self.files.first().map_or("", String::as_str)
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
            .collect()
    }

    fn csv_table(&self) -> Table {
        Table {
            header: COLUMNS.map(String::from).to_vec(),
            rows: self.rows.iter().map(|r| r.cells(cell).to_vec()).collect(),
        }
    }

    /// The change of every comparable row in % of the base, a dot with its 95% interval,
    /// one colour per newer file.
    fn chart(&self) -> Chart {
        // The control row measures noise around zero: a percentage of it means nothing.
        let is_control = |row: &ComparedRow| {
            crate::scenario::ScenarioCatalog
                .find(&row.scenario)
                .is_some_and(|s| s.is_control())
        };
        let mut categories: Vec<String> = Vec::new();
        for row in self.rows.iter().filter(|r| !is_control(r)) {
            let name = format!("{} {}", row.scenario, row.tracer);
            if !categories.contains(&name) {
                categories.push(name);
            }
        }
        let interval = |row: &ComparedRow| {
            let base = row.base_ns.filter(|b| *b > 0.0)?;
            let [low, high] = row.change_ci95_ns?;
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
                            .find(|r| {
                                r.file == *file && format!("{} {}", r.scenario, r.tracer) == *name
                            })
                            .and_then(interval)
                    })
                    .collect(),
            })
            .collect();
        Chart {
            title: "Change of the per-event cost against the base, with 95% intervals".into(),
            subtitle: String::new(),
            x_label: "scenario and tracer".into(),
            y_label: "change (% of the base)".into(),
            kind: ChartKind::Intervals { categories, series },
        }
    }
}

#[cfg(test)]
mod tests;
