//! `probecost measure --object FILE.bpf.o` (or `--bpftrace FILE.bt`, `--bpftrace-e PROGRAM`):
//! what a user's own BPF programs, or bpftrace script, cost per event, against a control, with
//! the rounds, verification and reports of `run`.

use std::{path::PathBuf, time::Duration};

use super::{
    pinned_workload,
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
    result::ScenarioResult,
    workload::{CommandProcess, DdProcess, Interruptible, Workload},
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
    let mut tool = OpenedTool::open(platform, &command.tool, cpu)?;
    let measuring = Measuring::begin(platform, &command.exports, command.allow_concurrent)?;
    let workload = chosen_workload(&command.command, command.workload, cpu)?;
    tool.check_events(workload.as_ref())?;

    let environment = Environment::probe(Some(cpu), vec![tool.version()]);
    eprint!(
        "{}",
        probecost_core::report::render_environment(&environment)
    );
    eprintln!("workload: {}", workload.description());
    eprintln!("programs: {}", tool.object.description);
    let settings = tool.settings(command.rounds, command.ops, command.run_time);
    let results = tool.measure(&settings, workload.as_ref())?;
    let report = suite_report(environment, &settings, workload.description(), results);
    measuring.finish(&report)
}

/// The workload `measure` times: a command after `--` (one execution per operation), the
/// real dd, or the in-process loop.
pub(super) fn chosen_workload(
    command: &[String],
    choice: WorkloadChoice,
    cpu: usize,
) -> Result<Box<dyn Workload>> {
    Ok(if !command.is_empty() {
        Box::new(
            CommandProcess::new(command.to_vec(), cpu)
                .map_err(|e| Error::Input(format!("the command after `--`: {e}")))?,
        )
    } else if choice == WorkloadChoice::Dd {
        Box::new(DdProcess::new(cpu).map_err(Error::io("preparing dd (see --workload)"))?)
    } else {
        Box::new(pinned_workload(cpu)?)
    })
}

/// A user's tool, opened by the platform, as one row.
pub(super) struct OpenedTool {
    /// The tool's backend and what it loads.
    pub object: ObjectBackend,
    /// Its row.
    pub row: ObjectRow,
    /// Events per operation when given (`--events-per-op`) rather than counted.
    given_events: Option<f64>,
}

impl OpenedTool {
    /// Opens `tool` (nothing is loaded yet); its workload will run on `cpu`.
    pub fn open(platform: &dyn Platform, tool: &MeasuredTool, cpu: usize) -> Result<Self> {
        let (object, note, given_events) = match tool {
            MeasuredTool::Object(request) => (platform.user_object(request)?, OBJECT_NOTE, None),
            MeasuredTool::BpftraceFile(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(Error::io(format!("reading the script {}", path.display())))?;
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into(),
                );
                (script(platform, name, text, cpu)?, SCRIPT_NOTE, None)
            }
            MeasuredTool::BpftraceProgram(text) => (
                script(platform, "bpftrace -e".into(), text.clone(), cpu)?,
                SCRIPT_NOTE,
                None,
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
                (platform.user_command(&request)?, note, *events_per_op)
            }
        };
        let row = ObjectRow {
            name: object.row_name.clone(),
            note,
        };
        Ok(Self {
            object,
            row,
            given_events,
        })
    }

    /// The tracer's name and version, for the environment block.
    pub fn version(&self) -> String {
        self.object.backend.version()
    }

    /// Checks that the tool's programs run under `workload` (unless its events are given),
    /// returning the events per operation counted: [`Error::NoEvents`] when they do not run.
    pub fn check_events(&mut self, workload: &dyn Workload) -> Result<f64> {
        if let Some(given) = self.given_events {
            return Ok(given);
        }
        every_program_runs(
            self.object.backend.as_mut(),
            &self.row,
            &self.object.programs,
            workload,
        )
    }

    /// The runner's settings for this tool.
    pub fn settings(
        &self,
        rounds: RoundPolicy,
        ops: Option<u64>,
        run_time: Duration,
    ) -> BenchmarkSettings {
        BenchmarkSettings {
            rounds,
            ops,
            run_time,
            verify: true,
            events: self
                .given_events
                .map_or(EventsPerOp::Counted, EventsPerOp::Given),
            ..BenchmarkSettings::default()
        }
    }

    /// Measures the row against a control under `workload`.
    pub fn measure(
        self,
        settings: &BenchmarkSettings,
        workload: &dyn Workload,
    ) -> Result<Vec<ScenarioResult>> {
        let mut backends = vec![self.object.backend];
        run_suite(
            &mut backends,
            &[SuiteRow::Object(&self.row)],
            workload,
            settings,
            interrupt::stop_flag(),
            &mut progress,
        )
    }
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
) -> Result<f64> {
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
        let events: u64 = stats.programs.iter().map(|run| run.count).sum();
        return Ok(events as f64 / ops as f64);
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
    Err(Error::NoEvents(format!(
        "{which} {} ran 0 times while the workload ({}) made {ops} operations: its events never \
         happened, so there is no cost to report; {attach_elsewhere}give a workload that \
         reaches it (--workload dd, or -- CMD ARGS)",
        silent.join(", "),
        workload.description()
    )))
}
