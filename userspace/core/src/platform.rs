//! What a platform's backends offer every command: [`Platform`], implemented once per operating
//! system (`probecost-linux`, `probecost-freebsd`); the binary picks the one it was built for.

use std::{path::PathBuf, sync::atomic::AtomicBool};

use crate::{
    attach_scale::AttachScaleBackend, benchmark::TracerBackend,
    complex_workload::ComplexWorkloadBackend, error::Result, tracer::Tracer,
};

/// What a Benchmark 1 tracer backend needs to know.
#[derive(Clone, Debug)]
pub struct BackendSettings {
    /// Where per-event scenarios write their formatted lines.
    pub per_event_sink: PathBuf,
    /// The workload's CPU (tracer threads keep off it).
    pub workload_cpu: usize,
    /// Whether the workload is the in-process loop (not a `dd` per run).
    pub in_process_workload: bool,
}

/// What `measure --object` was asked to load.
#[derive(Clone, Debug, Default)]
pub struct ObjectRequest {
    /// The compiled BPF object.
    pub path: PathBuf,
    /// Programs to load (all of the object's when empty).
    pub programs: Vec<String>,
    /// `[PROGRAM=]POINT` attach points for programs whose section libbpf cannot attach.
    pub attach: Vec<String>,
}

/// What `measure --bpftrace` or `--bpftrace-e` was asked to run.
#[derive(Clone, Debug, Default)]
pub struct ScriptRequest {
    /// The row's name: the script's file name, or `bpftrace -e`.
    pub name: String,
    /// The bpftrace program.
    pub text: String,
    /// The workload's CPU, which bpftrace keeps off.
    pub workload_cpu: usize,
}

/// What `measure --tracer-cmd` was asked to run: any command that loads BPF programs.
#[derive(Clone, Debug, Default)]
pub struct CommandRequest {
    /// The command line, run by `/bin/sh -c`.
    pub command: String,
    /// Ready when a line of its output matches this regular expression (instead of when the
    /// BPF programs its process tree holds stop changing).
    pub ready_line: Option<String>,
    /// How long the programs held must stay the same for the command to count as ready.
    pub settle: std::time::Duration,
    /// How long it gets to become ready.
    pub ready_timeout: std::time::Duration,
    /// Whether it may hold no BPF program once ready (its events are then given, not
    /// counted); otherwise it is ready only once it holds at least one.
    pub may_hold_none: bool,
    /// How long it gets to exit after SIGINT, then after SIGTERM, before SIGKILL.
    pub stop_timeout: std::time::Duration,
    /// The workload's CPU, which the command keeps off.
    pub workload_cpu: usize,
}

/// A user's object, opened and checked, ready to be measured as a tracer.
pub struct ObjectBackend {
    /// Loads the object's programs for each traced run.
    pub backend: Box<dyn TracerBackend>,
    /// The object's file name: the row's name.
    pub row_name: String,
    /// The programs it loads, in order (empty when only the tracer knows them, as bpftrace
    /// does its script's).
    pub programs: Vec<String>,
    /// Each program and where it attaches.
    pub description: String,
}

/// A platform's backends, one per measurement.
pub trait Platform {
    /// `Err` with one line saying what is missing when this process cannot trace.
    fn check_privileges(&self) -> Result<()>;

    /// The tracer `run` uses when none is named.
    fn native_tracer(&self) -> Tracer;

    /// One Benchmark 1 backend per tracer, in order; a tracer this platform lacks is an error.
    fn tracer_backends(
        &self,
        tracers: &[Tracer],
        settings: &BackendSettings,
    ) -> Result<Vec<Box<dyn TracerBackend>>>;

    /// The `attach-scale` backend, stopping early once `stop` is set.
    fn attach_scale(&self, stop: &'static AtomicBool) -> Result<Box<dyn AttachScaleBackend>>;

    /// The `workload` (Benchmark 2) backend.
    fn complex_workload(&self) -> Result<Box<dyn ComplexWorkloadBackend>>;

    /// `measure --object`: opens the object and checks the request (nothing is loaded into
    /// the kernel until the backend prepares it).
    fn user_object(&self, request: &ObjectRequest) -> Result<ObjectBackend>;

    /// `measure --bpftrace`: a user's bpftrace script as the traced side (started for each
    /// traced run; nothing runs until then).
    fn user_script(&self, request: &ScriptRequest) -> Result<ObjectBackend> {
        Err(crate::error::Error::unsupported(format!(
            "measure --bpftrace runs bpftrace, which runs on Linux, not for `{}`",
            request.name
        )))
    }

    /// `measure --tracer-cmd`: a command that loads BPF programs as the traced side (started
    /// for each traced run; nothing runs until then).
    fn user_command(&self, request: &CommandRequest) -> Result<ObjectBackend> {
        Err(crate::error::Error::unsupported(format!(
            "measure --tracer-cmd finds the BPF programs a command holds on Linux, not here \
             (`{}`)",
            request.command
        )))
    }

    /// `list`: every scenario, its attach point and whether this kernel runs it.
    fn scenario_list(&self) -> Result<String>;
}

/// The `list` table's header and one line per scenario: `(row, name, attach points, support)`.
pub fn list_table(column: &str, lines: Vec<(String, &str, String, String)>) -> String {
    let width = lines.iter().map(|l| l.1.len()).max().unwrap_or(0).max(17);
    let mut out = format!(
        "{:>3}  {:<width$} {:<62} this kernel\n",
        "row", "scenario", column
    );
    for (row, name, attach, support) in lines {
        out.push_str(&format!(
            "{row:>3}  {name:<width$} {attach:<62} {support}\n"
        ));
    }
    out
}
