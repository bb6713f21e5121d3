//! The parts of probecost's JSON reports that a comparison reads, and each kind of report
//! turned into the same thing: rows with their rounds, and how the rounds become a figure.

use std::path::Path;

use serde::Deserialize;

use crate::{
    error::{Error, Result},
    stats::{median, Estimator, RunSummary, SplitMix64},
};

/// Which command wrote a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    /// `probecost run`: per-event cost of each scenario and tracer.
    Run,
    /// `probecost attach-scale`: attach and detach times per probe count.
    AttachScale,
    /// `probecost complex-workload`: wall time of a command per configuration.
    Workload,
}

impl ReportKind {
    /// The command that writes it.
    pub fn command(self) -> &'static str {
        match self {
            Self::Run => "run",
            Self::AttachScale => "attach-scale",
            Self::Workload => "workload",
        }
    }

    /// The unit of its rows' values.
    pub fn unit(self) -> &'static str {
        match self {
            Self::Run => "ns/event",
            Self::AttachScale => "ms",
            Self::Workload => "s",
        }
    }

    /// What a row is, in a column heading.
    pub fn row_heading(self) -> &'static str {
        match self {
            Self::Run => "scenario",
            Self::AttachScale => "probes and step",
            Self::Workload => "configuration",
        }
    }
}

/// One row of a report as a comparison sees it: what it measured, each round's value, and
/// how it was measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The scenario, attach-scale step or workload configuration.
    pub row: String,
    /// The tracer.
    pub tracer: String,
    /// The row's rounds, in the report kind's unit.
    pub rounds: Rounds,
    /// For `run` reports, each round's value from the runs' means (the typical cost); empty
    /// for the other kinds.
    pub typical: Vec<f64>,
    /// How the row was measured (status and attach point, mechanism, command): rows that
    /// differ here are not comparable.
    pub setup: String,
    /// Whether the row measured something attached: false for a `run` report's control row,
    /// whose figure is the method's noise around zero.
    pub measures_a_probe: bool,
}

/// A row's rounds, and how they become the row's figure.
#[derive(Clone, Debug, PartialEq)]
pub enum Rounds {
    /// One value per round; the figure is their median (attach-scale, complex-workload).
    Values(Vec<f64>),
    /// Each round's control and traced run floors, ns per operation (a `run` report); the
    /// figure is the per-event floor cost by the report's own estimator.
    Floors {
        /// Control run floors, in round order.
        control: Vec<f64>,
        /// Traced run floors, paired with the control's.
        traced: Vec<f64>,
        /// The divisor of the cost.
        events_per_op: f64,
        /// The report's estimator.
        estimator: Estimator,
    },
}

impl Rounds {
    /// How many rounds.
    pub fn len(&self) -> usize {
        match self {
            Self::Values(values) => values.len(),
            Self::Floors {
                control, traced, ..
            } => control.len().min(traced.len()),
        }
    }

    /// Whether there is no round.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The estimator of a report's floors; `None` for plain values.
    pub fn estimator(&self) -> Option<&Estimator> {
        match self {
            Self::Values(_) => None,
            Self::Floors { estimator, .. } => Some(estimator),
        }
    }

    /// The row's figure; `None` without a round.
    pub fn figure(&self) -> Option<f64> {
        self.over_all_rounds().map(|(figure, _)| figure)
    }

    /// The control side's floor over all rounds, ns per operation: the machine's speed while
    /// the row ran; `None` for plain values or without a round.
    pub fn control_floor(&self) -> Option<f64> {
        self.over_all_rounds().and_then(|(_, control)| control)
    }

    /// [`Self::figure_and_control_floor_of`] every round; `None` without a round.
    fn over_all_rounds(&self) -> Option<(f64, Option<f64>)> {
        let all: Vec<usize> = (0..self.len()).collect();
        (!self.is_empty()).then(|| self.figure_and_control_floor_of(&all))
    }

    /// As many round indices drawn with replacement (a bootstrap resample).
    pub fn resample(&self, rng: &mut SplitMix64) -> Vec<usize> {
        (0..self.len()).map(|_| rng.below(self.len())).collect()
    }

    /// The figure of the rounds `picks` (indices, repeats allowed) and, for a `run` report,
    /// their control side's floor (`None` for plain values), the control's floor taken once:
    /// a bootstrap at the base's speed needs both of every resample.
    pub fn figure_and_control_floor_of(&self, picks: &[usize]) -> (f64, Option<f64>) {
        match self {
            Self::Values(values) => (
                median(&picks.iter().map(|&i| values[i]).collect::<Vec<_>>()),
                None,
            ),
            Self::Floors {
                control,
                traced,
                events_per_op,
                estimator,
            } => {
                let side = |runs: &[f64]| picks.iter().map(|&i| runs[i]).collect::<Vec<_>>();
                let (cost, control_floor) = estimator.floor_cost_and_control_floor(
                    &side(control),
                    &side(traced),
                    *events_per_op,
                );
                (cost, Some(control_floor))
            }
        }
    }
}

/// A report of any kind, as `compare` reads it.
#[derive(Clone, Debug)]
pub struct ReportFile {
    /// The command that wrote it.
    pub kind: ReportKind,
    /// Where it was measured.
    pub environment: EnvironmentFile,
    /// How a `run` report's rounds become per-event costs; `None` for the other kinds.
    pub estimator: Option<Estimator>,
    /// Its rows, in report order.
    pub samples: Vec<Sample>,
}

impl ReportFile {
    /// Reads `path`; a file that is not a probecost report is one line saying so.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(Error::io(format!("reading {}", path.display())))?;
        Self::parse(&text).map_err(|why| {
            Error::Input(format!(
                "{}: not a probecost report ({why}); compare reads the --export-json reports \
                 of run, attach-scale and workload",
                path.display()
            ))
        })
    }

    /// Parses a report's text, recognising its kind by the fields only that kind has.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        Self::from_json(value)
    }

    /// A report from its JSON value (a report made in this process, or a file's).
    pub fn from_json(value: serde_json::Value) -> std::result::Result<Self, String> {
        let has = |field: &str| value.get(field).is_some();
        let parsed = if has("scenarios") {
            if !has("estimator") {
                return Err(
                    "a `run` report of an older probecost, which kept only each run's \
                            mean; measure it again with this one"
                        .into(),
                );
            }
            serde_json::from_value::<RunFile>(value).map(Self::from)
        } else if has("repetitions") && has("rows") {
            serde_json::from_value::<AttachScaleFile>(value).map(Self::from)
        } else if has("command") && has("results") {
            serde_json::from_value::<WorkloadFile>(value).map(Self::from)
        } else {
            return Err("no `scenarios`, attach-scale `rows` or workload `results`".into());
        };
        parsed.map_err(|e| e.to_string())
    }

    /// The sample of `key` (row, tracer).
    pub fn find(&self, key: (&str, &str)) -> Option<&Sample> {
        self.samples
            .iter()
            .find(|s| s.row == key.0 && s.tracer == key.1)
    }
}

/// The environment facts a comparison names when they differ.
#[derive(Clone, Debug, Deserialize)]
pub struct EnvironmentFile {
    /// `uname -r`.
    pub kernel_release: String,
    /// CPU model.
    pub cpu_model: String,
    /// Clocksource.
    pub clocksource: String,
    /// The workload's CPU.
    pub pinned_cpu: Option<usize>,
    /// Hypervisor and emulation.
    pub virtualization: VirtualizationFile,
    /// Tracers and their versions.
    pub tracers: Vec<String>,
    /// probecost's version.
    pub probecost_version: String,
}

/// Hypervisor and emulation, as the report recorded them.
#[derive(Clone, Debug, Deserialize)]
pub struct VirtualizationFile {
    /// `KVM`, `QEMU TCG`, ... or `null`.
    pub name: Option<String>,
    /// Whether the CPU was emulated.
    pub emulated_cpu: bool,
}

impl VirtualizationFile {
    /// `none`, `KVM`, or `QEMU TCG (emulated CPU)`.
    pub fn describe(&self) -> String {
        let name = self.name.clone().unwrap_or_else(|| "none".into());
        if self.emulated_cpu {
            format!("{name} (emulated CPU)")
        } else {
            name
        }
    }
}

/// A `run` report tracer's `attach` when nothing was attached: the control row.
const NOTHING_ATTACHED: &str = "none";

/// A `probecost run` report.
#[derive(Clone, Debug, Deserialize)]
pub struct RunFile {
    /// Where it was measured.
    pub environment: EnvironmentFile,
    /// How its rounds become per-event costs.
    pub estimator: Estimator,
    /// One result per scenario.
    pub scenarios: Vec<ScenarioFile>,
}

/// One scenario's rounds.
#[derive(Clone, Debug, Deserialize)]
pub struct ScenarioFile {
    /// Scenario name.
    pub name: String,
    /// Events per workload operation.
    pub events_per_op: f64,
    /// Each control run, in round order.
    pub control_runs: Vec<RunSummary>,
    /// One entry per tracer.
    pub tracers: Vec<TracerFile>,
}

/// One tracer's rounds of a scenario.
#[derive(Clone, Debug, Deserialize)]
pub struct TracerFile {
    /// `aya`, `bpftrace`, `dtrace`.
    pub tracer: String,
    /// `measured`, `substituted` or `unsupported`.
    pub status: String,
    /// Attach point(s) used.
    pub attach: String,
    /// Each traced run, in round order (paired with the control runs).
    pub traced_runs: Vec<RunSummary>,
}

impl From<RunFile> for ReportFile {
    /// Each row's control and traced floors, estimated by the report's own estimator.
    fn from(file: RunFile) -> Self {
        let estimator = file.estimator;
        let samples = file
            .scenarios
            .iter()
            .flat_map(|scenario| {
                scenario.tracers.iter().map(move |tracer| {
                    let rounds = scenario.control_runs.len().min(tracer.traced_runs.len());
                    let (control, traced) = (
                        &scenario.control_runs[..rounds],
                        &tracer.traced_runs[..rounds],
                    );
                    Sample {
                        row: scenario.name.clone(),
                        tracer: tracer.tracer.clone(),
                        rounds: Rounds::Floors {
                            control: estimator.floors(control),
                            traced: estimator.floors(traced),
                            events_per_op: scenario.events_per_op,
                            estimator,
                        },
                        typical: estimator.typical_round_costs(
                            control,
                            traced,
                            scenario.events_per_op,
                        ),
                        setup: format!("{} at {}", tracer.status, tracer.attach),
                        measures_a_probe: tracer.attach != NOTHING_ATTACHED,
                    }
                })
            })
            .collect();
        Self {
            kind: ReportKind::Run,
            environment: file.environment,
            estimator: Some(estimator),
            samples,
        }
    }
}

/// A `probecost attach-scale` report.
#[derive(Clone, Debug, Deserialize)]
pub struct AttachScaleFile {
    /// Where it was measured.
    pub environment: EnvironmentFile,
    /// One row per tracer and probe count.
    pub rows: Vec<AttachScaleRowFile>,
}

/// One tracer and probe count of an attach-scale report.
#[derive(Clone, Debug, Deserialize)]
pub struct AttachScaleRowFile {
    /// Tracer.
    pub tracer: String,
    /// The probe set.
    pub set: String,
    /// How probecost's programs attached the probes (`null`, or `bpftrace` in reports made
    /// before 2026-12-01, for bpftrace's own).
    pub mechanism: Option<String>,
    /// Probes attached.
    pub probes: usize,
    /// Each repetition's attach time, ms.
    pub attach_ms_runs: Vec<f64>,
    /// Each repetition's detach time, ms.
    pub detach_ms_runs: Vec<f64>,
}

impl From<AttachScaleFile> for ReportFile {
    /// Two rows per probe count: attaching and detaching, each repetition a round.
    fn from(file: AttachScaleFile) -> Self {
        let samples = file
            .rows
            .iter()
            .flat_map(|row| {
                [
                    ("attach", &row.attach_ms_runs),
                    ("detach", &row.detach_ms_runs),
                ]
                .map(|(step, runs)| Sample {
                    row: format!("{} x{} {step}", row.set, row.probes),
                    tracer: row.tracer.clone(),
                    rounds: Rounds::Values(runs.clone()),
                    typical: Vec::new(),
                    setup: row
                        .mechanism
                        .clone()
                        .filter(|m| m != "bpftrace")
                        .unwrap_or_else(|| format!("{}'s own", row.tracer)),
                    measures_a_probe: true,
                })
            })
            .collect();
        Self {
            kind: ReportKind::AttachScale,
            environment: file.environment,
            estimator: None,
            samples,
        }
    }
}

/// A `probecost complex-workload` report.
#[derive(Clone, Debug, Deserialize)]
pub struct WorkloadFile {
    /// Where it was measured.
    pub environment: EnvironmentFile,
    /// The command timed.
    pub command: Vec<String>,
    /// One result per configuration.
    pub results: Vec<WorkloadResultFile>,
}

/// One configuration of a workload report.
#[derive(Clone, Debug, Deserialize)]
pub struct WorkloadResultFile {
    /// `baseline` or the configuration's name.
    pub name: String,
    /// The probe sets attached.
    pub sets: Vec<WorkloadSetFile>,
    /// Each run's wall time, s.
    pub runs_s: Vec<f64>,
}

/// One probe set of a workload configuration.
#[derive(Clone, Debug, Deserialize)]
pub struct WorkloadSetFile {
    /// The set's name.
    pub set: String,
    /// How its probes attached.
    pub mechanism: String,
}

impl From<WorkloadFile> for ReportFile {
    /// One row per configuration, each run of the command a round; the command and the sets'
    /// mechanisms are how it was measured.
    fn from(file: WorkloadFile) -> Self {
        let command = file.command.join(" ");
        let samples = file
            .results
            .iter()
            .map(|result| {
                let sets: Vec<String> = result
                    .sets
                    .iter()
                    .map(|s| format!("{} via {}", s.set, s.mechanism))
                    .collect();
                Sample {
                    row: result.name.clone(),
                    // The report does not name it: the platform's own tracer measured it.
                    tracer: "-".into(),
                    rounds: Rounds::Values(result.runs_s.clone()),
                    typical: Vec::new(),
                    setup: if sets.is_empty() {
                        format!("`{command}` untraced")
                    } else {
                        format!("`{command}` with {}", sets.join(", "))
                    },
                    measures_a_probe: true,
                }
            })
            .collect();
        Self {
            kind: ReportKind::Workload,
            environment: file.environment,
            estimator: None,
            samples,
        }
    }
}
