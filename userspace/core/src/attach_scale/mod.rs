//! `attach-scale`: how long attaching and detaching N probes takes, per mechanism and tracer,
//! and what the fast mechanism costs per event against the per-probe one. This module holds
//! the results and their table and plot; the Linux backend measures them.

use std::{fmt::Write as _, time::Duration};

use serde::Serialize;

use crate::{
    error::Result,
    probe_set::{Mechanism, ProbeSet, ProbeSetKind},
    report::chart::{Chart, ChartKind, LineSeries, Palette},
    report::{cell, number_or_dash as num, Findings, Measured, Table},
    tracer::Tracer,
};

/// What to measure.
#[derive(Clone, Debug)]
pub struct AttachScaleSettings {
    /// The probe set.
    pub kind: ProbeSetKind,
    /// Its mechanism (the kind's usual one when `None`).
    pub mechanism: Option<Mechanism>,
    /// Probe counts; `None` is the whole set.
    pub counts: Vec<Option<usize>>,
    /// Repetitions per count.
    pub repeat: usize,
    /// `aya` and/or `bpftrace`.
    pub tracers: Vec<Tracer>,
    /// How long the probes stay attached, counting, in each repetition.
    pub window: Duration,
    /// CPU bpftrace keeps off, and the trade's workload uses.
    pub workload_cpu: usize,
}

/// What measures `attach-scale` on a platform.
pub trait AttachScaleBackend {
    /// `tracer` and its version, for the environment record (fails when it is missing).
    fn tracer_version(&self, tracer: Tracer) -> Result<String>;

    /// The probes of `kind` this kernel can attach through `mechanism` (the kind's usual one
    /// when `None`), with notes on what was left out; an unknown glob or a missing feature
    /// fails here, before anything attaches.
    fn resolve(&self, kind: &ProbeSetKind, mechanism: Option<Mechanism>) -> Result<ProbeSet>;

    /// Measures every count for every tracer, calling `on_row` after each; stops early,
    /// keeping the rows so far, when the backend's stop flag is set.
    fn measure(
        &mut self,
        set: &ProbeSet,
        settings: &AttachScaleSettings,
        on_row: &mut dyn FnMut(&AttachScaleRow),
    ) -> Result<Vec<AttachScaleRow>>;

    /// The per-event cost of the two syscall mechanisms on CPU `cpu`; `None` when the stop
    /// flag was set before it finished.
    fn per_event_trade(&mut self, cpu: usize) -> Result<Option<PerEventTrade>>;
}

/// One probe count of one tracer.
#[derive(Clone, Debug, Serialize)]
pub struct AttachScaleRow {
    /// `aya` (probecost's counting programs) or `bpftrace`.
    pub tracer: Tracer,
    /// The probe set (`syscalls`, `tracepoint:sched:*`...).
    pub set: String,
    /// How probecost's programs attached the probes; `None` for a tracer that chooses its
    /// own way (bpftrace).
    pub mechanism: Option<Mechanism>,
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
    /// How the rounds became per-event costs.
    pub estimator: crate::stats::Estimator,
    /// Per-syscall perf-event tracepoints: ns per event (the runs' floors).
    pub perf_event_ns: Option<f64>,
    /// Its 95% bootstrap interval, ns.
    pub perf_event_ci95: Option<[f64; 2]>,
    /// raw_syscalls sys_enter/sys_exit with the per-syscall map: ns per event (floors).
    pub raw_syscalls_ns: Option<f64>,
    /// Its 95% bootstrap interval, ns.
    pub raw_syscalls_ci95: Option<[f64; 2]>,
}

/// Everything one `probecost attach-scale` measured.
pub type AttachScaleReport = Measured<AttachScale>;

/// What `probecost attach-scale` found.
#[derive(Clone, Debug, Serialize)]
pub struct AttachScale {
    /// Repetitions per count.
    pub repetitions: usize,
    /// What resolving the set left out, and why.
    pub notes: Vec<String>,
    /// One row per tracer and count.
    pub rows: Vec<AttachScaleRow>,
    /// The per-event trade, for syscall sets.
    pub per_event_trade: Option<PerEventTrade>,
}

impl AttachScaleRow {
    /// Microseconds per probe of `ms` for this row's probe count.
    fn per_probe_us(&self, ms: f64) -> f64 {
        ms * 1000.0 / self.probes.max(1) as f64
    }
}

const COLUMNS: [&str; 10] = [
    "tracer",
    "set",
    "mechanism",
    "probes",
    "links",
    "attach ms",
    "detach ms",
    "attach µs/probe",
    "detach µs/probe",
    "activations",
];

impl Findings for AttachScale {
    /// The table and the trade.
    fn text(&self) -> String {
        let mut out = String::new();
        let line = |cells: [&str; 10]| {
            format!(
                "{:<9} {:<22} {:<15} {:>6} {:>6} {:>11} {:>11} {:>15} {:>15} {:>11}",
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                cells[4],
                cells[5],
                cells[6],
                cells[7],
                cells[8],
                cells[9]
            )
        };
        let _ = writeln!(out, "{}", line(COLUMNS));
        for r in &self.rows {
            let cells = [
                r.tracer.to_string(),
                r.set.clone(),
                r.mechanism.map_or("-", Mechanism::name).to_string(),
                r.probes.to_string(),
                r.links.map_or("-".into(), |l| l.to_string()),
                num(Some(r.attach_ms), 1),
                num(Some(r.detach_ms), 1),
                num(Some(r.per_probe_us(r.attach_ms)), 1),
                num(Some(r.per_probe_us(r.detach_ms)), 1),
                r.activations.map_or("-".into(), |a| a.to_string()),
            ];
            let _ = writeln!(out, "{}", line(cells.each_ref().map(String::as_str)));
        }
        let _ = writeln!(
            out,
            "\nmedians of {} repetitions; activations: counted by the programs while attached (last repetition).",
            self.repetitions
        );
        if let Some(t) = &self.per_event_trade {
            let ci =
                |c: Option<[f64; 2]>| c.map_or("-".into(), |[l, h]| format!("[{l:.1}, {h:.1}]"));
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

    fn summary(&self) -> String {
        format!(
            "Attach and detach times, medians of {} repetitions.",
            self.repetitions
        )
    }

    fn markdown_table(&self) -> Table {
        self.csv_table()
    }

    fn notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = self.notes.iter().map(|n| format!("- {n}")).collect();
        if let Some(t) = &self.per_event_trade {
            notes.push(format!(
                "- per event (read and write entry+exit): perf-event tracepoints {} ns, \
                 raw_syscalls + per-syscall map {} ns",
                num(t.perf_event_ns, 1),
                num(t.raw_syscalls_ns, 1)
            ));
        }
        notes
    }

    fn csv_table(&self) -> Table {
        Table {
            header: COLUMNS.map(String::from).to_vec(),
            rows: self
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.tracer.to_string(),
                        r.set.clone(),
                        r.mechanism.map_or("", Mechanism::name).to_string(),
                        r.probes.to_string(),
                        r.links.map_or(String::new(), |l| l.to_string()),
                        cell(Some(r.attach_ms), 3),
                        cell(Some(r.detach_ms), 3),
                        cell(Some(r.per_probe_us(r.attach_ms)), 3),
                        cell(Some(r.per_probe_us(r.detach_ms)), 3),
                        r.activations.map_or(String::new(), |a| a.to_string()),
                    ]
                })
                .collect(),
        }
    }

    /// Attach and detach time against probe count, log-log, one colour per tracer and
    /// mechanism (solid attach, dashed detach).
    fn chart(&self) -> Chart {
        let mut lines: Vec<(Tracer, Option<Mechanism>)> = Vec::new();
        for r in &self.rows {
            if !lines.contains(&(r.tracer, r.mechanism)) {
                lines.push((r.tracer, r.mechanism));
            }
        }
        let mut series = Vec::new();
        for (i, (tracer, mechanism)) in lines.into_iter().enumerate() {
            let color = Palette::CYCLE[i % Palette::CYCLE.len()];
            let rows: Vec<&AttachScaleRow> = self
                .rows
                .iter()
                .filter(|r| r.tracer == tracer && r.mechanism == mechanism)
                .collect();
            for (what, dashed, pick) in [
                (
                    "attach",
                    false,
                    (|r: &AttachScaleRow| r.attach_ms) as fn(&AttachScaleRow) -> f64,
                ),
                ("detach", true, |r: &AttachScaleRow| r.detach_ms),
            ] {
                let label = match mechanism {
                    Some(mechanism) => format!("{tracer} {} {what}", mechanism.name()),
                    None => format!("{tracer} {what}"),
                };
                series.push(LineSeries {
                    label,
                    color,
                    dashed,
                    points: rows.iter().map(|r| (r.probes as f64, pick(r))).collect(),
                });
            }
        }
        Chart {
            title: "Attach and detach time against probe count (log-log)".into(),
            subtitle: String::new(),
            x_label: "probes".into(),
            y_label: "time (ms)".into(),
            kind: ChartKind::LogLog { series },
        }
    }
}
