//! `probecost measure --object FILE.bpf.o`: what a user's own BPF programs cost per event,
//! against a control, with the rounds, verification and reports of `run`.

use std::time::Duration;

use super::{
    run::{progress, suite_report},
    workload_cpu, ExportPaths, Measuring, Outcome, WorkloadChoice,
};
use probecost_core::{
    benchmark::{
        run_suite, BenchmarkSettings, EventsPerOp, ObjectRow, RoundPolicy, SuiteRow, TracerBackend,
    },
    environment::Environment,
    error::{Error, Result},
    interrupt,
    platform::{ObjectRequest, Platform},
    workload::{CommandProcess, DdProcess, Interruptible, PinnedWorkload, Workload},
};

/// What `probecost measure` measures.
#[derive(Clone, Debug)]
pub struct MeasureCommand {
    /// The object and its programs.
    pub object: ObjectRequest,
    /// A command timed as a whole process per operation (`-- CMD ARGS`), instead of `workload`.
    pub command: Vec<String>,
    /// The workload when no command is given.
    pub workload: WorkloadChoice,
    /// How many control/traced rounds.
    pub rounds: RoundPolicy,
    /// Operations per run (sized from `run_time` when `None`).
    pub ops: Option<u64>,
    /// Target duration of a traced run when `ops` is not given.
    pub run_time: Duration,
    /// The workload's CPU (the default when `None`).
    pub cpu: Option<usize>,
    /// Result files.
    pub exports: ExportPaths,
    /// Measure even while another probecost measures.
    pub allow_concurrent: bool,
}

/// What a row of a user's object says about its cost.
const ROW_NOTE: &str = "a user's object: per event = per program run, as the verification run \
                        counted them (all its programs together)";

/// Measures the object, prints the table and writes the result files.
pub fn measure(platform: &dyn Platform, command: &MeasureCommand) -> Result<Outcome> {
    if !command.command.is_empty() && command.workload == WorkloadChoice::Dd {
        return Err(Error::Input(
            "give --workload dd or a command after `--`, not both".into(),
        ));
    }
    let object = platform.user_object(&command.object)?;
    let cpu = workload_cpu(command.cpu)?;
    let measuring = Measuring::begin(platform, &command.exports, command.allow_concurrent)?;
    let workload: Box<dyn Workload> = if !command.command.is_empty() {
        Box::new(
            CommandProcess::new(command.command.clone(), cpu)
                .map_err(|e| Error::Input(format!("the command after `--`: {e}")))?,
        )
    } else if command.workload == WorkloadChoice::Dd {
        Box::new(DdProcess::new(cpu).map_err(Error::io("preparing dd (see --workload)"))?)
    } else {
        Box::new(PinnedWorkload::on_this_thread(cpu)?)
    };
    let row = ObjectRow {
        name: object.row_name.clone(),
        note: ROW_NOTE,
    };
    let mut backends = vec![object.backend];
    every_program_runs(
        backends[0].as_mut(),
        &row,
        &object.programs,
        workload.as_ref(),
    )?;

    let environment = Environment::probe(Some(cpu), vec![backends[0].version()]);
    eprint!(
        "{}",
        probecost_core::report::render_environment(&environment)
    );
    eprintln!("workload: {}", workload.description());
    eprintln!("programs: {}", object.description);
    let settings = BenchmarkSettings {
        rounds: command.rounds,
        ops: command.ops,
        run_time: command.run_time,
        verify: true,
        events: EventsPerOp::Counted,
        ..BenchmarkSettings::default()
    };
    let results = run_suite(
        &mut backends,
        &[SuiteRow::Object(&row)],
        workload.as_ref(),
        &settings,
        interrupt::stop_flag(),
        &mut progress,
    )?;
    let report = suite_report(environment, &settings, workload.as_ref(), results);
    measuring.finish(&report)
}

/// Loads and attaches the programs once and runs a short workload with BPF statistics on: a
/// program that never runs would make any cost a fiction, so it is an error naming it, before
/// anything is timed. Everything loaded here is gone when this returns.
fn every_program_runs(
    backend: &mut dyn TracerBackend,
    row: &ObjectRow,
    names: &[String],
    workload: &dyn Workload,
) -> Result<()> {
    let mut prepared = backend.prepare_row(SuiteRow::Object(row))?.programs;
    let ops = workload.min_ops();
    let stats = prepared
        .verify(
            Interruptible {
                workload,
                stop: interrupt::stop_flag(),
            },
            ops,
        )
        .map_err(Error::from)?;
    let silent: Vec<String> = names
        .iter()
        .zip(&stats.programs)
        .filter(|(_, run)| run.count == 0)
        .map(|(name, _)| format!("`{name}`"))
        .collect();
    if silent.is_empty() {
        return Ok(());
    }
    Err(Error::Input(format!(
        "program {} ran 0 times while the workload ({}) made {ops} operations: its events never \
         happened, so there is no cost to report; attach it where the workload goes \
         (--attach) or give a workload that reaches it (--workload dd, or -- CMD ARGS)",
        silent.join(", "),
        workload.description()
    )))
}
