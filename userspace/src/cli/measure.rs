//! `probecost measure`'s arguments.

use std::{path::PathBuf, time::Duration};

use clap::{ArgGroup, Args};
use probecost_core::{
    benchmark::{RoundPolicy, TargetCi},
    platform::{CommandRequest, ObjectRequest},
};

use super::{positive, run::DEFAULT_CI_FLOOR_NS, MeasuringArgs, RoundArgs};
use crate::commands::{MeasureCommand, MeasuredTool, WorkloadChoice};

/// `measure`'s rounds when neither --rounds nor --target-ci is given: one program's cost is
/// worth its precision, so rounds until the floor is within ±2 % (at most 100 rounds or 60 s).
/// At least 20: asked after every round, a bootstrap over a handful of rounds now and then
/// comes out narrow by chance and would stop there with an interval too narrow.
const PRECISION_BY_DEFAULT: RoundPolicy = RoundPolicy::TargetCi(TargetCi {
    pct: 2.0,
    floor_ns: DEFAULT_CI_FLOOR_NS,
    min_rounds: 20,
    max_rounds: 100,
    max_time: Some(Duration::from_secs(60)),
});

#[derive(Args, Debug)]
#[command(group(
    ArgGroup::new("traced")
        .required(true)
        .args(["object", "bpftrace", "bpftrace_e", "tracer_cmd"])
))]
pub struct MeasureArgs {
    /// The compiled BPF object (`clang -target bpf -O2 -g -c prog.bpf.c -o prog.bpf.o`).
    #[arg(long, value_name = "FILE.bpf.o")]
    object: Option<PathBuf>,
    /// A bpftrace script file, started for each traced run as the bpftrace tracer runs its
    /// scripts; per event = per run of its probe programs (BEGIN, END and timer probes left
    /// out of the count).
    #[arg(long, value_name = "FILE.bt")]
    bpftrace: Option<PathBuf>,
    /// A bpftrace program, as `bpftrace -e` takes it.
    #[arg(long, value_name = "PROGRAM")]
    bpftrace_e: Option<String>,
    /// Any command that loads BPF programs (run by /bin/sh -c), started for each traced run;
    /// per event = per run of the programs its process tree holds once it is ready.
    #[arg(long, value_name = "'CMD ARGS'")]
    tracer_cmd: Option<String>,
    /// With --tracer-cmd: ready when a line of its output matches REGEX (default: when it
    /// holds a BPF program and its programs and attachments have not changed for
    /// --settle-ms).
    #[arg(long, value_name = "REGEX", requires = "tracer_cmd")]
    ready_line: Option<String>,
    /// With --tracer-cmd: how long its programs and attachments must stay the same to count
    /// as ready.
    #[arg(long, default_value_t = 1000, requires = "tracer_cmd")]
    settle_ms: u64,
    /// With --tracer-cmd: how long it gets to become ready.
    #[arg(long, default_value_t = 60_000, requires = "tracer_cmd")]
    ready_timeout_ms: u64,
    /// With --tracer-cmd: how long it gets to exit after SIGINT, then after SIGTERM, before
    /// SIGKILL.
    #[arg(long, default_value_t = 5000, requires = "tracer_cmd")]
    stop_timeout_ms: u64,
    /// With --tracer-cmd, for a command that loads no BPF program: events per operation (its
    /// rows say the events are not verified).
    #[arg(long, value_name = "N", requires = "tracer_cmd", value_parser = positive)]
    events_per_op: Option<f64>,
    /// With --object: programs to load and attach (comma-separated); all of the object's by
    /// default.
    #[arg(long, value_delimiter = ',', requires = "object")]
    program: Vec<String>,
    /// With --object: where to attach a program whose SEC() name libbpf cannot attach by
    /// itself:
    /// [PROGRAM=]POINT, POINT one of tracepoint:CATEGORY:NAME, rawtracepoint:NAME,
    /// kprobe:FUNCTION, kretprobe:FUNCTION, uprobe:BINARY:SYMBOL, uretprobe:BINARY:SYMBOL.
    #[arg(long, value_name = "[PROGRAM=]POINT", requires = "object")]
    attach: Vec<String>,
    /// What is timed when no command follows `--`: the in-process dd-style loop, or the real
    /// dd as a whole process.
    #[arg(long, value_enum, default_value_t = WorkloadChoice::InProcess)]
    workload: WorkloadChoice,
    #[command(flatten)]
    rounds: RoundArgs,
    /// Operations per run (with a command after `--`, executions of it), at least 1
    /// (default: sized so a traced run lasts --run-time-ms).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000_000))]
    ops: Option<u64>,
    #[command(flatten)]
    measuring: MeasuringArgs,
    /// A command to time as a whole process, one execution per operation, instead of the
    /// workload.
    #[arg(last = true, value_name = "CMD ARGS")]
    command: Vec<String>,
}

impl MeasureArgs {
    pub fn command(&self) -> MeasureCommand {
        MeasureCommand {
            tool: match (&self.object, &self.bpftrace, &self.bpftrace_e) {
                (Some(path), _, _) => MeasuredTool::Object(ObjectRequest {
                    path: path.clone(),
                    programs: self.program.clone(),
                    attach: self.attach.clone(),
                }),
                (_, Some(path), _) => MeasuredTool::BpftraceFile(path.clone()),
                (_, _, Some(program)) => MeasuredTool::BpftraceProgram(program.clone()),
                // The argument group makes one of the four present.
                (None, None, None) => MeasuredTool::Command {
                    request: CommandRequest {
                        command: self.tracer_cmd.clone().unwrap_or_default(),
                        ready_line: self.ready_line.clone(),
                        settle: Duration::from_millis(self.settle_ms),
                        ready_timeout: Duration::from_millis(self.ready_timeout_ms),
                        may_hold_none: self.events_per_op.is_some(),
                        stop_timeout: Duration::from_millis(self.stop_timeout_ms),
                        workload_cpu: 0,
                    },
                    events_per_op: self.events_per_op,
                },
            },
            command: self.command.clone(),
            workload: self.workload,
            rounds: self.rounds.policy_or(PRECISION_BY_DEFAULT),
            ops: self.ops,
            run_time: self.rounds.run_time(),
            cpu: self.rounds.cpu,
            exports: self.measuring.export.paths(),
            allow_concurrent: self.measuring.allow_concurrent,
        }
    }
}
