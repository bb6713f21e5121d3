//! Raw tracepoint programs on `sys_enter` (every syscall's entry; the mechanism matrix).

use aya::programs::{Program, ProgramError, RawTracePoint};

use super::OwnedLink;

/// The raw tracepoint the mechanism matrix's programs attach to.
pub const SYS_ENTER: &str = "sys_enter";

pub fn load(program: &mut Program) -> Result<(), ProgramError> {
    let raw: &mut RawTracePoint = program.try_into()?;
    raw.load()
}

pub fn attach(program: &mut Program) -> Result<OwnedLink, ProgramError> {
    let raw: &mut RawTracePoint = program.try_into()?;
    let id = raw.attach(SYS_ENTER)?;
    Ok(OwnedLink::RawTracepoint(raw.take_link(id)?))
}
