//! Programs loaded with libbpf and attached around each traced run: one scenario's C programs
//! on the chosen attach kind (`AyaScenario`'s twin), or the programs of a user's object.

use std::{os::fd::AsFd as _, time::Instant};

use libbpf_rs::{Link, MapCore as _, MapFlags, Object, ProgramAttachType, ProgramMut};
use probecost_common::{map_names, per_event_slot};

use super::{
    attach::attach,
    attach_point::AttachPoint,
    loader::{self, LoadError, ProgramChoice},
    messages, object,
};
use crate::{
    bpf_stats::{self, KernelProgramInfo},
    per_event_drain::{PerEventDrain, RecordSource},
    programs::program_type,
    scenario_probe::{self, DrainSettings},
};
use probecost_core::{
    benchmark::{AttachTimer, MeasureError, PreparedScenario, ProgramStats},
    error::BackendError,
    result::{AttachTimes, DeliveryCounts},
    scenario::{AttachKind, Delivery, Hook, Scenario},
    workload::Interruptible,
};

/// How one loaded program is attached.
#[derive(Clone, Debug)]
pub enum Attachment {
    /// At the catalog's attach point for its hook and kind (probecost's C programs).
    Catalog {
        /// The attach kind chosen.
        kind: AttachKind,
        /// Where in the read it runs.
        hook: Hook,
    },
    /// Where its `SEC()` name says, as libbpf's auto-attach does.
    Section(String),
    /// Where the user said (`--attach`).
    Point(AttachPoint),
}

impl Attachment {
    /// The attach point in words.
    pub fn describe(&self) -> String {
        match self {
            Self::Catalog { kind, hook } => kind.attach_point(*hook).into(),
            Self::Section(section) => format!("SEC(\"{section}\")"),
            Self::Point(point) => point.to_string(),
        }
    }

    /// Attaches `program` here.
    pub fn attach(&self, program: &ProgramMut<'_>) -> libbpf_rs::Result<Link> {
        match self {
            Self::Catalog { kind, hook } => attach(program, *kind, *hook),
            Self::Section(_) => program.attach(),
            Self::Point(point) => point.attach(program),
        }
    }
}

/// A loaded program and how it attaches.
#[derive(Clone, Debug)]
pub struct PlannedProgram {
    /// Its name in the object.
    pub name: String,
    /// How it attaches.
    pub attachment: Attachment,
}

/// Loads a fresh copy of an object with the chosen programs.
pub type Load = Box<dyn FnMut(&[ProgramChoice<'_>]) -> Result<Object, BackendError>>;

/// How [`LoadedPrograms`] loads its programs again before each round.
struct Reload {
    /// The attach type the programs were first loaded for, if not their sections'.
    attach_type: Option<ProgramAttachType>,
    load: Load,
}

/// `programs`, each to be loaded for `attach_type`.
pub fn program_choices<'a>(
    programs: &'a [PlannedProgram],
    attach_type: &Option<ProgramAttachType>,
) -> Vec<ProgramChoice<'a>> {
    programs
        .iter()
        .map(|p| ProgramChoice {
            name: &p.name,
            attach_type: attach_type.clone(),
        })
        .collect()
}

/// Programs loaded with libbpf, attached around each traced run: probecost's C programs for
/// one scenario, or a user's object. Field order is drop order: the drain stops first, then
/// the links detach, then the object (programs and maps) goes.
pub struct LoadedPrograms {
    drain: Option<PerEventDrain>,
    links: Vec<Link>,
    object: Object,
    programs: Vec<PlannedProgram>,
    timer: AttachTimer,
    reload: Option<Reload>,
}

impl LoadedPrograms {
    /// Loads `scenario`'s programs for `kind` from a fresh copy of the C object.
    pub fn for_scenario(
        scenario: &'static Scenario,
        kind: AttachKind,
        drain: &DrainSettings,
    ) -> Result<Self, BackendError> {
        let programs: Vec<PlannedProgram> = scenario
            .programs
            .iter()
            .map(|spec| PlannedProgram {
                name: spec.program_name(kind),
                attachment: Attachment::Catalog {
                    kind,
                    hook: spec.hook,
                },
            })
            .collect();
        // A multi link needs its program loaded for that attach type.
        let attach_type = program_type(kind).libbpf_attach_type();
        let mut object = load_embedded(&program_choices(&programs, &attach_type))?;
        let drain = start_drain(&mut object, scenario.delivery, drain)?;
        Ok(Self::new(object, programs, drain)
            .reloading_each_round(attach_type, Box::new(load_embedded)))
    }

    /// `programs` of a loaded `object`.
    pub fn new(
        object: Object,
        programs: Vec<PlannedProgram>,
        drain: Option<PerEventDrain>,
    ) -> Self {
        Self {
            drain,
            links: Vec::new(),
            object,
            programs,
            timer: AttachTimer::default(),
            reload: None,
        }
    }

    /// Loads the programs anew before each round's runs ([`PreparedScenario::enter`]), so
    /// that the rounds sample what a load fixes for as long as it lasts (where the JIT puts
    /// the code, which the kernel randomizes), instead of one load keeping its level for the
    /// whole measurement. `load` loads the programs for `attach_type` as they were first
    /// loaded. Programs without a per-event drain only.
    pub fn reloading_each_round(
        mut self,
        attach_type: Option<ProgramAttachType>,
        load: Load,
    ) -> Self {
        if self.drain.is_none() {
            self.reload = Some(Reload { attach_type, load });
        }
        self
    }

    fn program(&self, name: &str) -> Result<ProgramMut<'_>, BackendError> {
        self.object
            .progs_mut()
            .find(|p| p.name() == name)
            .ok_or_else(|| BackendError::Load {
                what: format!("program `{name}`"),
                error: "not in the loaded object".into(),
            })
    }

    fn stats(&self) -> Result<Vec<KernelProgramInfo>, BackendError> {
        self.programs
            .iter()
            .map(|planned| {
                let program = self.program(&planned.name)?;
                bpf_stats::program_info(program.as_fd()).map_err(|e| BackendError::Read {
                    what: format!("statistics of `{}`", planned.name),
                    error: e.to_string(),
                })
            })
            .collect()
    }

    fn per_event_counter(&self, slot: u32) -> Result<u64, BackendError> {
        let read_error = |error: String| BackendError::Read {
            what: format!("map {}", map_names::PER_EVENT_COUNTERS),
            error,
        };
        let map = self
            .object
            .maps()
            .find(|m| m.name() == map_names::PER_EVENT_COUNTERS)
            .ok_or_else(|| read_error("not in the C object".into()))?;
        let values = map
            .lookup_percpu(&slot.to_ne_bytes(), MapFlags::ANY)
            .map_err(|e| read_error(e.to_string()))?
            .unwrap_or_default();
        Ok(values
            .iter()
            .filter_map(|v| v.get(..8)?.try_into().ok().map(u64::from_ne_bytes))
            .sum())
    }
}

/// A fresh copy of probecost's C object with the `chosen` programs loaded.
fn load_embedded(chosen: &[ProgramChoice<'_>]) -> Result<Object, BackendError> {
    let open = loader::open_memory(object::ORIGIN, object::bytes()).map_err(backend_error)?;
    loader::load(open, object::ORIGIN, chosen).map_err(backend_error)
}

/// The errors of the embedded object, in the terms the runner reports.
pub(super) fn backend_error(error: LoadError) -> BackendError {
    match error {
        LoadError::VerifierRejected {
            program,
            error,
            log,
            ..
        } => BackendError::VerifierRejected {
            program,
            error,
            log,
        },
        other => BackendError::Load {
            what: object::ORIGIN.into(),
            error: other.to_string(),
        },
    }
}

/// Starts the per-event drain on the object's ring buffer, read through aya's `RingBuf` from a
/// copy of libbpf's map descriptor: the drain, and so the per-event work in user space, is the
/// same for both tracers.
fn start_drain(
    object: &mut Object,
    delivery: Delivery,
    settings: &DrainSettings,
) -> Result<Option<PerEventDrain>, BackendError> {
    if delivery != Delivery::RingBuf {
        return Ok(None);
    }
    let load_error = |error: String| BackendError::Load {
        what: format!("map {}", map_names::READ_RECORDS),
        error,
    };
    let map = object
        .maps()
        .find(|m| m.name() == map_names::READ_RECORDS)
        .ok_or_else(|| load_error("not in the C object".into()))?;
    let fd = map
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| load_error(e.to_string()))?;
    let data = aya::maps::MapData::from_fd(fd).map_err(|e| load_error(e.to_string()))?;
    let ring = aya::maps::Map::from_map_data(data)
        .and_then(aya::maps::RingBuf::try_from)
        .map_err(|e| load_error(e.to_string()))?;
    let sink = settings.create_sink()?;
    Ok(Some(settings.drain(RecordSource::RingBuf(ring), sink)))
}

impl PreparedScenario for LoadedPrograms {
    fn enter(&mut self) -> Result<(), BackendError> {
        if let Some(reload) = self.reload.as_mut() {
            if self.links.is_empty() {
                let chosen = program_choices(&self.programs, &reload.attach_type);
                self.object = (reload.load)(&chosen)?;
            }
        }
        scenario_probe::resume_drain(&mut self.drain)
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
        let mut links = Vec::with_capacity(self.programs.len());
        for planned in &self.programs {
            let program = self.program(&planned.name)?;
            let link =
                planned
                    .attachment
                    .attach(&program)
                    .map_err(|error| BackendError::Attach {
                        action: "attach",
                        program: planned.name.clone(),
                        attach: planned.attachment.describe(),
                        error: messages::explained(&error),
                    })?;
            links.push(link);
        }
        self.links = links;
        self.timer.attached(started.elapsed());
        Ok(())
    }

    fn detach(&mut self) -> Result<(), BackendError> {
        if self.links.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        // Destroying a link detaches it (bpf_link__destroy).
        self.links.clear();
        self.timer.detached(started.elapsed());
        Ok(())
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
