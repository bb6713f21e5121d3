//! Attaching one loaded C program at the point the catalog gives its hook and attach kind,
//! the same points the aya programs use.

use libbpf_rs::{Link, ProgramMut, TracepointCategory, UprobeOpts};

use crate::programs::{libc_path, syscall_tracepoint, READ_FUNCTION};
use probecost_core::scenario::{AttachKind, Hook};

/// Attaches `program` for `hook` through `kind`. The returned link detaches when dropped, and
/// the kernel drops it with the process.
pub fn attach(program: &ProgramMut<'_>, kind: AttachKind, hook: Hook) -> libbpf_rs::Result<Link> {
    let returns = matches!(hook, Hook::ReadReturn | Hook::LibcReadReturn);
    match kind {
        AttachKind::Kprobe => program.attach_kprobe(returns, READ_FUNCTION),
        AttachKind::KprobeMulti => program.attach_kprobe_multi(returns, vec![READ_FUNCTION]),
        // fentry/fexit, fmod_ret and tp_btf programs carry their target from loading.
        AttachKind::Fentry | AttachKind::FmodRet | AttachKind::TpBtf => program.attach_trace(),
        AttachKind::UprobeMulti => {
            let libc = libc_path().map_err(|e| std::io::Error::other(e.to_string()))?;
            program.attach_uprobe_multi(-1, libc, "read", returns, false)
        }
        AttachKind::SyscallTracepoint => {
            program.attach_tracepoint(TracepointCategory::Syscalls, syscall_tracepoint(hook))
        }
        AttachKind::RawTracepoint => program.attach_raw_tracepoint("sys_enter"),
        AttachKind::Uprobe => {
            let (binary, symbol) = match hook {
                Hook::Site(site) => (std::env::current_exe()?, site.symbol()),
                _ => (
                    libc_path().map_err(|e| std::io::Error::other(e.to_string()))?,
                    "read",
                ),
            };
            let opts = UprobeOpts {
                retprobe: returns,
                func_name: Some(symbol.into()),
                ..Default::default()
            };
            program.attach_uprobe_with_opts(-1, binary, 0, opts)
        }
    }
}
