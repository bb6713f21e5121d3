//! `probecost attach-scale`: how long attaching and detaching N probes takes, per mechanism
//! and tracer, and (for syscall sets) what the fast mechanism costs per event.

use std::time::Duration;

use super::{workload_cpu, ExportPaths, Measuring, Outcome};
use probecost_core::{
    attach_scale::{AttachScale, AttachScaleReport, AttachScaleSettings},
    environment::Environment,
    error::{Error, Result},
    interrupt,
    platform::Platform,
    probe_set::{Mechanism, ProbeSetKind},
    tracer::Tracer,
};

/// A mechanism `--mechanism` can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MechanismChoice {
    /// One perf event per tracepoint or function.
    PerfEvent,
    /// Raw tracepoints (raw_syscalls for syscall sets).
    Raw,
    /// kprobe.multi links (kprobe sets).
    Multi,
}

impl MechanismChoice {
    /// The mechanism for probes of `kind`.
    fn for_kind(self, kind: &ProbeSetKind) -> Mechanism {
        match (self, kind) {
            (Self::PerfEvent, _) => Mechanism::PerfEvent,
            (Self::Raw, ProbeSetKind::Syscalls { .. }) => Mechanism::RawSyscalls,
            (Self::Raw, _) => Mechanism::RawTracepoint,
            (Self::Multi, _) => Mechanism::KprobeMulti,
        }
    }
}

/// What `probecost attach-scale` measures.
#[derive(Clone, Debug)]
pub struct AttachScaleCommand {
    /// The probe set, as `--kind` spells it.
    pub kind: String,
    /// Probe counts (`all` or positive numbers).
    pub counts: Vec<String>,
    /// The attach mechanism (the kind's usual one when `None`).
    pub mechanism: Option<MechanismChoice>,
    /// Tracers, in order.
    pub tracers: Vec<Tracer>,
    /// Repetitions per count.
    pub repeat: usize,
    /// How long the probes stay attached and counting.
    pub window: Duration,
    /// Skip the per-event trade of syscall sets.
    pub no_trade: bool,
    /// The trade's CPU (the default when `None`).
    pub cpu: Option<usize>,
    /// Result files.
    pub exports: ExportPaths,
    /// Measure even while another probecost measures.
    pub allow_concurrent: bool,
}

/// `--counts`: `all` is the whole set (`None`).
fn parse_counts(counts: &[String]) -> Result<Vec<Option<usize>>> {
    counts
        .iter()
        .map(|c| match c.trim() {
            "all" => Ok(None),
            n => n
                .parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .map(Some)
                .ok_or_else(|| {
                    Error::Input(format!("--counts: `{n}` is not a positive number or `all`"))
                }),
        })
        .collect()
}

/// Measures, prints the table and writes the result files.
pub fn attach_scale(platform: &dyn Platform, command: &AttachScaleCommand) -> Result<Outcome> {
    let kind = ProbeSetKind::parse(&command.kind)?;
    let counts = parse_counts(&command.counts)?;
    let cpu = workload_cpu(command.cpu)?;
    let stop = interrupt::stop_flag();
    let mut backend = platform.attach_scale(stop)?;
    let measuring = Measuring::begin(platform, &command.exports, command.allow_concurrent)?;
    let versions = command
        .tracers
        .iter()
        .map(|t| backend.tracer_version(*t))
        .collect::<Result<Vec<_>>>()?;
    let settings = AttachScaleSettings {
        mechanism: command.mechanism.map(|m| m.for_kind(&kind)),
        kind,
        counts,
        repeat: command.repeat,
        tracers: command.tracers.clone(),
        window: command.window,
        workload_cpu: cpu,
    };
    // Resolved before anything attaches: an unknown glob or a missing feature stops here.
    let set = backend.resolve(&settings.kind, settings.mechanism)?;
    let environment = Environment::probe(Some(cpu), versions);
    eprintln!(
        "{}: {} probes, mechanism {}",
        set.kind.describe(),
        set.probes.len(),
        set.mechanism.name()
    );
    for note in &set.notes {
        eprintln!("note: {note}");
    }
    let rows = backend.measure(&set, &settings, &mut |row| {
        eprintln!(
            "{:<9} {:>5} probes: attach {:.1} ms, detach {:.1} ms",
            row.tracer, row.probes, row.attach_ms, row.detach_ms
        );
    })?;
    let trade = if matches!(settings.kind, ProbeSetKind::Syscalls { .. })
        && !command.no_trade
        && !interrupt::stop_requested()
    {
        backend.per_event_trade(cpu)?
    } else {
        None
    };
    let report = AttachScaleReport {
        environment,
        interrupted: interrupt::stop_requested(),
        findings: AttachScale {
            repetitions: settings.repeat,
            notes: set.notes.clone(),
            rows,
            per_event_trade: trade,
        },
    };
    measuring.finish(&report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_positive_numbers_or_all() {
        let parsed = parse_counts(&["1".into(), "all".into()]).unwrap();
        assert_eq!(parsed, [Some(1), None]);
        for bad in ["0", "-3", "many"] {
            let error = parse_counts(&[bad.into()]).unwrap_err().to_string();
            assert!(error.starts_with("--counts:"), "{error}");
        }
    }
}
