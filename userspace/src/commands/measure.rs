//! `probecost measure --object FILE.bpf.o` (or `--bpftrace FILE.bt`, `--bpftrace-e PROGRAM`):
//! what a user's own BPF programs, or bpftrace script, cost per event, against a control, with
//! the rounds, verification and reports of `run`.

use std::{path::PathBuf, time::Duration};

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
    platform::{CommandRequest, ObjectBackend, ObjectRequest, Platform, ScriptRequest},
    workload::{CommandProcess, DdProcess, Interruptible, PinnedWorkload, Workload},
};

/// The traced side `measure` measures.
#[derive(Clone, Debug)]
pub enum MeasuredTool {
    /// A compiled BPF object and its programs, loaded with libbpf.
    Object(ObjectRequest),
    /// A bpftrace script in a file.
    BpftraceFile(PathBuf),
    /// A bpftrace program given on the command line.
    BpftraceProgram(String),
    /// Any command that loads BPF programs; `events_per_op` for one that loads none.
    Command {
        /// The command and how it starts and stops.
        request: CommandRequest,
        /// Events per operation, when no program of it can count them.
        events_per_op: Option<f64>,
    },
}

/// What `probecost measure` measures.
#[derive(Clone, Debug)]
pub struct MeasureCommand {
    /// What is traced.
    pub tool: MeasuredTool,
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
const OBJECT_NOTE: &str = "a user's object: per event = per program run, as the verification run \
                           counted them (all its programs together)";

/// What a row of a user's command says about its cost.
const COMMAND_NOTE: &str = "a command: per event = per run of the BPF programs its process \
                            tree held, as the verification run counted them";

/// What a row of a user's command says about its cost when it is given its events.
const GIVEN_EVENTS_NOTE: &str = "a command: per event = per --events-per-op event; events not \
                                 verified";

/// What a row of a user's bpftrace script says about its cost.
const SCRIPT_NOTE: &str = "a bpftrace script: per event = per run of its probe programs, as the \
                           verification run counted them (BEGIN, END and timer probes are left \
                           out of the count, not out of the cost)";

/// Measures the object, prints the table and writes the result files.
pub fn measure(platform: &dyn Platform, command: &MeasureCommand) -> Result<Outcome> {
    if !command.command.is_empty() && command.workload == WorkloadChoice::Dd {
        return Err(Error::Input(
            "give --workload dd or a command after `--`, not both".into(),
        ));
    }
    let cpu = workload_cpu(command.cpu)?;
    let (object, note) = match &command.tool {
        MeasuredTool::Object(request) => (platform.user_object(request)?, OBJECT_NOTE),
        MeasuredTool::BpftraceFile(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(Error::io(format!("reading the script {}", path.display())))?;
            let name = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into(),
            );
            (script(platform, name, text, cpu)?, SCRIPT_NOTE)
        }
        MeasuredTool::BpftraceProgram(text) => (
            script(platform, "bpftrace -e".into(), text.clone(), cpu)?,
            SCRIPT_NOTE,
        ),
        MeasuredTool::Command {
            request,
            events_per_op,
        } => {
            let request = CommandRequest {
                workload_cpu: cpu,
                ..request.clone()
            };
            let note = if events_per_op.is_some() {
                GIVEN_EVENTS_NOTE
            } else {
                COMMAND_NOTE
            };
            (platform.user_command(&request)?, note)
        }
    };
    let given_events = match &command.tool {
        MeasuredTool::Command {
            events_per_op: Some(n),
            ..
        } => Some(*n),
        _ => None,
    };
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
        note,
    };
    let mut backends = vec![object.backend];
    if given_events.is_none() {
        every_program_runs(
            backends[0].as_mut(),
            &row,
            &object.programs,
            workload.as_ref(),
        )?;
    }

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
        events: given_events.map_or(EventsPerOp::Counted, EventsPerOp::Given),
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

/// The backend of a bpftrace script called `name`.
fn script(
    platform: &dyn Platform,
    name: String,
    text: String,
    cpu: usize,
) -> Result<ObjectBackend> {
    if text.trim().is_empty() {
        return Err(Error::Input(format!("the bpftrace script {name} is empty")));
    }
    platform.user_script(&ScriptRequest {
        name,
        text,
        workload_cpu: cpu,
    })
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
    if stats.programs.is_empty() {
        return Err(Error::Input(format!(
            "{} held no BPF program once it was ready, so nothing counts its events: give \
             --events-per-op N to measure it anyway (its events then not verified)",
            row.name
        )));
    }
    // A tracer that names its programs only when it loads them (bpftrace) has them numbered.
    let silent: Vec<String> = stats
        .programs
        .iter()
        .enumerate()
        .filter(|(_, run)| run.count == 0)
        .map(|(i, _)| match names.get(i) {
            Some(name) => format!("`{name}`"),
            None => format!("#{}", i + 1),
        })
        .collect();
    // A script's probes may fire for some workloads and not others (opensnoop.bt traces
    // open and openat): it needs one that fires; every program of an object must.
    let enough_fire = if names.is_empty() {
        silent.len() < stats.programs.len()
    } else {
        silent.is_empty()
    };
    if enough_fire {
        return Ok(());
    }
    // A user's object can be attached elsewhere; a script says where it attaches itself.
    let attach_elsewhere = if names.is_empty() {
        ""
    } else {
        "attach it where the workload goes (--attach) or "
    };
    let which = if names.is_empty() {
        "the script's probe program"
    } else {
        "program"
    };
    Err(Error::Input(format!(
        "{which} {} ran 0 times while the workload ({}) made {ops} operations: its events never \
         happened, so there is no cost to report; {attach_elsewhere}give a workload that \
         reaches it (--workload dd, or -- CMD ARGS)",
        silent.join(", "),
        workload.description()
    )))
}
