//! The attach kinds a scenario's programs can use, and how each names its attach point and
//! its programs: the one list of kinds, which each platform implements.

use super::{Hook, UprobeSite};

/// The kind of attach point a program uses, in the order probecost prefers them for the
/// kernel's read path: kprobes as in the talk, then fentry/fexit, then syscall tracepoints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AttachKind {
    /// kprobe / kretprobe on `vfs_read`.
    Kprobe,
    /// fentry / fexit on `vfs_read` (BTF trampolines).
    Fentry,
    /// `syscalls:sys_enter_read` / `syscalls:sys_exit_read`.
    SyscallTracepoint,
    /// uprobe / uretprobe on libc's `read` (or on one of probecost's sites).
    Uprobe,
    /// `sys_enter` as a raw tracepoint (every syscall's entry, one BPF link).
    RawTracepoint,
    /// `sys_enter` as a BTF-typed tracepoint (`tp_btf`).
    TpBtf,
    /// kprobe / kretprobe on `vfs_read` through a `kprobe.multi` link (fprobe), as bpftrace
    /// and libbpf attach kprobe globs.
    KprobeMulti,
    /// `fmod_ret` on `security_file_permission`, the LSM hook `vfs_read` calls (a trampoline
    /// whose program may change the function's return value).
    FmodRet,
    /// uprobe / uretprobe on libc's `read` through a `uprobe.multi` link.
    UprobeMulti,
}

impl AttachKind {
    /// Every kind, each once: the list each platform's backends implement (on Linux, one file
    /// of `probecost-linux`'s `programs/` per kind).
    pub const ALL: [AttachKind; 9] = [
        Self::Kprobe,
        Self::Fentry,
        Self::SyscallTracepoint,
        Self::Uprobe,
        Self::RawTracepoint,
        Self::TpBtf,
        Self::KprobeMulti,
        Self::FmodRet,
        Self::UprobeMulti,
    ];

    /// For a program on `hook` with this kind: its attach point as bpftrace names it, and the
    /// suffix of the eBPF program built for it (`<body>_<suffix>` in ebpf/).
    fn names(self, hook: Hook) -> (&'static str, &'static str) {
        match (self, hook) {
            (Self::Kprobe, Hook::ReadReturn) => ("kretprobe:vfs_read", "kretprobe"),
            (Self::Kprobe, _) => ("kprobe:vfs_read", "kprobe"),
            (Self::Fentry, Hook::ReadReturn) => ("fexit:vfs_read", "fexit"),
            (Self::Fentry, _) => ("fentry:vfs_read", "fentry"),
            (Self::SyscallTracepoint, Hook::ReadReturn) => {
                ("tracepoint:syscalls:sys_exit_read", "tp")
            }
            (Self::SyscallTracepoint, _) => ("tracepoint:syscalls:sys_enter_read", "tp"),
            (Self::Uprobe, Hook::LibcReadReturn) => ("uretprobe:libc:read", "uretprobe"),
            (Self::Uprobe, Hook::Site(UprobeSite::Nop)) => {
                ("uprobe:probecost:probecost_site_nop", "uprobe")
            }
            (Self::Uprobe, Hook::Site(UprobeSite::Nop5)) => {
                ("uprobe:probecost:probecost_site_nop5", "uprobe")
            }
            (Self::Uprobe, Hook::Site(UprobeSite::Push)) => {
                ("uprobe:probecost:probecost_site_push", "uprobe")
            }
            (Self::Uprobe, _) => ("uprobe:libc:read", "uprobe"),
            (Self::RawTracepoint, _) => ("rawtracepoint:sys_enter", "rawtp"),
            (Self::TpBtf, _) => ("tp_btf:sys_enter", "tpbtf"),
            (Self::KprobeMulti, Hook::ReadReturn) => ("kretprobe.multi:vfs_read", "kretprobe"),
            (Self::KprobeMulti, _) => ("kprobe.multi:vfs_read", "kprobe"),
            (Self::FmodRet, _) => ("fmod_ret:security_file_permission", "fmodret"),
            (Self::UprobeMulti, Hook::LibcReadReturn) => ("uretprobe.multi:libc:read", "uretprobe"),
            (Self::UprobeMulti, _) => ("uprobe.multi:libc:read", "uprobe"),
        }
    }

    /// The attach point a program on `hook` uses with this kind, as bpftrace would name it.
    pub fn attach_point(self, hook: Hook) -> &'static str {
        self.names(hook).0
    }

    /// Suffix of the eBPF program built for this kind (`<body>_<suffix>` in ebpf/).
    pub fn program_suffix(self, hook: Hook) -> &'static str {
        self.names(hook).1
    }
}
