//! kprobe / kretprobe programs on `vfs_read`, one perf event each.

use std::os::fd::OwnedFd;

use aya::{
    programs::{KProbe, Program, ProgramError},
    Ebpf,
};
use libbpf_rs::{Link, ProgramMut};

use super::{at_return, attach_with_aya, load_with_aya, OwnedLink, ProgramType, READ_FUNCTION};
use crate::{kernel_support::pmu, Support};
use probecost_core::{
    error::BackendError,
    scenario::{AttachKind, Hook, ProgramSpec},
};

/// kprobes through the kprobe PMU.
pub struct Kprobe;

impl ProgramType for Kprobe {
    fn kind(&self) -> AttachKind {
        AttachKind::Kprobe
    }

    fn support(&self) -> Support {
        pmu("kprobe", "kprobes", "CONFIG_KPROBES")
    }

    fn load(&self, ebpf: &mut Ebpf, spec: &ProgramSpec) -> Result<Option<OwnedFd>, BackendError> {
        load_with_aya(ebpf, spec, self.kind(), |program| {
            let kprobe: &mut KProbe = program.try_into()?;
            kprobe.load()
        })
    }

    fn attach(
        &self,
        ebpf: &mut Ebpf,
        spec: &ProgramSpec,
        _raw: Option<&OwnedFd>,
    ) -> Result<OwnedLink, BackendError> {
        attach_with_aya(ebpf, spec, self.kind(), attach)
    }

    fn attach_libbpf(&self, program: &ProgramMut<'_>, hook: Hook) -> libbpf_rs::Result<Link> {
        program.attach_kprobe(at_return(hook), READ_FUNCTION)
    }
}

fn attach(program: &mut Program) -> Result<OwnedLink, ProgramError> {
    let kprobe: &mut KProbe = program.try_into()?;
    let id = kprobe.attach(READ_FUNCTION, 0)?;
    Ok(OwnedLink::Kprobe(kprobe.take_link(id)?))
}
