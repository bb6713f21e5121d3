//! Tracepoint programs on the read syscall's `syscalls:sys_enter_read` / `sys_exit_read`.

use aya::programs::{Program, ProgramError, TracePoint};

use super::{syscall_tracepoint, OwnedLink};
use probecost_core::scenario::Hook;

pub fn load(program: &mut Program) -> Result<(), ProgramError> {
    let tracepoint: &mut TracePoint = program.try_into()?;
    tracepoint.load()
}

pub fn attach(program: &mut Program, hook: Hook) -> Result<OwnedLink, ProgramError> {
    let tracepoint: &mut TracePoint = program.try_into()?;
    let id = tracepoint.attach("syscalls", syscall_tracepoint(hook))?;
    Ok(OwnedLink::Tracepoint(tracepoint.take_link(id)?))
}
