//! Raw tracepoint programs on `sys_enter` (every syscall's entry; the mechanism matrix).

use aya::programs::{Program, ProgramError, RawTracePoint};
use libbpf_rs::{Link, ProgramMut};

use super::{Loading, OwnedLink, ProgramType};
use crate::Support;
use probecost_core::scenario::{AttachKind, Hook};

/// The raw tracepoint the mechanism matrix's programs attach to.
pub const SYS_ENTER: &str = "sys_enter";

/// Raw tracepoints, one BPF link each.
pub struct RawTracepoint;

impl ProgramType for RawTracepoint {
    fn kind(&self) -> AttachKind {
        AttachKind::RawTracepoint
    }

    fn support(&self) -> Support {
        sys_enter_counts_reads("raw tracepoints")
    }

    fn loading(&self) -> Loading {
        Loading::Aya { load, attach }
    }

    fn attach_libbpf(&self, program: &ProgramMut<'_>, _hook: Hook) -> libbpf_rs::Result<Link> {
        program.attach_raw_tracepoint(SYS_ENTER)
    }
}

fn load(program: &mut Program, _hook: Hook) -> Result<(), ProgramError> {
    let raw: &mut RawTracePoint = program.try_into()?;
    raw.load()
}

fn attach(program: &mut Program, _hook: Hook) -> Result<OwnedLink, ProgramError> {
    let raw: &mut RawTracePoint = program.try_into()?;
    let id = raw.attach(SYS_ENTER)?;
    Ok(OwnedLink::RawTracepoint(raw.take_link(id)?))
}

/// The `sys_enter` programs count reads by x86_64's syscall number; elsewhere they would count
/// another syscall (`what` names the kind in the reason).
pub(super) fn sys_enter_counts_reads(what: &str) -> Support {
    let read = syscalls::Sysno::read as u64;
    if read == probecost_common::READ_SYSCALL_NR {
        Support::Yes
    } else {
        Support::No(format!(
            "{what}: the sys_enter programs filter on syscall {}, but `read` is {read} on this \
             architecture",
            probecost_common::READ_SYSCALL_NR
        ))
    }
}
