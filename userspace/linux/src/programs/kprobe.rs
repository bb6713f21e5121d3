//! kprobe / kretprobe programs on `vfs_read`, one perf event each.

use aya::programs::{KProbe, Program, ProgramError};
use libbpf_rs::{Link, ProgramMut};

use super::{at_return, Loading, OwnedLink, ProgramType, READ_FUNCTION};
use crate::{kernel_support::pmu, Support};
use probecost_core::scenario::{AttachKind, Hook};

/// kprobes through the kprobe PMU.
pub struct Kprobe;

impl ProgramType for Kprobe {
    fn kind(&self) -> AttachKind {
        AttachKind::Kprobe
    }

    fn support(&self) -> Support {
        pmu("kprobe", "kprobes", "CONFIG_KPROBES")
    }

    fn loading(&self) -> Loading {
        Loading::Aya { load, attach }
    }

    fn attach_libbpf(&self, program: &ProgramMut<'_>, hook: Hook) -> libbpf_rs::Result<Link> {
        program.attach_kprobe(at_return(hook), READ_FUNCTION)
    }
}

fn load(program: &mut Program, _hook: Hook) -> Result<(), ProgramError> {
    let kprobe: &mut KProbe = program.try_into()?;
    kprobe.load()
}

fn attach(program: &mut Program, _hook: Hook) -> Result<OwnedLink, ProgramError> {
    let kprobe: &mut KProbe = program.try_into()?;
    let id = kprobe.attach(READ_FUNCTION, 0)?;
    Ok(OwnedLink::Kprobe(kprobe.take_link(id)?))
}
