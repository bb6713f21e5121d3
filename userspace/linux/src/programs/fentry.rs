//! fentry / fexit programs on `vfs_read` (BTF trampolines).

use aya::{
    programs::{FEntry, FExit, Program, ProgramError},
    Btf,
};
use libbpf_rs::{Link, ProgramMut};

use super::{Loading, OwnedLink, ProgramType, READ_FUNCTION};
use crate::{kernel_support::try_tracing_load, Support};
use probecost_core::scenario::{AttachKind, Hook};

/// fentry and fexit through BTF trampolines.
pub struct Fentry;

impl ProgramType for Fentry {
    fn kind(&self) -> AttachKind {
        AttachKind::Fentry
    }

    fn support(&self) -> Support {
        try_tracing_load("fentry", "probe_fentry", |program, btf| {
            let fentry: &mut FEntry = program.try_into()?;
            fentry.load(READ_FUNCTION, btf)
        })
    }

    fn loading(&self) -> Loading {
        Loading::Aya { load, attach }
    }

    /// The C program carries its target from loading.
    fn attach_libbpf(&self, program: &ProgramMut<'_>, _hook: Hook) -> libbpf_rs::Result<Link> {
        program.attach_trace()
    }
}

fn kernel_btf() -> Result<Btf, ProgramError> {
    Btf::from_sys_fs().map_err(ProgramError::Btf)
}

fn load(program: &mut Program, hook: Hook) -> Result<(), ProgramError> {
    let btf = kernel_btf()?;
    match hook {
        Hook::ReadReturn => {
            let fexit: &mut FExit = program.try_into()?;
            fexit.load(READ_FUNCTION, &btf)
        }
        _ => {
            let fentry: &mut FEntry = program.try_into()?;
            fentry.load(READ_FUNCTION, &btf)
        }
    }
}

fn attach(program: &mut Program, hook: Hook) -> Result<OwnedLink, ProgramError> {
    match hook {
        Hook::ReadReturn => {
            let fexit: &mut FExit = program.try_into()?;
            let id = fexit.attach()?;
            Ok(OwnedLink::Fexit(fexit.take_link(id)?))
        }
        _ => {
            let fentry: &mut FEntry = program.try_into()?;
            let id = fentry.attach()?;
            Ok(OwnedLink::Fentry(fentry.take_link(id)?))
        }
    }
}
