//! Loading and attaching one program, one file per attach kind (as aya has one per program
//! type), each implementing [`ProgramType`] and listed once in [`PROGRAM_TYPES`]. Every
//! attachment is held as an owned link: dropping it detaches, and the kernel drops it with our
//! file descriptors if the process dies.

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

pub use kprobe_multi::attach_kprobe_multi;
pub use raw_load::{attach_tracing, FdLink, LoadAs, RelocatedProgram};
pub use uprobe::libc_path;

use std::os::fd::{AsFd as _, OwnedFd};

use aya::{
    programs::{Program, ProgramError},
    Ebpf,
};
use libbpf_rs::{Link, ProgramAttachType, ProgramMut};

use super::{
    bpf_stats::{self, KernelProgramInfo},
    Support,
};
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

/// One attach kind on Linux: whether this kernel offers it, and how probecost's programs for
/// it load and attach, through aya and through libbpf. Each kind is one file of this folder
/// implementing it, listed once in [`PROGRAM_TYPES`].
pub trait ProgramType: Sync {
    /// The kind this file implements.
    fn kind(&self) -> AttachKind;

    /// Whether this kernel offers the kind, with the reason when it does not.
    fn support(&self) -> Support;

    /// How the aya tracer's programs of this kind load and attach.
    fn loading(&self) -> Loading;

    /// Attaches the libbpf tracer's loaded C program for `hook`, at the point the aya program
    /// uses. The link detaches when dropped, and the kernel drops it with the process.
    fn attach_libbpf(&self, program: &ProgramMut<'_>, hook: Hook) -> libbpf_rs::Result<Link>;

    /// The attach type libbpf must load the C program with, when its section does not say.
    fn libbpf_attach_type(&self) -> Option<ProgramAttachType> {
        None
    }
}

/// How a kind's programs load and attach through aya.
#[derive(Clone, Copy)]
pub enum Loading {
    /// aya loads the program (`load`) and attaches it (`attach`) for a hook.
    Aya {
        /// Loads the program for the hook (the verifier runs here).
        load: fn(&mut Program, Hook) -> Result<(), ProgramError>,
        /// Attaches the loaded program for the hook.
        attach: fn(&mut Program, Hook) -> Result<OwnedLink, ProgramError>,
    },
    /// aya 0.14 cannot: the program is loaded by hand (see [`raw_load`]) with the attach type
    /// the link needs, and linked by its descriptor.
    ByHand {
        /// What the program is loaded for, in messages.
        purpose: &'static str,
        /// Loads the object's program of that name, its maps those of the loaded object.
        load: fn(&Ebpf, &str) -> probecost_core::error::Result<OwnedFd>,
        /// Links the loaded program (named for messages) for the hook.
        link: fn(&OwnedFd, &str, Hook) -> probecost_core::error::Result<FdLink>,
    },
}

/// Every attach kind probecost's programs use on Linux, each once.
pub const PROGRAM_TYPES: &[&dyn ProgramType] = &[
    &kprobe::Kprobe,
    &fentry::Fentry,
    &tracepoint::SyscallTracepoint,
    &uprobe::Uprobe,
    &raw_tracepoint::RawTracepoint,
    &tp_btf::TpBtf,
    &kprobe_multi::KprobeMulti,
    &fmod_ret::FmodRet,
    &uprobe_multi::UprobeMulti,
];

/// The implementation of `kind`.
pub fn program_type(kind: AttachKind) -> &'static dyn ProgramType {
    *PROGRAM_TYPES
        .iter()
        .find(|t| t.kind() == kind)
        .expect("every attach kind is in PROGRAM_TYPES (a unit test checks it)")
}

/// Loads `spec`'s program for `kind` into the kernel (the verifier runs here). A program
/// loaded by hand comes back as its descriptor, which [`attach`] and [`program_info`] then
/// take.
pub fn load(
    ebpf: &mut Ebpf,
    spec: &ProgramSpec,
    kind: AttachKind,
) -> Result<Option<OwnedFd>, BackendError> {
    let name = spec.program_name(kind);
    match program_type(kind).loading() {
        Loading::Aya { load, .. } => {
            let program = ebpf
                .program_mut(&name)
                .ok_or_else(|| not_in_object(&name))?;
            load(program, spec.hook)
                .map(|()| None)
                .map_err(|e| load_error(&name, e))
        }
        Loading::ByHand { purpose, load, .. } => {
            load(ebpf, &name).map(Some).map_err(|e| BackendError::Load {
                what: format!("program `{name}` for {purpose}"),
                error: e.to_string(),
            })
        }
    }
}

/// Attaches `spec`'s loaded program for `kind` (`raw`: what [`load`] returned).
pub fn attach(
    ebpf: &mut Ebpf,
    spec: &ProgramSpec,
    kind: AttachKind,
    raw: Option<&OwnedFd>,
) -> Result<OwnedLink, BackendError> {
    let name = spec.program_name(kind);
    let attach_error = |error: String| BackendError::Attach {
        action: "attach",
        program: name.clone(),
        attach: kind.attach_point(spec.hook).into(),
        error,
    };
    match (program_type(kind).loading(), raw) {
        (Loading::Aya { attach, .. }, _) => {
            let program = ebpf
                .program_mut(&name)
                .ok_or_else(|| not_in_object(&name))?;
            attach(program, spec.hook).map_err(|e| attach_error(error_chain(&e)))
        }
        (Loading::ByHand { link, .. }, Some(fd)) => link(fd, &name, spec.hook)
            .map(OwnedLink::Fd)
            .map_err(|e| attach_error(e.to_string())),
        (Loading::ByHand { .. }, None) => Err(BackendError::Load {
            what: format!("program `{name}`"),
            error: "a program loaded by hand must be loaded before it is attached".into(),
        }),
    }
}

/// Whether a program on `hook` runs at the function's return.
fn at_return(hook: Hook) -> bool {
    matches!(hook, Hook::ReadReturn | Hook::LibcReadReturn)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attach_kind_has_one_program_type() {
        for kind in AttachKind::ALL {
            let count = PROGRAM_TYPES.iter().filter(|t| t.kind() == kind).count();
            assert_eq!(count, 1, "{kind:?}");
        }
        assert_eq!(PROGRAM_TYPES.len(), AttachKind::ALL.len());
    }
}
