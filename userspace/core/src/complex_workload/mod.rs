//! `workload`: Benchmark 2 of the talk. A complex command (by default a real parallel C
//! build) timed untraced and under scenario sets of many counting probes, with attach and
//! detach reported apart from the run. This module holds the talk's scenario sets
//! (`sets.rs`), the rounds (`rounds.rs`) and the results; the platform's backend resolves and
//! attaches the sets.

mod rounds;
mod sets;

pub use rounds::measure;
pub use sets::{parse_scenarios, TalkSet, WorkloadScenario, WorkloadSet, TALK_SCENARIOS};

use std::{fmt::Write as _, path::Path};

use serde::Serialize;

use crate::{
    error::Result,
    report::chart::{BarSeries, Chart, ChartKind, Palette},
    report::{cell, number_or_dash as num, Findings, Measured, Table},
};

/// The command to time and how to reset it between runs.
pub struct TimedCommand {
    /// argv.
    pub command: Vec<String>,
    /// Run before each timed run, untimed (e.g. `make clean`).
    pub reset: Option<Vec<String>>,
    /// Working directory.
    pub dir: std::path::PathBuf,
}

/// What measures `workload` on a platform: resolving and attaching the sets; the rounds are
/// [`measure`]'s.
pub trait ComplexWorkloadBackend {
    /// Resolves every scenario's sets for the file system of `dir` and attaches and detaches
    /// each once, so an unknown glob or a set the kernel cannot attach fails before anything
    /// is timed; returns each scenario's sets as they will attach. Kprobe sets attach through
    /// `kprobe_mechanism`.
    fn prepare(
        &mut self,
        scenarios: &[WorkloadScenario],
        dir: &Path,
        kprobe_mechanism: crate::probe_set::Mechanism,
    ) -> Result<Vec<Vec<SetUsed>>>;

    /// Attaches set `set` of prepared scenario `scenario`.
    fn attach(&mut self, scenario: usize, set: usize) -> Result<Box<dyn AttachedProbes>>;
}

/// A set's probes while attached around one run.
pub trait AttachedProbes {
    /// Activations counted since it was attached.
    fn activations(&self) -> Result<u64>;

    /// Detaches every probe.
    fn detach(self: Box<Self>) -> Result<()>;
}

/// One probe set of a scenario as it ran.
#[derive(Clone, Debug, Serialize)]
pub struct SetUsed {
    /// The set asked for.
    pub set: String,
    /// What was attached (`tracepoint:ext4:*`...).
    pub probes: String,
    /// The attach mechanism.
    pub mechanism: String,
    /// Probes attached.
    pub count: usize,
    /// Why the talk's set was replaced, when it was.
    pub substitution_reason: Option<String>,
    /// Median time to attach this set, ms.
    pub attach_ms: Option<f64>,
    /// Median time to detach this set, ms.
    pub detach_ms: Option<f64>,
    /// Activations of this set during the last run.
    pub activations: Option<u64>,
}

/// One scenario's runs.
#[derive(Clone, Debug, Serialize)]
pub struct WorkloadResult {
    /// `baseline`, `1`..`9`, or the sets joined with `+`.
    pub name: String,
    /// Its sets (empty for the baseline).
    pub sets: Vec<SetUsed>,
    /// Probes attached in all.
    pub probes: usize,
    /// Wall time of each run, s.
    pub runs_s: Vec<f64>,
    /// Fastest run, s.
    pub best_s: Option<f64>,
    /// Median run, s.
    pub median_s: Option<f64>,
    /// (fastest - fastest baseline) / fastest baseline, %.
    pub slowdown_pct: Option<f64>,
    /// Activations counted during the last run.
    pub activations: Option<u64>,
    /// (median - median baseline) / activations, ns per activation.
    pub ns_per_activation: Option<f64>,
    /// Median attach time of all the scenario's probes, ms.
    pub attach_ms: Option<f64>,
    /// Median detach time, ms.
    pub detach_ms: Option<f64>,
}

/// Everything one `probecost complex-workload` measured.
pub type WorkloadReport = Measured<ComplexWorkload>;

/// What `probecost complex-workload` found.
#[derive(Clone, Debug, Serialize)]
pub struct ComplexWorkload {
    /// The command timed.
    pub command: Vec<String>,
    /// The baseline first, then each scenario.
    pub results: Vec<WorkloadResult>,
}

const COLUMNS: [&str; 9] = [
    "scenario",
    "probes",
    "best s",
    "median s",
    "slowdown %",
    "activations",
    "ns/activation",
    "attach ms",
    "detach ms",
];

impl WorkloadResult {
    /// The row's cells, numbers with `-` for none (terminal) or empty (files).
    fn cells(&self, none: fn(Option<f64>, usize) -> String) -> [String; 9] {
        [
            self.name.clone(),
            self.probes.to_string(),
            none(self.best_s, 2),
            none(self.median_s, 2),
            none(self.slowdown_pct, 1),
            none(self.activations.map(|a| a as f64), 0),
            none(self.ns_per_activation, 1),
            none(self.attach_ms, 1),
            none(self.detach_ms, 1),
        ]
    }
}

impl Findings for ComplexWorkload {
    /// The table, then what each set attached.
    fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "command: {}", self.command.join(" "));
        let line = |c: &[String; 9]| {
            format!(
                "{:<28} {:>7} {:>8} {:>9} {:>10} {:>12} {:>13} {:>10} {:>10}",
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]
            )
        };
        let _ = writeln!(out, "{}", line(&COLUMNS.map(String::from)));
        for r in &self.results {
            let _ = writeln!(out, "{}", line(&r.cells(num)));
        }
        let _ = writeln!(out);
        for line in self.notes() {
            let _ = writeln!(out, "{}", line.trim_start_matches("- "));
        }
        out
    }

    fn summary(&self) -> String {
        format!("Command timed: `{}`.", self.command.join(" "))
    }

    fn markdown_table(&self) -> Table {
        self.csv_table()
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for r in self.results.iter().filter(|r| !r.sets.is_empty()) {
            for s in &r.sets {
                notes.push(format!(
                    "- {}: {} = {} ({} probes, {}; attach {} ms, detach {} ms, {} activations){}",
                    r.name,
                    s.set,
                    s.probes,
                    s.count,
                    s.mechanism,
                    num(s.attach_ms, 1),
                    num(s.detach_ms, 1),
                    s.activations.map_or("-".into(), |a| a.to_string()),
                    s.substitution_reason
                        .as_deref()
                        .map(|why| format!(" substituted: {why}"))
                        .unwrap_or_default()
                ));
            }
        }
        notes
    }

    fn csv_table(&self) -> Table {
        Table {
            header: COLUMNS.map(String::from).to_vec(),
            rows: self
                .results
                .iter()
                .map(|r| r.cells(cell).to_vec())
                .collect(),
        }
    }

    /// The median run time of each scenario, the baseline first.
    fn chart(&self) -> Chart {
        Chart {
            title: format!("Time of `{}`, untraced and traced", self.command.join(" ")),
            subtitle: String::new(),
            x_label: "scenario".into(),
            y_label: "median run time (s)".into(),
            kind: ChartKind::Bars {
                categories: self.results.iter().map(|r| r.name.clone()).collect(),
                series: vec![BarSeries {
                    label: "median of the runs".into(),
                    color: Palette::Blue,
                    hollow: false,
                    values: self.results.iter().map(|r| r.median_s).collect(),
                }],
                log_scale: false,
            },
        }
    }
}
