//! The mechanism matrix (`probecost run --suite mechanisms`): the same two bodies, empty and
//! one per-CPU array increment, on mechanisms the talk's table does not use. kprobe, fentry,
//! syscall tracepoint and libc uprobe variants come from the `hooks` macros and the uprobe
//! programs below; the raw and BTF tracepoints here attach to `sys_enter`, which fires for
//! every syscall, so their counting programs count only when the syscall is `read`. The uprobe
//! programs serve the uprobe.multi rows too (loaded for that link type by user space).

use aya_ebpf::{
    macros::{btf_tracepoint, fentry, raw_tracepoint, uprobe, uretprobe},
    programs::{
        BtfTracePointContext, FEntryContext, ProbeContext, RawTracePointContext, RetProbeContext,
    },
};
use probecost_common::READ_SYSCALL_NR;

use crate::maps::{increment_slot, COUNT};

/// The counting body: `@ = count()`.
#[inline(always)]
fn count() {
    increment_slot(&COUNT, 0);
}

/// `raw_syscalls:sys_enter` as a raw tracepoint (`TP_PROTO(struct pt_regs *regs, long id)`),
/// empty body: what the mechanism costs on every syscall.
#[raw_tracepoint(tracepoint = "sys_enter")]
pub fn probe_rawtp(_ctx: RawTracePointContext) -> i32 {
    0
}

/// The same, counting reads.
#[raw_tracepoint(tracepoint = "sys_enter")]
pub fn map_rawtp(ctx: RawTracePointContext) -> i32 {
    if ctx.arg::<u64>(1) == READ_SYSCALL_NR {
        count();
    }
    0
}

/// `sys_enter` as a BTF tracepoint (`tp_btf`), empty body.
#[btf_tracepoint(function = "sys_enter")]
pub fn probe_tpbtf(_ctx: BtfTracePointContext) -> i32 {
    0
}

/// The same, counting reads.
#[btf_tracepoint(function = "sys_enter")]
pub fn map_tpbtf(ctx: BtfTracePointContext) -> i32 {
    if ctx.arg::<u64>(1) == READ_SYSCALL_NR {
        count();
    }
    0
}

/// A uprobe with an empty body, attached to libc's `read` or to one of probecost's sites.
#[uprobe]
pub fn probe_uprobe(_ctx: ProbeContext) -> u32 {
    0
}

/// A uprobe counting its events.
#[uprobe]
pub fn map_uprobe(_ctx: ProbeContext) -> u32 {
    count();
    0
}

/// A uretprobe with an empty body.
#[uretprobe]
pub fn retprobe_uretprobe(_ctx: RetProbeContext) -> u32 {
    0
}

/// A uretprobe counting its events.
#[uretprobe]
pub fn map_return_uretprobe(_ctx: RetProbeContext) -> u32 {
    count();
    0
}

/// `fmod_ret` on `security_file_permission`, the LSM hook `vfs_read` (and `vfs_write`) calls,
/// empty: returning 0 leaves the return value alone. Built as an fentry program; user space loads it
/// with `BPF_MODIFY_RETURN` (aya 0.14 has no fmod_ret).
#[fentry(function = "security_file_permission")]
pub fn probe_fmodret(_ctx: FEntryContext) -> i32 {
    0
}

/// The same, counting its events.
#[fentry(function = "security_file_permission")]
pub fn map_fmodret(_ctx: FEntryContext) -> i32 {
    count();
    0
}
