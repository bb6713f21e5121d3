//! `compare`: did a cost change between two probecost reports, by how much, and is that more
//! than noise? Each row's change comes with a 95% bootstrap interval over the per-round values
//! of both files, and a verdict at that confidence; rows measured differently (status, attach
//! point, mechanism, command) are not comparable, and the environments' differences are named
//! first. Run reports compare per-event costs, attach-scale reports attach and detach times,
//! workload reports wall times.

mod agreement;
mod baseline;
mod input;
mod render;
mod run_report;

use serde::Serialize;

pub use agreement::Agreement;
pub use baseline::BaselineStore;
pub use input::{ReportFile, ReportKind, Rounds, RunFile, Sample, ScenarioFile, TracerFile};
pub use run_report::{RunFindings, SuiteReport};

use crate::{
    error::{Error, Result},
    report::Measured,
    stats::{self, SplitMix64},
};

/// Resamples of the bootstrap of each change.
const RESAMPLES: usize = 10_000;
/// Seed of the bootstrap, so a comparison can be reproduced from its files.
const SEED: u64 = 0x00C0_4EA5;

/// The default noise threshold, percent of the base: on the machine kind probecost is
/// developed on, two runs of one build drift apart by up to about this much (see
/// docs/methodology.md, "Comparing runs"), so a change whose whole interval is within it is
/// not called a change.
pub const DEFAULT_NOISE_THRESHOLD_PCT: f64 = 5.0;

/// What a row's change says at 95% confidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The interval of the change lies entirely below minus the noise threshold.
    Faster,
    /// The interval lies entirely above the noise threshold.
    Slower,
    /// The interval reaches into the noise threshold: no change beyond the noise.
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

/// How a comparison sets the newer files' per-event costs beside the base's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CostScale {
    /// As each file measured them.
    #[default]
    AsMeasured,
    /// At the base's machine speed: each newer row's cost times the base row's control floor
    /// over its own. Where the machine's speed moves between runs (as this project's cloud
    /// instances' do), every per-event cost moves with the control operation (docs/methodology.md,
    /// "The machine's speed"), so for one kernel this compares the probes rather than the
    /// machine. Across kernels the control operation itself may change: not for them.
    AtBaseSpeed,
}

/// How much a newer `run` report's control operation moved against the base's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ControlChange {
    /// The newer file.
    pub file: String,
    /// Its rows' control floors against the base's, percent (the median over rows): how much
    /// slower (positive) the machine ran as a whole.
    pub control_change_pct: f64,
}

/// One environment fact that differs between the files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EnvironmentDifference {
    /// The fact (`kernel_release`, `virtualization`, ...).
    pub field: &'static str,
    /// Its value in each file, in file order.
    pub values: Vec<String>,
}

/// One row and tracer of a newer file against the base file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComparedRow {
    /// The scenario, attach-scale step or workload configuration.
    pub row: String,
    /// Tracer name.
    pub tracer: String,
    /// The newer file.
    pub file: String,
    /// Base: the row's figure (its estimator's, or the median of its rounds), in the
    /// comparison's unit.
    pub base: Option<f64>,
    /// Newer file: the same.
    pub new: Option<f64>,
    /// `new - base`.
    pub change: Option<f64>,
    /// The change as a percentage of `base` (when that is positive).
    pub change_pct: Option<f64>,
    /// For `run` reports, the change of the typical cost (from the runs' means), percent of
    /// the base's typical cost: beside the floor's, never the verdict's.
    pub typical_change_pct: Option<f64>,
    /// 95% bootstrap interval of the change.
    pub change_ci95: Option<[f64; 2]>,
    /// For `run` reports, the row's control floor against the base's, percent: the machine's
    /// speed, which `new` is scaled by with `at-base-speed`.
    pub control_change_pct: Option<f64>,
    /// What the change says.
    pub verdict: Verdict,
    /// Why a row is not comparable.
    pub reason: Option<String>,
    /// Whether the row measured something attached (not a `run` report's control row); the
    /// JSON leaves it out, as the rows' names say it.
    #[serde(skip)]
    pub measures_a_probe: bool,
}

impl ComparedRow {
    /// The lower end of the change's interval as a percentage of the base, when both exist.
    pub fn change_ci95_low_pct(&self) -> Option<f64> {
        let base = self.base.filter(|b| *b > 0.0)?;
        Some(self.change_ci95?[0] / base * 100.0)
    }
}

/// What `probecost compare` found.
#[derive(Clone, Debug, Serialize)]
pub struct ReportComparison {
    /// The command whose reports were compared.
    pub kind: ReportKind,
    /// The unit of `base`, `new` and `change`.
    pub unit: &'static str,
    /// Changes whose interval reaches within this percentage of the base are `no change`.
    pub noise_threshold_pct: f64,
    /// Whether the newer files' costs are as measured or at the base's machine speed.
    pub scale: CostScale,
    /// For `run` reports, how much each newer file's control operation moved.
    pub control_changes: Vec<ControlChange>,
    /// The files, the base first.
    pub files: Vec<String>,
    /// Environment facts that differ between the files.
    pub environment_differences: Vec<EnvironmentDifference>,
    /// One row per row and tracer of each newer file.
    pub rows: Vec<ComparedRow>,
    /// With three or more files, how well their figures agree (for runs of one build: how
    /// reproducible they are on that machine).
    pub agreement: Option<Agreement>,
}

/// Everything one `probecost compare` found (the environment is where it compared).
pub type CompareReport = Measured<ReportComparison>;

/// 95% percentile-bootstrap interval of `new`'s figure (at `scale`) minus `base`'s,
/// resampling each file's rounds on their own (the two files are independent runs).
fn bootstrap_difference_ci95(
    base: &Rounds,
    new: &Rounds,
    scale: CostScale,
    rng: &mut SplitMix64,
) -> [f64; 2] {
    let differences = (0..RESAMPLES)
        .map(|_| {
            let (base_figure, base_control) = base.figure_and_control_floor_of(&base.resample(rng));
            let (new_figure, new_control) = new.figure_and_control_floor_of(&new.resample(rng));
            let speed = match scale {
                CostScale::AsMeasured => None,
                CostScale::AtBaseSpeed => speed_ratio(base_control, new_control),
            };
            new_figure / speed.unwrap_or(1.0) - base_figure
        })
        .collect();
    stats::percentile_ci95(differences)
}

/// The newer control floor over the base's: how much slower the machine ran.
fn speed_ratio(base_control: Option<f64>, new_control: Option<f64>) -> Option<f64> {
    match (base_control, new_control) {
        (Some(base), Some(new)) if base > 0.0 && new > 0.0 => Some(new / base),
        _ => None,
    }
}

fn compare_row(
    base: Option<&Sample>,
    new: Option<&Sample>,
    file: &str,
    settings: CompareSettings,
    rng: &mut SplitMix64,
) -> Option<ComparedRow> {
    let either = base.or(new)?;
    let mut row = ComparedRow {
        row: either.row.clone(),
        tracer: either.tracer.clone(),
        file: file.to_string(),
        base: None,
        new: None,
        change: None,
        change_pct: None,
        typical_change_pct: None,
        change_ci95: None,
        control_change_pct: None,
        verdict: Verdict::NoChange,
        reason: None,
        measures_a_probe: [base, new]
            .into_iter()
            .flatten()
            .all(|s| s.measures_a_probe),
    };
    let (base, new) = match (base, new) {
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
    let median = |v: &[f64]| (!v.is_empty()).then(|| stats::median(v));
    row.base = base.rounds.figure();
    row.new = new.rounds.figure();
    if base.setup != new.setup {
        row.verdict = Verdict::NotComparable;
        row.reason = Some(format!("{} in the base, {} here", base.setup, new.setup));
        return Some(row);
    }
    let (Some(base_value), Some(measured)) = (row.base, row.new) else {
        row.verdict = Verdict::NotComparable;
        row.reason = Some("no completed rounds in one of the files".into());
        return Some(row);
    };
    let speed = speed_ratio(base.rounds.control_floor(), new.rounds.control_floor());
    row.control_change_pct = speed.map(|s| (s - 1.0) * 100.0);
    // The newer file's costs at the base's speed, typical costs included.
    let at_scale = |cost: f64| match settings.scale {
        CostScale::AsMeasured => cost,
        CostScale::AtBaseSpeed => cost / speed.unwrap_or(1.0),
    };
    let new_value = at_scale(measured);
    row.new = Some(new_value);
    let mut ci = bootstrap_difference_ci95(&base.rounds, &new.rounds, settings.scale, rng);
    if let Some(estimator) = base.rounds.estimator() {
        // As wide as the reports' own intervals are drawn, by the file with fewer rounds.
        let rounds = base.rounds.len().min(new.rounds.len());
        ci = estimator.interval_over(new_value - base_value, ci, rounds);
    }
    row.change = Some(new_value - base_value);
    row.change_pct = (base_value > 0.0).then(|| (new_value - base_value) / base_value * 100.0);
    row.change_ci95 = Some(ci);
    if let (Some(base_typical), Some(new_typical)) = (median(&base.typical), median(&new.typical)) {
        let new_typical = at_scale(new_typical);
        row.typical_change_pct =
            (base_typical > 0.0).then(|| (new_typical - base_typical) / base_typical * 100.0);
    }
    let noise = settings.noise_threshold_pct / 100.0 * base_value.abs();
    row.verdict = if ci[0] > noise {
        Verdict::Slower
    } else if ci[1] < -noise {
        Verdict::Faster
    } else {
        Verdict::NoChange
    };
    Some(row)
}

/// The environment facts compared, by name, from each file.
fn environment_facts(file: &ReportFile) -> [(&'static str, String); 7] {
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

/// How `compare` judges a change.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CompareSettings {
    /// A row is `slower` or `faster` only when the whole 95% interval of its change lies
    /// beyond this percentage of its base value.
    pub noise_threshold_pct: f64,
    /// The newer files' costs as measured or at the base's machine speed (`run` reports).
    pub scale: CostScale,
}

impl Default for CompareSettings {
    fn default() -> Self {
        Self {
            noise_threshold_pct: DEFAULT_NOISE_THRESHOLD_PCT,
            scale: CostScale::AsMeasured,
        }
    }
}

/// Compares every file after the first against the first; every file must come from the same
/// command.
pub fn compare(
    files: &[(String, ReportFile)],
    settings: CompareSettings,
) -> Result<ReportComparison> {
    let kind = files.first().map_or(ReportKind::Run, |(_, f)| f.kind);
    if settings.scale == CostScale::AtBaseSpeed && kind != ReportKind::Run {
        return Err(Error::Input(format!(
            "--at-base-speed scales per-event costs by their rows' control runs, which only \
             `run` reports have; these are `{}` reports",
            kind.command()
        )));
    }
    if let Some((name, other)) = files.iter().find(|(_, f)| f.kind != kind) {
        return Err(Error::Input(format!(
            "{name} is a `{}` report and {} a `{}` report: compare compares reports of one \
             command",
            other.kind.command(),
            files[0].0,
            kind.command()
        )));
    }
    if let Some((name, other)) = files
        .iter()
        .find(|(_, f)| f.estimator != files[0].1.estimator)
    {
        let describe =
            |e: Option<crate::stats::Estimator>| e.map_or("none".into(), |e| e.to_string());
        return Err(Error::Input(format!(
            "{name} was estimated with {} and {} with {}: compare reports made with one \
             estimator",
            describe(other.estimator),
            files[0].0,
            describe(files[0].1.estimator)
        )));
    }
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
    let mut control_changes = Vec::new();
    if let Some(((_, base), newer)) = files.split_first() {
        for (name, new) in newer {
            // The base's rows in its order, then those only the newer file has.
            let key = |s: &Sample| (s.row.clone(), s.tracer.clone());
            let mut keys: Vec<(String, String)> = base.samples.iter().map(key).collect();
            for sample in &new.samples {
                if !keys.contains(&key(sample)) {
                    keys.push(key(sample));
                }
            }
            for (row, tracer) in &keys {
                let key = (row.as_str(), tracer.as_str());
                rows.extend(compare_row(
                    base.find(key),
                    new.find(key),
                    name,
                    settings,
                    &mut rng,
                ));
            }
            let moved: Vec<f64> = rows
                .iter()
                .filter(|r| r.file == *name)
                .filter_map(|r| r.control_change_pct)
                .collect();
            if !moved.is_empty() {
                control_changes.push(ControlChange {
                    file: name.clone(),
                    control_change_pct: stats::median(&moved),
                });
            }
        }
    }
    Ok(ReportComparison {
        agreement: agreement::agreement(kind, files.len(), &rows),
        kind,
        unit: kind.unit(),
        noise_threshold_pct: settings.noise_threshold_pct,
        scale: settings.scale,
        control_changes,
        files: files.iter().map(|(name, _)| name.clone()).collect(),
        environment_differences,
        rows,
    })
}

#[cfg(test)]
mod tests;
