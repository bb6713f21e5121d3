//! `probecost attach-scale`'s arguments.

use std::time::Duration;

use clap::Args;
use probecost_core::tracer::Tracer;

use super::MeasuringArgs;
use crate::commands::{AttachScaleCommand, MechanismChoice};

#[derive(Args, Debug)]
pub struct AttachScaleArgs {
    /// The probe set: syscalls, syscalls-entry, tracepoint:CATEGORY:NAME (globs, e.g.
    /// tracepoint:sched:*), uprobe-libc, kprobe:GLOB, fentry:GLOB.
    #[arg(long)]
    kind: String,
    /// Probe counts to time (comma-separated); `all` is the whole set.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100,all")]
    counts: Vec<String>,
    /// How the probes attach: perf-event (one perf event per tracepoint, bpftrace's way), raw
    /// (raw tracepoints; for syscalls the two raw_syscalls tracepoints and a per-syscall map),
    /// or multi (kprobe sets: one kprobe.multi link for all entries and one for all returns).
    /// Default: perf-event for tracepoints, one perf event per function for kprobes.
    #[arg(long, value_enum)]
    mechanism: Option<MechanismChoice>,
    /// Tracers (comma-separated): aya (probecost's counting programs), bpftrace.
    #[arg(long, value_delimiter = ',', value_enum, default_value = "aya")]
    tracer: Vec<Tracer>,
    /// Repetitions per count (the median is reported), 1 to 1000.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1000))]
    repeat: u64,
    /// How long the probes stay attached and counting in each repetition, ms.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(0..=600_000))]
    window_ms: u64,
    /// Skips the per-event comparison of the two syscall mechanisms (syscall sets only).
    #[arg(long)]
    no_trade: bool,
    /// CPU for the comparison's workload (default: the last one this process may use).
    #[arg(long)]
    cpu: Option<usize>,
    #[command(flatten)]
    measuring: MeasuringArgs,
}

impl AttachScaleArgs {
    pub fn command(&self) -> AttachScaleCommand {
        AttachScaleCommand {
            kind: self.kind.clone(),
            counts: self.counts.clone(),
            mechanism: self.mechanism,
            tracers: self.tracer.clone(),
            repeat: self.repeat as usize,
            window: Duration::from_millis(self.window_ms),
            no_trade: self.no_trade,
            cpu: self.cpu,
            exports: self.measuring.export.paths(),
            allow_concurrent: self.measuring.allow_concurrent,
        }
    }
}
