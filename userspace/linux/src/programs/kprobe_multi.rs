//! `kprobe.multi` links: one BPF link attaches a kprobe program to many kernel functions at
//! once (fprobe, Linux 5.18+ with CONFIG_FPROBE), where a perf-event kprobe needs one perf
//! event, and one RCU-synchronised detach, per function. aya 0.14 has none, so the program is
//! loaded by [`super::raw_load`] with `expected_attach_type = BPF_TRACE_KPROBE_MULTI`, which
//! the kernel requires of such a link's program.

use std::{
    ffi::CString,
    os::fd::{AsRawFd as _, OwnedFd},
    sync::OnceLock,
};

use aya::Ebpf;
use aya_obj::generated::{bpf_attach_type, bpf_attr, bpf_cmd, bpf_prog_type};

use libbpf_rs::{Link, ProgramAttachType, ProgramMut};

use super::{
    at_return,
    raw_load::{bpf, FdLink, LoadAs, RelocatedProgram},
    Loading, ProgramType, READ_FUNCTION,
};
use crate::{
    kernel_config::{ConfigValue, KernelConfig},
    Support,
};
use probecost_core::{
    error::Error,
    scenario::{AttachKind, Hook},
};

/// `BPF_F_KPROBE_MULTI_RETURN`: attach at the functions' returns.
const KPROBE_MULTI_RETURN: u32 = 1;

/// Attaches `program` (a kprobe program of probecost's object, its maps those of `loaded`) to
/// every function in `functions`, at their returns when `returns`, with one link.
pub fn attach_kprobe_multi(
    loaded: &Ebpf,
    program: &str,
    functions: &[String],
    returns: bool,
) -> probecost_core::error::Result<FdLink> {
    let fd = load_for_kprobe_multi(loaded, program)?;
    // The link holds the program; the program's own descriptor can close.
    link_kprobe_multi(&fd, program, functions, returns)
}

/// Loads `program` (a kprobe program of probecost's object, its maps those of `loaded`) so a
/// kprobe.multi link can take it.
pub fn load_for_kprobe_multi(
    loaded: &Ebpf,
    program: &str,
) -> probecost_core::error::Result<OwnedFd> {
    let relocated = RelocatedProgram::new(crate::object::bytes(), loaded, program)?;
    relocated.load(LoadAs {
        prog_type: bpf_prog_type::BPF_PROG_TYPE_KPROBE,
        attach_type: bpf_attach_type::BPF_TRACE_KPROBE_MULTI,
        attach_btf_id: 0,
    })
}

/// Links the loaded program `fd` (called `program` in messages) to every function in
/// `functions`, at their returns when `returns`, with one kprobe.multi link.
pub fn link_kprobe_multi(
    fd: &OwnedFd,
    program: &str,
    functions: &[String],
    returns: bool,
) -> probecost_core::error::Result<FdLink> {
    let names: Vec<CString> = functions
        .iter()
        .map(|f| CString::new(f.as_str()).map_err(|_| format!("bad function name {f:?}")))
        .collect::<Result<_, _>>()
        .map_err(Error::operation)?;
    let pointers: Vec<*const libc::c_char> = names.iter().map(|n| n.as_ptr()).collect();
    // SAFETY: bpf_attr is plain data; zero is the "unset" value of every field.
    let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
    // SAFETY: writing the link_create member of a zeroed union; `pointers` and `names` outlive
    // the syscall.
    unsafe {
        let link = &mut attr.link_create;
        link.__bindgen_anon_1.prog_fd = fd.as_raw_fd() as u32;
        link.attach_type = bpf_attach_type::BPF_TRACE_KPROBE_MULTI as u32;
        let multi = &mut link.__bindgen_anon_3.kprobe_multi;
        multi.flags = if returns { KPROBE_MULTI_RETURN } else { 0 };
        multi.cnt = pointers.len() as u32;
        multi.syms = pointers.as_ptr() as u64;
    }
    bpf(bpf_cmd::BPF_LINK_CREATE, &mut attr)
        .map(FdLink::new)
        .map_err(|e| {
            format!(
                "kprobe.multi link of `{program}` to {} functions: {e}",
                functions.len()
            )
        })
        .map_err(Error::operation)
}

/// Links a loaded program to `vfs_read`, at its return for a return hook.
fn link_at_read(fd: &OwnedFd, program: &str, hook: Hook) -> probecost_core::error::Result<FdLink> {
    link_kprobe_multi(fd, program, &[READ_FUNCTION.into()], at_return(hook))
}

/// Whether this kernel takes kprobe.multi links, found once per process by making one (to
/// `vfs_read`, detached at once); the kernel configuration's word on CONFIG_FPROBE is added
/// when it refuses.
pub fn kprobe_multi_support() -> Support {
    static SUPPORT: OnceLock<Support> = OnceLock::new();
    SUPPORT.get_or_init(probe_kprobe_multi).clone()
}

fn probe_kprobe_multi() -> Support {
    let attempt = || -> probecost_core::error::Result<()> {
        let loaded = crate::object::load().map_err(|e| Error::operation(e.to_string()))?;
        attach_kprobe_multi(
            &loaded,
            "count_kprobe",
            &[super::READ_FUNCTION.to_string()],
            false,
        )?;
        Ok(())
    };
    match attempt() {
        Ok(()) => Support::Yes,
        Err(error) => {
            let config = KernelConfig::read()
                .filter(|c| c.value("CONFIG_FPROBE") == ConfigValue::NotSet)
                .map(|c| format!("CONFIG_FPROBE not set in {}; ", c.source().display()))
                .unwrap_or_default();
            Support::No(format!("kprobe.multi: {config}{error}"))
        }
    }
}

/// kprobes on `vfs_read` through a kprobe.multi link.
pub struct KprobeMulti;

impl ProgramType for KprobeMulti {
    fn kind(&self) -> AttachKind {
        AttachKind::KprobeMulti
    }

    fn support(&self) -> Support {
        kprobe_multi_support()
    }

    fn loading(&self) -> Loading {
        Loading::ByHand {
            purpose: "a kprobe.multi link",
            load: load_for_kprobe_multi,
            link: link_at_read,
        }
    }

    fn attach_libbpf(&self, program: &ProgramMut<'_>, hook: Hook) -> libbpf_rs::Result<Link> {
        program.attach_kprobe_multi(at_return(hook), vec![READ_FUNCTION])
    }

    fn libbpf_attach_type(&self) -> Option<ProgramAttachType> {
        Some(ProgramAttachType::KprobeMulti)
    }
}
