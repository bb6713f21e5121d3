//! Measures `attach-scale` on Linux: probecost's counting programs and bpftrace on the same
//! probe sets, and the per-event trade between one perf event per syscall tracepoint and the
//! two raw syscall tracepoints.

use std::{
    sync::atomic::{AtomicBool, Ordering},
    thread,
    time::{Duration, Instant},
};

use super::{
    bpftrace::{bpftrace_version, BpftraceProcess, READY_TIMEOUT},
    probe_sets::{resolve, AttachedSet},
    KernelFeatures,
};
use probecost_core::{
    attach_scale::{AttachScaleBackend, AttachScaleRow, AttachScaleSettings, PerEventTrade},
    benchmark::run_order::{self, Side},
    error::{Error, Result},
    probe_set::{Mechanism, Probe, ProbeSet, ProbeSetKind},
    stats::{self, Estimator},
    tracer::{Tracer, AYA_VERSION},
    workload::{ops_for, PinnedWorkload, Workload as _},
};

/// Measures every count for every tracer, calling `on_row` after each.
fn measure(
    set: &ProbeSet,
    settings: &AttachScaleSettings,
    stop: &AtomicBool,
    on_row: &mut dyn FnMut(&AttachScaleRow),
) -> probecost_core::error::Result<Vec<AttachScaleRow>> {
    let mut rows = Vec::new();
    let mut counts: Vec<usize> = settings
        .counts
        .iter()
        .map(|c| c.unwrap_or(set.probes.len()).min(set.probes.len()))
        .collect();
    counts.dedup();
    for tracer in &settings.tracers {
        for &count in &counts {
            let subset = set.first(count);
            let mut attach_runs = Vec::new();
            let mut detach_runs = Vec::new();
            let mut activations = None;
            let mut links = None;
            for _ in 0..settings.repeat.max(1) {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let (attach, detach, counted, held) = match tracer {
                    Tracer::Bpftrace => {
                        bpftrace_once(&subset, count == set.probes.len(), settings)?
                    }
                    Tracer::Aya => aya_once(&subset, settings.window)?,
                    other => return Err(not_measured(*other)),
                };
                attach_runs.push(attach.as_secs_f64() * 1e3);
                detach_runs.push(detach.as_secs_f64() * 1e3);
                activations = counted;
                links = held;
            }
            if attach_runs.is_empty() {
                return Ok(rows);
            }
            let row = AttachScaleRow {
                tracer: *tracer,
                set: set.kind.describe(),
                mechanism: (*tracer != Tracer::Bpftrace).then_some(set.mechanism),
                probes: subset.probes.len(),
                links,
                attach_ms: stats::median(&attach_runs),
                detach_ms: stats::median(&detach_runs),
                attach_ms_runs: attach_runs,
                detach_ms_runs: detach_runs,
                activations,
            };
            on_row(&row);
            rows.push(row);
        }
    }
    Ok(rows)
}

/// `attach-scale` on Linux: probecost's counting programs through aya, and bpftrace.
pub struct LinuxAttachScale {
    features: KernelFeatures,
    stop: &'static AtomicBool,
}

impl LinuxAttachScale {
    /// A backend for the kernel `features` describe, stopping early once `stop` is set.
    pub fn new(features: KernelFeatures, stop: &'static AtomicBool) -> Self {
        Self { features, stop }
    }
}

/// The libbpf tracer runs the scenario suites (`run`); attach-scale has no C probe set.
fn not_measured(tracer: Tracer) -> Error {
    Error::unsupported(format!(
        "attach-scale measures aya's and bpftrace's attachment on Linux; --tracer {tracer} is \
         for `run`"
    ))
}

impl AttachScaleBackend for LinuxAttachScale {
    fn tracer_version(&self, tracer: Tracer) -> Result<String> {
        match tracer {
            Tracer::Aya => Ok(format!("probecost counting programs ({AYA_VERSION})")),
            Tracer::Bpftrace => bpftrace_version(),
            other => Err(not_measured(other)),
        }
    }

    fn resolve(&self, kind: &ProbeSetKind, mechanism: Option<Mechanism>) -> Result<ProbeSet> {
        resolve(kind, mechanism, &self.features)
    }

    fn measure(
        &mut self,
        set: &ProbeSet,
        settings: &AttachScaleSettings,
        on_row: &mut dyn FnMut(&AttachScaleRow),
    ) -> Result<Vec<AttachScaleRow>> {
        measure(set, settings, self.stop, on_row)
    }

    fn per_event_trade(&mut self, cpu: usize) -> Result<Option<PerEventTrade>> {
        per_event_trade(
            &PinnedWorkload::open(cpu)?.in_new_processes()?,
            5,
            self.stop,
        )
    }
}

type Once = (Duration, Duration, Option<u64>, Option<usize>);

fn aya_once(set: &ProbeSet, window: Duration) -> probecost_core::error::Result<Once> {
    let started = Instant::now();
    let attached = AttachedSet::attach(set)?;
    let attach = started.elapsed();
    thread::sleep(window);
    let activations = attached.activations()?;
    let links = attached.links();
    let started = Instant::now();
    attached.detach()?;
    Ok((
        attach,
        started.elapsed(),
        Some(activations.total),
        Some(links),
    ))
}

fn bpftrace_once(
    set: &ProbeSet,
    whole: bool,
    settings: &AttachScaleSettings,
) -> probecost_core::error::Result<Once> {
    let script = set.bpftrace_script(whole);
    // A second per probe on top of the usual allowance: bpftrace compiles each probe.
    let ready_timeout = READY_TIMEOUT + Duration::from_secs(set.probes.len() as u64);
    let (process, attach) = BpftraceProcess::start_within(
        &script,
        settings.workload_cpu,
        std::path::Path::new("/dev/null"),
        ready_timeout,
    )
    .map_err(|e| Error::operation(format!("bpftrace on {}: {e}", set.kind.describe())))?;
    thread::sleep(settings.window);
    let (detach, _) = process
        .stop()
        .map_err(|e| Error::operation(format!("bpftrace on {}: {e}", set.kind.describe())))?;
    Ok((attach, detach, None, None))
}

/// The read and write syscalls' entry and exit through `mechanism`.
fn read_write_set(mechanism: Mechanism) -> ProbeSet {
    let probes = match mechanism {
        Mechanism::RawSyscalls => [libc::SYS_read, libc::SYS_write]
            .into_iter()
            .flat_map(|nr| {
                [false, true].map(|exit| Probe::Syscall {
                    nr: nr as u32,
                    exit,
                })
            })
            .collect(),
        _ => ["read", "write"]
            .into_iter()
            .flat_map(|s| {
                ["enter", "exit"].map(|side| Probe::Tracepoint {
                    category: "syscalls".into(),
                    name: format!("sys_{side}_{s}"),
                })
            })
            .collect(),
    };
    ProbeSet {
        kind: ProbeSetKind::Syscalls { entry_only: false },
        mechanism,
        probes,
        notes: Vec::new(),
    }
}

/// Per-event cost of read and write through each syscall mechanism, interleaved with control
/// runs on the workload's CPU (the calling thread is pinned there); `None` when interrupted.
fn per_event_trade(
    workload: &PinnedWorkload,
    rounds: usize,
    stop: &AtomicBool,
) -> probecost_core::error::Result<Option<PerEventTrade>> {
    match measure_trade(workload, rounds, stop) {
        Err(_) if stop.load(Ordering::Relaxed) => Ok(None),
        other => other.map(Some),
    }
}

fn measure_trade(
    workload: &PinnedWorkload,
    rounds: usize,
    stop: &AtomicBool,
) -> probecost_core::error::Result<PerEventTrade> {
    const EVENTS_PER_OP: f64 = 4.0;
    let sets = [
        read_write_set(Mechanism::PerfEvent),
        read_write_set(Mechanism::RawSyscalls),
    ];
    let workload_error = |e: probecost_core::workload::WorkloadError| e.to_string();
    let per_op = workload
        .calibrate(Duration::from_millis(60), stop)
        .map_err(workload_error)
        .map_err(Error::operation)?;
    let ops = ops_for(Duration::from_millis(250), per_op * 1.5, 2000);
    let mut control = Vec::new();
    let mut traced = [Vec::new(), Vec::new()];
    for round in 0..rounds {
        for side in run_order::round(round, sets.len()) {
            if stop.load(Ordering::Relaxed) {
                return Err(Error::Interrupted);
            }
            match side {
                Side::Control => {
                    control.push(
                        workload
                            .run(ops, stop)
                            .map_err(workload_error)
                            .map_err(Error::operation)?
                            .summary(),
                    );
                }
                Side::Traced(i) => {
                    let ready = workload
                        .ready(ops, stop)
                        .map_err(workload_error)
                        .map_err(Error::operation)?;
                    let attached = AttachedSet::attach(&sets[i])?;
                    let sample = ready.go();
                    attached.detach()?;
                    traced[i].push(
                        sample
                            .map_err(workload_error)
                            .map_err(Error::operation)?
                            .summary(),
                    );
                }
            }
        }
    }
    let estimator = Estimator::default();
    let cost = |t: &[_]| estimator.per_event_cost(&control, t, EVENTS_PER_OP, 0x5EED);
    let (perf, raw) = (cost(&traced[0]), cost(&traced[1]));
    Ok(PerEventTrade {
        events_per_op: EVENTS_PER_OP,
        runs: control.len(),
        estimator,
        perf_event_ns: perf.as_ref().map(|c| c.floor.ns),
        perf_event_ci95: perf.as_ref().map(|c| c.floor.ci95_ns),
        raw_syscalls_ns: raw.as_ref().map(|c| c.floor.ns),
        raw_syscalls_ci95: raw.as_ref().map(|c| c.floor.ci95_ns),
    })
}
