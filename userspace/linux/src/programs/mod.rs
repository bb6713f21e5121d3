//! Loading and attaching one program, one file per program type (as in aya's `programs/`).
//! Every attachment is held as an owned link: dropping it detaches, and the kernel drops it
//! with our file descriptors if the process dies.

mod fentry;
mod fmod_ret;
mod kprobe;
mod kprobe_multi;
mod raw_load;
mod raw_tracepoint;
mod tp_btf;
mod tracepoint;
mod uprobe;
mod uprobe_multi;

pub use fmod_ret::fmod_ret_support;
pub use kprobe_multi::{attach_kprobe_multi, kprobe_multi_support};
pub use raw_load::{attach_tracing, FdLink, LoadAs, RelocatedProgram};
pub use uprobe::libc_path;
pub use uprobe_multi::uprobe_multi_support;

use std::os::fd::{AsFd as _, OwnedFd};

use aya::{
    programs::{Program, ProgramError},
    Ebpf,
};

use super::bpf_stats::{self, KernelProgramInfo};
use probecost_core::{
    error::{error_chain, BackendError},
    scenario::{AttachKind, Hook, ProgramSpec},
};

/// An attached program.
pub enum OwnedLink {
    /// kprobe / kretprobe.
    Kprobe(aya::programs::kprobe::KProbeLink),
    /// fentry.
    Fentry(aya::programs::fentry::FEntryLink),
    /// fexit.
    Fexit(aya::programs::fexit::FExitLink),
    /// tracepoint.
    Tracepoint(aya::programs::trace_point::TracePointLink),
    /// uprobe / uretprobe.
    Uprobe(aya::programs::uprobe::UProbeLink),
    /// raw tracepoint.
    RawTracepoint(aya::programs::raw_trace_point::RawTracePointLink),
    /// BTF tracepoint.
    TpBtf(aya::programs::tp_btf::BtfTracePointLink),
    /// A link held by its descriptor alone (kprobe.multi, uprobe.multi, fmod_ret, fentry
    /// loaded by hand).
    Fd(FdLink),
}

impl OwnedLink {
    /// Detaches, reporting failure (dropping would detach silently).
    pub fn detach(self) -> Result<(), ProgramError> {
        use aya::programs::Link as _;
        match self {
            Self::Kprobe(l) => l.detach(),
            Self::Fentry(l) => l.detach(),
            Self::Fexit(l) => l.detach(),
            Self::Tracepoint(l) => l.detach(),
            Self::Uprobe(l) => l.detach(),
            Self::RawTracepoint(l) => l.detach(),
            Self::TpBtf(l) => l.detach(),
            // Closing the link's descriptor detaches it.
            Self::Fd(l) => {
                drop(l);
                Ok(())
            }
        }
    }
}

/// `spec`'s program for `kind` in the object, with its name.
fn find<'a>(
    ebpf: &'a mut Ebpf,
    spec: &ProgramSpec,
    kind: AttachKind,
) -> Result<(String, &'a mut Program), BackendError> {
    let name = spec.program_name(kind);
    match ebpf.program_mut(&name) {
        Some(program) => Ok((name, program)),
        None => Err(not_in_object(&name)),
    }
}

/// Loads `spec`'s program for `kind` into the kernel (the verifier runs here). A program
/// loaded outside aya (for a kprobe.multi or uprobe.multi link, or as fmod_ret) comes back as
/// its descriptor, which [`attach`] and [`program_info`] then take.
pub fn load(
    ebpf: &mut Ebpf,
    spec: &ProgramSpec,
    kind: AttachKind,
) -> Result<Option<OwnedFd>, BackendError> {
    // The kinds aya 0.14 cannot load are loaded by hand, for the link type they need.
    let by_hand = match kind {
        AttachKind::KprobeMulti => Some((
            kprobe_multi::load_for_kprobe_multi as LoadByHand,
            "a kprobe.multi link",
        )),
        AttachKind::FmodRet => Some((fmod_ret::load_for_fmod_ret as LoadByHand, "fmod_ret")),
        AttachKind::UprobeMulti => Some((
            uprobe_multi::load_for_uprobe_multi as LoadByHand,
            "a uprobe.multi link",
        )),
        _ => None,
    };
    if let Some((load_by_hand, purpose)) = by_hand {
        let name = spec.program_name(kind);
        return load_by_hand(ebpf, &name)
            .map(Some)
            .map_err(|e| BackendError::Load {
                what: format!("program `{name}` for {purpose}"),
                error: e.to_string(),
            });
    }
    let (name, program) = find(ebpf, spec, kind)?;
    let loaded = match kind {
        AttachKind::Kprobe => kprobe::load(program),
        AttachKind::Fentry => fentry::load(program, spec.hook),
        AttachKind::SyscallTracepoint => tracepoint::load(program),
        AttachKind::Uprobe => uprobe::load(program),
        AttachKind::RawTracepoint => raw_tracepoint::load(program),
        AttachKind::TpBtf => tp_btf::load(program),
        AttachKind::KprobeMulti | AttachKind::FmodRet | AttachKind::UprobeMulti => {
            unreachable!("loaded by hand above")
        }
    };
    loaded.map(|()| None).map_err(|e| load_error(&name, e))
}

/// Attaches `spec`'s loaded program for `kind` (`raw`: what [`load`] returned).
pub fn attach(
    ebpf: &mut Ebpf,
    spec: &ProgramSpec,
    kind: AttachKind,
    raw: Option<&OwnedFd>,
) -> Result<OwnedLink, BackendError> {
    if let Some(fd) = raw {
        let name = spec.program_name(kind);
        let returns = matches!(spec.hook, Hook::ReadReturn | Hook::LibcReadReturn);
        let linked = match kind {
            AttachKind::FmodRet => fmod_ret::link_fmod_ret(fd, &name),
            AttachKind::UprobeMulti => libc_path().and_then(|libc| {
                uprobe_multi::link_uprobe_multi(fd, &name, &libc, "read", returns)
            }),
            _ => kprobe_multi::link_kprobe_multi(fd, &name, &[READ_FUNCTION.into()], returns),
        };
        return linked.map(OwnedLink::Fd).map_err(|e| BackendError::Attach {
            action: "attach",
            program: name,
            attach: kind.attach_point(spec.hook).into(),
            error: e.to_string(),
        });
    }
    let (name, program) = find(ebpf, spec, kind)?;
    let attached = match kind {
        AttachKind::Kprobe => kprobe::attach(program),
        AttachKind::Fentry => fentry::attach(program, spec.hook),
        AttachKind::SyscallTracepoint => tracepoint::attach(program, spec.hook),
        AttachKind::Uprobe => uprobe::attach(program, spec.hook),
        AttachKind::RawTracepoint => raw_tracepoint::attach(program),
        AttachKind::TpBtf => tp_btf::attach(program),
        AttachKind::KprobeMulti | AttachKind::FmodRet | AttachKind::UprobeMulti => {
            return Err(BackendError::Load {
                what: format!("program `{name}`"),
                error: "a program loaded by hand must be loaded before it is attached".into(),
            })
        }
    };
    attached.map_err(|e| BackendError::Attach {
        action: "attach",
        program: name,
        attach: kind.attach_point(spec.hook).into(),
        error: error_chain(&e),
    })
}

/// What the kernel reports about `spec`'s program for `kind` (`raw`: what [`load`] returned):
/// run count, run time and size.
pub fn program_info(
    ebpf: &Ebpf,
    spec: &ProgramSpec,
    kind: AttachKind,
    raw: Option<&OwnedFd>,
) -> Result<KernelProgramInfo, BackendError> {
    let name = spec.program_name(kind);
    let read_error = |error: String| BackendError::Read {
        what: format!("statistics of `{name}`"),
        error,
    };
    let info = match raw {
        Some(fd) => bpf_stats::program_info(fd.as_fd()),
        None => {
            let program = ebpf.program(&name).ok_or_else(|| not_in_object(&name))?;
            let fd = program.fd().map_err(|e| read_error(error_chain(&e)))?;
            bpf_stats::program_info(fd.as_fd())
        }
    };
    info.map_err(|e| read_error(e.to_string()))
}

/// Loads a program of the object by hand (see [`raw_load`]).
type LoadByHand = fn(&Ebpf, &str) -> probecost_core::error::Result<OwnedFd>;

/// The error for a program name the embedded object lacks (a catalog/ebpf mismatch).
fn not_in_object(name: &str) -> BackendError {
    BackendError::Load {
        what: format!("program `{name}`"),
        error: "not in the eBPF object".into(),
    }
}

fn load_error(name: &str, error: ProgramError) -> BackendError {
    match error {
        ProgramError::LoadError {
            io_error,
            verifier_log,
        } => BackendError::VerifierRejected {
            program: name.into(),
            error: io_error.to_string(),
            log: verifier_log.to_string(),
        },
        other => BackendError::Load {
            what: format!("program `{name}`"),
            error: error_chain(&other),
        },
    }
}

/// The kernel function the read path's kprobes and fentry programs attach to.
pub const READ_FUNCTION: &str = "vfs_read";

/// The hook's tracepoint name in the `syscalls` category.
pub(crate) fn syscall_tracepoint(hook: Hook) -> &'static str {
    match hook {
        Hook::ReadReturn => "sys_exit_read",
        _ => "sys_enter_read",
    }
}
