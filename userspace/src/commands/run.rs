//! `probecost run`: Benchmark 1, every scenario's control and traced runs interleaved on one
//! CPU, for each tracer.

use std::{path::PathBuf, time::Duration};

use super::{pinned_workload, workload_cpu, ExportPaths, Measuring, Outcome};
use probecost_core::{
    benchmark::{run_suite, BenchmarkSettings, RatioPair, RoundPolicy, RoundProgress, SuiteRow},
    compare::{BaselineStore, ReportFile, RunFindings, SuiteReport},
    environment::Environment,
    error::{Error, Result},
    interrupt,
    platform::{BackendSettings, Platform},
    report::Report as _,
    result::{ScenarioResult, Suite},
    scenario::{Hook, Scenario, ScenarioCatalog, ScenarioSuite},
    tracer::Tracer,
    workload::{DdProcess, Workload},
};

/// What is timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum WorkloadChoice {
    /// The in-process dd-style loop, timed in batches.
    InProcess,
    /// The real `dd if=/dev/zero of=/dev/null bs=1 count=N`, one process per run.
    Dd,
}

/// What `probecost run` measures.
#[derive(Clone, Debug)]
pub struct RunCommand {
    /// Scenario names; all of `suite` when empty.
    pub scenarios: Vec<String>,
    /// The suite run when no scenario is named.
    pub suite: ScenarioSuite,
    /// How many control/traced rounds each scenario gets.
    pub rounds: RoundPolicy,
    /// Operations per run (sized from `run_time` when `None`).
    pub ops: Option<u64>,
    /// Target duration of a traced run when `ops` is not given.
    pub run_time: Duration,
    /// The workload's CPU (the default when `None`).
    pub cpu: Option<usize>,
    /// Whether to count events with BPF statistics in a separate run.
    pub verify: bool,
    /// Tracers to compare; the platform's own when empty.
    pub tracers: Vec<Tracer>,
    /// The tracer the first one's ratio columns are held against.
    pub ratio_against: Tracer,
    /// What is timed.
    pub workload: WorkloadChoice,
    /// Result files.
    pub exports: ExportPaths,
    /// Where per-event scenarios write their lines.
    pub per_event_sink: PathBuf,
    /// Measure even while another probecost measures.
    pub allow_concurrent: bool,
    /// Save the report as this baseline when the run completes.
    pub save_baseline: Option<String>,
    /// Compare the report with this saved baseline after the run.
    pub baseline: Option<String>,
}

/// The scenarios named, or all of `suite`.
fn selected_scenarios(names: &[String], suite: ScenarioSuite) -> Result<Vec<&'static Scenario>> {
    let catalog = ScenarioCatalog;
    if names.is_empty() {
        return Ok(catalog.suite(suite).iter().collect());
    }
    if names.iter().all(|n| n.trim().is_empty()) {
        return Err(Error::Input(format!(
            "--scenario needs at least one name; valid scenarios: {}",
            catalog.names()
        )));
    }
    catalog.select(names).map_err(|unknown| {
        Error::Input(format!(
            "unknown scenario {}; valid scenarios: {}",
            probecost_core::report::backquoted(&unknown),
            catalog.names()
        ))
    })
}

/// One progress line per round.
pub(super) fn progress(round: &RoundProgress) {
    let finished = if round.finished.is_empty() || round.remaining == 0 {
        String::new()
    } else {
        format!("; done: {}", round.finished.join(", "))
    };
    let budget = if round.time_spent && !round.finished.is_empty() {
        "; --max-time spent: rows past their minimum rounds stop where they are"
    } else {
        ""
    };
    eprintln!(
        "[round {}/{}] {} scenarios in {:.1} s; {} still running{finished}{budget}",
        round.round,
        round.max_rounds,
        round.scenarios,
        round.took.as_secs_f64(),
        round.remaining,
    );
}

fn report_json(report: &SuiteReport) -> Result<Vec<u8>> {
    report
        .json()
        .map_err(|e| Error::operation(format!("writing JSON: {e}")))
}

/// The report of a suite's `results`, run with `settings` on `workload`.
pub(super) fn suite_report(
    environment: Environment,
    settings: &BenchmarkSettings,
    workload: String,
    results: Vec<ScenarioResult>,
) -> SuiteReport {
    let target = settings.rounds.target();
    let interrupted = interrupt::stop_requested() || results.iter().any(|r| r.interrupted);
    SuiteReport {
        environment,
        interrupted,
        findings: RunFindings {
            suite: Suite {
                runs_requested: settings.rounds.min_rounds(),
                target_ci_pct: target.map(|t| t.pct),
                ci_floor_ns: target.map(|t| t.floor_ns),
                max_runs: target.map(|t| t.max_rounds),
                max_time_s: target.and_then(|t| t.max_time).map(|d| d.as_secs()),
                workload,
                estimator: settings.estimator,
                scenarios: results,
            },
            baseline_comparison: None,
        },
    }
}

/// Runs the suite, prints the table and writes the result files.
pub fn run(platform: &dyn Platform, command: &RunCommand) -> Result<Outcome> {
    let scenarios = selected_scenarios(&command.scenarios, command.suite)?;
    // The uprobe-site rows need the workload to call the sites, which only the in-process
    // loop does.
    let sites = scenarios
        .iter()
        .any(|s| s.programs.iter().any(|p| matches!(p.hook, Hook::Site(_))));
    if sites && command.workload == WorkloadChoice::Dd {
        return Err(Error::Input(
            "the uprobe-site rows of the mechanism matrix need the in-process workload (it \
             calls probecost's sites); drop --workload dd or name other --scenario rows"
                .into(),
        ));
    }
    let cpu = workload_cpu(command.cpu)?;
    // A missing baseline or a bad name is found before anything is measured; without either
    // flag no baseline directory is needed.
    let store = if command.baseline.is_some() || command.save_baseline.is_some() {
        Some(BaselineStore::user()?)
    } else {
        None
    };
    let baseline = match (&store, &command.baseline) {
        (Some(store), Some(name)) => Some(store.load(name)?),
        _ => None,
    };
    if let (Some(store), Some(name)) = (&store, &command.save_baseline) {
        store.path(name)?;
    }
    let measuring = Measuring::begin(platform, &command.exports, command.allow_concurrent)?;
    let workload: Box<dyn Workload> = match command.workload {
        WorkloadChoice::InProcess if sites => Box::new(pinned_workload(cpu)?.with_uprobe_sites()),
        WorkloadChoice::InProcess => Box::new(pinned_workload(cpu)?),
        WorkloadChoice::Dd => {
            Box::new(DdProcess::new(cpu).map_err(Error::io("preparing dd (see --workload)"))?)
        }
    };
    let tracers = if command.tracers.is_empty() {
        vec![platform.native_tracer()]
    } else {
        command.tracers.clone()
    };
    let mut backends = platform.tracer_backends(
        &tracers,
        &BackendSettings {
            per_event_sink: command.per_event_sink.clone(),
            workload_cpu: cpu,
            in_process_workload: command.workload == WorkloadChoice::InProcess,
        },
    )?;
    let environment = Environment::probe(Some(cpu), backends.iter().map(|b| b.version()).collect());
    eprint!(
        "{}",
        probecost_core::report::render_environment(&environment)
    );
    eprintln!("workload: {}", workload.description());

    let settings = BenchmarkSettings {
        rounds: command.rounds,
        ops: command.ops,
        run_time: command.run_time,
        verify: command.verify,
        ratio: RatioPair {
            tracer: tracers[0],
            against: command.ratio_against,
        },
        ..BenchmarkSettings::default()
    };
    let rows: Vec<SuiteRow<'_>> = scenarios.iter().copied().map(SuiteRow::Scenario).collect();
    let results = run_suite(
        &mut backends,
        &rows,
        workload.as_ref(),
        &settings,
        interrupt::stop_flag(),
        &mut progress,
    )?;
    let mut report = suite_report(environment, &settings, workload.description(), results);
    // The comparison is part of the report, so every output (terminal, JSON, Markdown, HTML)
    // carries it.
    if let Some(base) = baseline {
        let json = serde_json::to_value(&report)
            .map_err(|e| Error::operation(format!("writing this run's report: {e}")))?;
        let this = ReportFile::from_json(json)
            .map_err(|e| Error::operation(format!("reading back this run's report: {e}")))?;
        let comparison = probecost_core::compare::compare(
            &[base, ("this run".into(), this)],
            probecost_core::compare::CompareSettings::default(),
        )?;
        report.findings.baseline_comparison = Some(comparison);
    }
    let outcome = measuring.finish(&report)?;
    if let (Some(store), Some(name)) = (&store, &command.save_baseline) {
        if outcome == Outcome::Completed {
            let path = store.save(name, &report_json(&report)?)?;
            println!("saved baseline {name}: {}", path.display());
        } else {
            eprintln!("probecost: baseline {name} not saved: the run was interrupted");
        }
    }
    Ok(outcome)
}
