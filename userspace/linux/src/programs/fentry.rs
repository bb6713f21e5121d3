//! fentry / fexit programs on `vfs_read` (BTF trampolines).

use aya::{
    programs::{FEntry, FExit, Program, ProgramError},
    Btf,
};

use super::{OwnedLink, READ_FUNCTION};
use probecost_core::scenario::Hook;

fn kernel_btf() -> Result<Btf, ProgramError> {
    Btf::from_sys_fs().map_err(ProgramError::Btf)
}

pub fn load(program: &mut Program, hook: Hook) -> Result<(), ProgramError> {
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

pub fn attach(program: &mut Program, hook: Hook) -> Result<OwnedLink, ProgramError> {
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
