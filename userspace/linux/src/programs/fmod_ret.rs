//! `fmod_ret` programs: a BPF trampoline at an error-injectable function's entry, whose program
//! may replace the function's return value (probecost's return 0, which leaves it alone). aya
//! 0.14 has none, so [`super::raw_load`] loads the program with `expected_attach_type =
//! BPF_MODIFY_RETURN` and the function's BTF id, and the trampoline is attached as an fentry's.

use std::{os::fd::OwnedFd, sync::OnceLock};

use aya::Ebpf;
use aya_obj::generated::{bpf_attach_type, bpf_prog_type};

use libbpf_rs::{Link, ProgramMut};

use super::{
    raw_load::{attach_tracing, FdLink, LoadAs, RelocatedProgram},
    Loading, ProgramType,
};
use crate::{btf_functions::BtfFunctions, Support};
use probecost_core::{
    error::Error,
    scenario::{AttachKind, Hook},
};

/// The function the fmod_ret rows attach to: the LSM hook `vfs_read` calls (through
/// rw_verify_area) on every read. The kernel allows fmod_ret on error-injectable functions,
/// which need CONFIG_FUNCTION_ERROR_INJECTION (Debian's kernels leave it out), and on every
/// `security_*` hook.
pub const FMOD_RET_FUNCTION: &str = "security_file_permission";

/// Loads `program` (an fentry-built program of probecost's object, its maps those of `loaded`)
/// as an fmod_ret program on [`FMOD_RET_FUNCTION`].
pub fn load_for_fmod_ret(loaded: &Ebpf, program: &str) -> probecost_core::error::Result<OwnedFd> {
    let attach_btf_id = fmod_ret_function_btf_id()?;
    let relocated = RelocatedProgram::new(crate::object::bytes(), loaded, program)?;
    relocated.load(LoadAs {
        prog_type: bpf_prog_type::BPF_PROG_TYPE_TRACING,
        attach_type: bpf_attach_type::BPF_MODIFY_RETURN,
        attach_btf_id,
    })
}

/// The BTF id of [`FMOD_RET_FUNCTION`], read from the kernel's BTF once per process (every
/// fmod_ret row and the support probe need it).
fn fmod_ret_function_btf_id() -> probecost_core::error::Result<u32> {
    static ID: OnceLock<Result<u32, String>> = OnceLock::new();
    let id = ID.get_or_init(|| {
        BtfFunctions::kernel()
            .map_err(|e| e.to_string())?
            .id(FMOD_RET_FUNCTION)
            .ok_or_else(|| format!("no BTF entry for {FMOD_RET_FUNCTION}"))
    });
    id.clone().map_err(Error::operation)
}

/// Attaches a loaded fmod_ret program to its function (whatever the hook: the function is
/// where fmod_ret runs).
fn link(program: &OwnedFd, name: &str, _hook: Hook) -> probecost_core::error::Result<FdLink> {
    attach_tracing(program).map_err(|e| {
        Error::operation(format!(
            "fmod_ret link of `{name}` to {FMOD_RET_FUNCTION}: {e}"
        ))
    })
}

/// Whether this kernel takes fmod_ret programs on the read syscall's handler, found once per
/// process by loading and attaching one (detached at once).
pub fn fmod_ret_support() -> Support {
    static SUPPORT: OnceLock<Support> = OnceLock::new();
    SUPPORT
        .get_or_init(|| {
            let attempt = || -> probecost_core::error::Result<()> {
                let loaded = crate::object::load().map_err(|e| Error::operation(e.to_string()))?;
                let fd = load_for_fmod_ret(&loaded, "probe_fmodret")?;
                link(&fd, "probe_fmodret", Hook::ReadEntry)?;
                Ok(())
            };
            match attempt() {
                Ok(()) => Support::Yes,
                Err(error) => Support::No(format!("fmod_ret: {error}")),
            }
        })
        .clone()
}

/// fmod_ret trampolines on [`FMOD_RET_FUNCTION`].
pub struct FmodRet;

impl ProgramType for FmodRet {
    fn kind(&self) -> AttachKind {
        AttachKind::FmodRet
    }

    fn support(&self) -> Support {
        fmod_ret_support()
    }

    fn loading(&self) -> Loading {
        Loading::ByHand {
            purpose: "fmod_ret",
            load: load_for_fmod_ret,
            link,
        }
    }

    /// The C program carries its target from loading.
    fn attach_libbpf(&self, program: &ProgramMut<'_>, _hook: Hook) -> libbpf_rs::Result<Link> {
        program.attach_trace()
    }
}
