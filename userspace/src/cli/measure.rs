//! `probecost measure`'s arguments.

use std::path::PathBuf;

use clap::Args;
use probecost_core::platform::ObjectRequest;

use super::{MeasuringArgs, RoundArgs};
use crate::commands::{MeasureCommand, WorkloadChoice};

#[derive(Args, Debug)]
pub struct MeasureArgs {
    /// The compiled BPF object (`clang -target bpf -O2 -g -c prog.bpf.c -o prog.bpf.o`).
    #[arg(long, value_name = "FILE.bpf.o")]
    object: PathBuf,
    /// Programs to load and attach (comma-separated); all of the object's by default.
    #[arg(long, value_delimiter = ',')]
    program: Vec<String>,
    /// Where to attach a program whose SEC() name libbpf cannot attach by itself:
    /// [PROGRAM=]POINT, POINT one of tracepoint:CATEGORY:NAME, rawtracepoint:NAME,
    /// kprobe:FUNCTION, kretprobe:FUNCTION, uprobe:BINARY:SYMBOL, uretprobe:BINARY:SYMBOL.
    #[arg(long, value_name = "[PROGRAM=]POINT")]
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
            object: ObjectRequest {
                path: self.object.clone(),
                programs: self.program.clone(),
                attach: self.attach.clone(),
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
