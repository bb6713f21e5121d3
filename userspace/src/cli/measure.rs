//! `probecost measure`'s arguments.

use std::path::PathBuf;

use clap::{ArgGroup, Args};
use probecost_core::platform::ObjectRequest;

use super::{MeasuringArgs, RoundArgs};
use crate::commands::{MeasureCommand, MeasuredTool, WorkloadChoice};

#[derive(Args, Debug)]
#[command(group(ArgGroup::new("traced").required(true).args(["object", "bpftrace", "bpftrace_e"])))]
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
                // The argument group makes one of the three present.
                (_, _, program) => {
                    MeasuredTool::BpftraceProgram(program.clone().unwrap_or_default())
                }
            },
            command: self.command.clone(),
            workload: self.workload,
            rounds: self.rounds.policy(),
            ops: self.ops,
            run_time: self.rounds.run_time(),
            cpu: self.rounds.cpu,
            exports: self.measuring.export.paths(),
            allow_concurrent: self.measuring.allow_concurrent,
        }
    }
}
