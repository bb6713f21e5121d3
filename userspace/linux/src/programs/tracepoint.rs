//! Tracepoint programs on the read syscall's `syscalls:sys_enter_read` / `sys_exit_read`.

use std::{fs, path::Path};

use aya::programs::{Program, ProgramError, TracePoint};
use libbpf_rs::{Link, ProgramMut, TracepointCategory};
use probecost_common::SYS_ENTER_READ_COUNT_OFFSET;

use super::{syscall_tracepoint, Loading, OwnedLink, ProgramType};
use crate::{
    kernel_support::{field_offset, tracefs},
    Support,
};
use probecost_core::scenario::{AttachKind, Hook};

/// Syscall tracepoints through perf events.
pub struct SyscallTracepoint;

impl ProgramType for SyscallTracepoint {
    fn kind(&self) -> AttachKind {
        AttachKind::SyscallTracepoint
    }

    /// The programs read `count` at a fixed offset of sys_enter_read's record: the kernel's
    /// format must agree.
    fn support(&self) -> Support {
        let root = match tracefs() {
            Ok(root) => root,
            Err(reason) => return Support::No(format!("syscall tracepoints: {reason}")),
        };
        let format = Path::new(root).join("events/syscalls/sys_enter_read/format");
        let Ok(text) = fs::read_to_string(&format) else {
            return Support::No(
                "syscall tracepoints: not available (CONFIG_FTRACE_SYSCALLS not set: no events/syscalls in tracefs)"
                    .into(),
            );
        };
        match field_offset(&text, "count") {
            Some(offset) if offset == SYS_ENTER_READ_COUNT_OFFSET => Support::Yes,
            other => Support::No(format!(
                "syscall tracepoints: sys_enter_read's `count` is at offset {other:?}, the programs expect {SYS_ENTER_READ_COUNT_OFFSET}"
            )),
        }
    }

    fn loading(&self) -> Loading {
        Loading::Aya { load, attach }
    }

    fn attach_libbpf(&self, program: &ProgramMut<'_>, hook: Hook) -> libbpf_rs::Result<Link> {
        program.attach_tracepoint(TracepointCategory::Syscalls, syscall_tracepoint(hook))
    }
}

fn load(program: &mut Program, _hook: Hook) -> Result<(), ProgramError> {
    let tracepoint: &mut TracePoint = program.try_into()?;
    tracepoint.load()
}

fn attach(program: &mut Program, hook: Hook) -> Result<OwnedLink, ProgramError> {
    let tracepoint: &mut TracePoint = program.try_into()?;
    let id = tracepoint.attach("syscalls", syscall_tracepoint(hook))?;
    Ok(OwnedLink::Tracepoint(tracepoint.take_link(id)?))
}
