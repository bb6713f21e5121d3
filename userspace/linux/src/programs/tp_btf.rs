//! BTF-typed tracepoint (`tp_btf`) programs on `sys_enter` (the mechanism matrix).

use aya::{
    programs::{BtfTracePoint, Program, ProgramError},
    Btf,
};

use super::{raw_tracepoint::SYS_ENTER, OwnedLink};

pub fn load(program: &mut Program) -> Result<(), ProgramError> {
    let btf = Btf::from_sys_fs().map_err(ProgramError::Btf)?;
    let tp_btf: &mut BtfTracePoint = program.try_into()?;
    tp_btf.load(SYS_ENTER, &btf)
}

pub fn attach(program: &mut Program) -> Result<OwnedLink, ProgramError> {
    let tp_btf: &mut BtfTracePoint = program.try_into()?;
    let id = tp_btf.attach()?;
    Ok(OwnedLink::TpBtf(tp_btf.take_link(id)?))
}
