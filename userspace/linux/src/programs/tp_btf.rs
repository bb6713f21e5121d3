//! BTF-typed tracepoint (`tp_btf`) programs on `sys_enter` (the mechanism matrix).

use aya::{
    programs::{BtfTracePoint, Program, ProgramError},
    Btf,
};
use libbpf_rs::{Link, ProgramMut};

use super::{
    raw_tracepoint::{sys_enter_counts_reads, SYS_ENTER},
    Loading, OwnedLink, ProgramType,
};
use crate::{kernel_support::try_tracing_load, Support};
use probecost_core::scenario::{AttachKind, Hook};

/// BTF-typed tracepoints, a tracing program each.
pub struct TpBtf;

impl ProgramType for TpBtf {
    fn kind(&self) -> AttachKind {
        AttachKind::TpBtf
    }

    /// A tracing program: a kernel may refuse it as it refuses fentry, so try to load one.
    fn support(&self) -> Support {
        if let Support::No(why) = sys_enter_counts_reads("tp_btf") {
            return Support::No(why);
        }
        try_tracing_load("tp_btf", "probe_tpbtf", |program, btf| {
            let tp_btf: &mut BtfTracePoint = program.try_into()?;
            tp_btf.load(SYS_ENTER, btf)
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

fn load(program: &mut Program, _hook: Hook) -> Result<(), ProgramError> {
    let btf = Btf::from_sys_fs().map_err(ProgramError::Btf)?;
    let tp_btf: &mut BtfTracePoint = program.try_into()?;
    tp_btf.load(SYS_ENTER, &btf)
}

fn attach(program: &mut Program, _hook: Hook) -> Result<OwnedLink, ProgramError> {
    let tp_btf: &mut BtfTracePoint = program.try_into()?;
    let id = tp_btf.attach()?;
    Ok(OwnedLink::TpBtf(tp_btf.take_link(id)?))
}
