//! One scenario's programs, loaded on the chosen attach kind, attached around each traced run.

use std::{os::fd::OwnedFd, path::PathBuf, time::Instant};

use aya::{
    maps::{PerCpuArray, RingBuf},
    Ebpf,
};
use aya_log::EbpfLogger;
use probecost_common::{map_names, per_event_slot};

use super::{
    bpf_stats::{self, KernelProgramInfo},
    object,
    per_event_drain::{PerEventDrain, RecordSource, Sink},
    programs::{self, OwnedLink},
};
use probecost_core::{
    benchmark::{AttachTimer, MeasureError, PreparedScenario, ProgramStats},
    error::{error_chain, BackendError},
    result::{AttachTimes, DeliveryCounts},
    scenario::{AttachKind, Delivery, ProgramSpec, Scenario},
    workload::Interruptible,
};

/// Where per-event output goes and which CPU to keep the drain off.
#[derive(Clone, Debug)]
pub struct DrainSettings {
    /// File the per-event lines are written to.
    pub sink: PathBuf,
    /// The workload's CPU.
    pub workload_cpu: usize,
}

impl DrainSettings {
    /// Creates the file the per-event lines go to.
    pub(super) fn create_sink(&self) -> Result<Sink, BackendError> {
        Sink::create(&self.sink).map_err(|e| BackendError::Load {
            what: format!("the per-event sink {}", self.sink.display()),
            error: e.to_string(),
        })
    }

    /// A drain of `source` into `sink`, parked until its scenario runs, its thread kept off
    /// the workload's CPU.
    pub(super) fn drain(&self, source: RecordSource, sink: Sink) -> PerEventDrain {
        PerEventDrain::new(source, sink, self.workload_cpu)
    }
}

/// Starts the drain's thread, if the scenario has one: [`PreparedScenario::enter`] of both
/// loaders.
pub(super) fn resume_drain(drain: &mut Option<PerEventDrain>) -> Result<(), BackendError> {
    match drain {
        Some(drain) => drain.resume().map_err(|e| BackendError::Load {
            what: "the per-event drain thread".into(),
            error: e.to_string(),
        }),
        None => Ok(()),
    }
}

/// A scenario's programs in the kernel. Field order is drop order: the drain stops first,
/// then the links detach, then the object (programs and maps) goes.
pub struct AyaScenario {
    drain: Option<PerEventDrain>,
    links: Vec<OwnedLink>,
    /// Per program, its descriptor when it was loaded outside aya (kprobe.multi).
    raw_programs: Vec<Option<OwnedFd>>,
    ebpf: Ebpf,
    specs: &'static [ProgramSpec],
    kind: AttachKind,
    timer: AttachTimer,
}

impl AyaScenario {
    /// Loads `scenario`'s programs for `kind` into a fresh copy of the object.
    pub fn load(
        scenario: &'static Scenario,
        kind: AttachKind,
        drain: &DrainSettings,
    ) -> Result<Self, BackendError> {
        let (mut ebpf, raw_programs) = load_programs(scenario.programs, kind, scenario.delivery)?;
        let drain = start_drain(&mut ebpf, scenario.delivery, drain)?;
        Ok(Self {
            drain,
            links: Vec::new(),
            raw_programs,
            ebpf,
            specs: scenario.programs,
            kind,
            timer: AttachTimer::default(),
        })
    }

    fn stats(&self) -> Result<Vec<KernelProgramInfo>, BackendError> {
        self.specs
            .iter()
            .zip(&self.raw_programs)
            .map(|(spec, raw)| programs::program_info(&self.ebpf, spec, self.kind, raw.as_ref()))
            .collect()
    }

    fn per_event_counter(&self, slot: u32) -> Result<u64, BackendError> {
        let read_error = |e: &dyn std::error::Error| BackendError::Read {
            what: format!("map {}", map_names::PER_EVENT_COUNTERS),
            error: error_chain(e),
        };
        let map = self
            .ebpf
            .map(map_names::PER_EVENT_COUNTERS)
            .ok_or_else(|| read_error(&std::io::Error::other("not in the object")))?;
        let counters = PerCpuArray::<_, u64>::try_from(map).map_err(|e| read_error(&e))?;
        let values = counters.get(&slot, 0).map_err(|e| read_error(&e))?;
        Ok(values.iter().sum())
    }
}

/// A fresh copy of the object with `specs`' programs loaded for `kind`, its maps sized for
/// `delivery`.
fn load_programs(
    specs: &[ProgramSpec],
    kind: AttachKind,
    delivery: Delivery,
) -> Result<(Ebpf, Vec<Option<OwnedFd>>), BackendError> {
    let mut ebpf = match delivery {
        Delivery::AyaLog => object::load_logging_every_event()?,
        Delivery::None | Delivery::RingBuf => object::load()?,
    };
    let raw_programs = specs
        .iter()
        .map(|spec| programs::load(&mut ebpf, spec, kind))
        .collect::<Result<_, _>>()?;
    Ok((ebpf, raw_programs))
}

fn start_drain(
    ebpf: &mut Ebpf,
    delivery: Delivery,
    settings: &DrainSettings,
) -> Result<Option<PerEventDrain>, BackendError> {
    let source = match delivery {
        Delivery::None => return Ok(None),
        Delivery::AyaLog => {
            let sink = settings.create_sink()?;
            let logger = EbpfLogger::init_with_logger(ebpf, sink.logger()).map_err(|e| {
                BackendError::Load {
                    what: "aya-log's logger".into(),
                    error: error_chain(&e),
                }
            })?;
            (RecordSource::AyaLog(logger), sink)
        }
        Delivery::RingBuf => {
            let sink = settings.create_sink()?;
            let map = ebpf
                .take_map(map_names::READ_RECORDS)
                .ok_or_else(|| BackendError::Load {
                    what: format!("map {}", map_names::READ_RECORDS),
                    error: "not in the object".into(),
                })?;
            let ring = RingBuf::try_from(map).map_err(|e| BackendError::Load {
                what: format!("map {}", map_names::READ_RECORDS),
                error: error_chain(&e),
            })?;
            (RecordSource::RingBuf(ring), sink)
        }
    };
    let (source, sink) = source;
    Ok(Some(settings.drain(source, sink)))
}

impl PreparedScenario for AyaScenario {
    /// Loads the programs anew for each round (see `LoadedPrograms::reloading_each_round`),
    /// except a per-event scenario's, whose drain reads the loaded object's maps.
    fn enter(&mut self) -> Result<(), BackendError> {
        if self.drain.is_none() && self.links.is_empty() {
            // The programs loaded by hand are closed first; the old object (its programs and
            // maps) goes once the new one is loaded.
            self.raw_programs.clear();
            (self.ebpf, self.raw_programs) = load_programs(self.specs, self.kind, Delivery::None)?;
        }
        resume_drain(&mut self.drain)
    }

    fn leave(&mut self) {
        if let Some(drain) = &mut self.drain {
            drain.pause();
        }
    }

    fn attach(&mut self) -> Result<(), BackendError> {
        if !self.links.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        for (spec, raw) in self.specs.iter().zip(&self.raw_programs) {
            let link = programs::attach(&mut self.ebpf, spec, self.kind, raw.as_ref())?;
            self.links.push(link);
        }
        self.timer.attached(started.elapsed());
        Ok(())
    }

    fn detach(&mut self) -> Result<(), BackendError> {
        if self.links.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        let mut first_error = None;
        for (link, spec) in self.links.drain(..).zip(self.specs) {
            if let Err(e) = link.detach() {
                first_error.get_or_insert(BackendError::Attach {
                    action: "detach",
                    program: spec.program_name(self.kind),
                    attach: self.kind.attach_point(spec.hook).into(),
                    error: error_chain(&e),
                });
            }
        }
        self.timer.detached(started.elapsed());
        first_error.map_or(Ok(()), Err)
    }

    fn attach_times(&self) -> Option<AttachTimes> {
        self.timer.medians()
    }

    fn verify(&mut self, on: Interruptible<'_>, ops: u64) -> Result<ProgramStats, MeasureError> {
        bpf_stats::verification_run(self, Self::stats, on, ops)
    }

    fn delivery(&mut self) -> Result<Option<DeliveryCounts>, BackendError> {
        let Some(drain) = &self.drain else {
            return Ok(None);
        };
        let seen = self.per_event_counter(per_event_slot::SEEN)?;
        let dropped = self.per_event_counter(per_event_slot::DROPPED)?;
        Ok(Some(drain.counts(seen, dropped)))
    }
}
