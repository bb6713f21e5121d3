//! `attach-scale`: how long attaching and detaching N probes takes, per mechanism and tracer,
//! and what the fast mechanism costs per event against the per-probe one. This module holds
//! the results and their table and plot; the Linux backend measures them.

mod plot;

use std::fmt::Write as _;

pub use plot::AttachScalePlot;
use serde::Serialize;

use crate::report::number_or_dash as num;

use crate::{environment::Environment, probe_set::Mechanism};

/// One probe count of one tracer.
#[derive(Clone, Debug, Serialize)]
pub struct AttachScaleRow {
    /// `aya` (probecost's counting programs) or `bpftrace`.
    pub tracer: &'static str,
    /// The probe set (`syscalls`, `tracepoint:sched:*`...).
    pub set: String,
    /// How the probes were attached.
    pub mechanism: Mechanism,
    /// Probes in the set at this count.
    pub probes: usize,
    /// Attachments the kernel holds for them (2 for raw-syscalls, whatever the count).
    pub links: Option<usize>,
    /// Median time to attach every probe, ms (probecost: loading included; bpftrace: from
    /// process start until it reported every probe attached).
    pub attach_ms: f64,
    /// Median time to detach every probe, ms (bpftrace: from SIGINT until it exited).
    pub detach_ms: f64,
    /// Each repetition's attach time, ms.
    pub attach_ms_runs: Vec<f64>,
    /// Each repetition's detach time, ms.
    pub detach_ms_runs: Vec<f64>,
    /// Activations counted while attached (last repetition), where the tracer reports them.
    pub activations: Option<u64>,
}

/// The per-event cost of the same events (read and write entry and exit) through one perf
/// event per syscall tracepoint and through the two raw syscall tracepoints.
#[derive(Clone, Debug, Serialize)]
pub struct PerEventTrade {
    /// Probes per workload operation (read and write, entry and exit).
    pub events_per_op: f64,
    /// Control/traced rounds.
    pub runs: usize,
    /// Per-syscall perf-event tracepoints: ns per event (fastest runs).
    pub perf_event_ns: Option<f64>,
    /// Its median and 95% bootstrap interval, ns.
    pub perf_event_ci95: Option<[f64; 2]>,
    /// raw_syscalls sys_enter/sys_exit with the per-syscall map: ns per event.
    pub raw_syscalls_ns: Option<f64>,
    /// Its 95% bootstrap interval, ns.
    pub raw_syscalls_ci95: Option<[f64; 2]>,
}

/// Everything one `probecost attach-scale` measured.
#[derive(Clone, Debug, Serialize)]
pub struct AttachScaleReport {
    /// Where.
    pub environment: Environment,
    /// Repetitions per count.
    pub repetitions: usize,
    /// What resolving the set left out, and why.
    pub notes: Vec<String>,
    /// One row per tracer and count.
    pub rows: Vec<AttachScaleRow>,
    /// The per-event trade, for syscall sets.
    pub per_event_trade: Option<PerEventTrade>,
    /// Whether Ctrl-C or SIGTERM cut the run short.
    pub interrupted: bool,
}

/// The table and the trade.
pub fn render(report: &AttachScaleReport) -> String {
    let mut out = crate::report::render_environment(&report.environment);
    let _ = writeln!(
        out,
        "{:<9} {:<22} {:<15} {:>6} {:>6} {:>11} {:>11} {:>13} {:>13} {:>11}",
        "tracer",
        "set",
        "mechanism",
        "probes",
        "links",
        "attach ms",
        "detach ms",
        "attach µs/pr",
        "detach µs/pr",
        "activations"
    );
    for r in &report.rows {
        let per_probe = |ms: f64| Some(ms * 1000.0 / r.probes.max(1) as f64);
        let _ = writeln!(
            out,
            "{:<9} {:<22} {:<15} {:>6} {:>6} {:>11} {:>11} {:>13} {:>13} {:>11}",
            r.tracer,
            r.set,
            r.mechanism.name(),
            r.probes,
            r.links.map_or("-".into(), |l| l.to_string()),
            num(Some(r.attach_ms), 1),
            num(Some(r.detach_ms), 1),
            num(per_probe(r.attach_ms), 1),
            num(per_probe(r.detach_ms), 1),
            r.activations.map_or("-".into(), |a| a.to_string()),
        );
    }
    let _ = writeln!(
        out,
        "\nmedians of {} repetitions; activations: counted by the programs while attached (last repetition).",
        report.repetitions
    );
    if let Some(t) = &report.per_event_trade {
        let ci = |c: Option<[f64; 2]>| c.map_or("-".into(), |[l, h]| format!("[{l:.1}, {h:.1}]"));
        let _ = writeln!(
            out,
            "\nper-event cost of read and write entry+exit ({} events per operation, {} rounds):\n  \
             perf-event tracepoint per syscall: {} ns/event {}\n  \
             raw_syscalls sys_enter/sys_exit + per-syscall map: {} ns/event {}",
            t.events_per_op,
            t.runs,
            num(t.perf_event_ns, 1),
            ci(t.perf_event_ci95),
            num(t.raw_syscalls_ns, 1),
            ci(t.raw_syscalls_ci95),
        );
    }
    out
}
