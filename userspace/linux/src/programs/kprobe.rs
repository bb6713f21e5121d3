//! kprobe / kretprobe programs on `vfs_read`.

use aya::programs::{KProbe, Program, ProgramError};

use super::{OwnedLink, READ_FUNCTION};

pub fn load(program: &mut Program) -> Result<(), ProgramError> {
    let kprobe: &mut KProbe = program.try_into()?;
    kprobe.load()
}

pub fn attach(program: &mut Program) -> Result<OwnedLink, ProgramError> {
    let kprobe: &mut KProbe = program.try_into()?;
    let id = kprobe.attach(READ_FUNCTION, 0)?;
    Ok(OwnedLink::Kprobe(kprobe.take_link(id)?))
}
