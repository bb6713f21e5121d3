//! Counting programs for many-probe sets (`attach-scale`, `workload`): one program attached to
//! every probe of a set, each activation counted. Syscalls are counted per syscall number;
//! other probes for the whole set.

use aya_ebpf::{
    bindings::pt_regs,
    helpers::bpf_probe_read_kernel,
    macros::{fentry, kprobe, kretprobe, map, raw_tracepoint, tracepoint, uprobe},
    maps::{Array, PerCpuArray},
    programs::{
        FEntryContext, ProbeContext, RawTracePointContext, RetProbeContext, TracePointContext,
    },
    EbpfContext as _,
};
use probecost_common::probe_sets::{MAX_SYSCALLS, SELECT_ENTER, SELECT_EXIT};

/// Activations of the probes that do not say which one fired (tracepoints other than syscalls,
/// kprobes, uprobes, fentry).
#[map]
static ACTIVATIONS_TOTAL: PerCpuArray<u64> = PerCpuArray::with_max_entries(1, 0);

/// Which syscalls the raw sys_enter/sys_exit programs count: `SELECT_ENTER | SELECT_EXIT` bits
/// per syscall number, written by user space.
#[map]
static SYSCALLS_SELECTED: Array<u8> = Array::with_max_entries(MAX_SYSCALLS, 0);

/// Entries of each selected syscall.
#[map]
static SYSCALL_ENTERS: PerCpuArray<u64> = PerCpuArray::with_max_entries(MAX_SYSCALLS, 0);

/// Exits of each selected syscall.
#[map]
static SYSCALL_EXITS: PerCpuArray<u64> = PerCpuArray::with_max_entries(MAX_SYSCALLS, 0);

#[inline(always)]
fn bump(map: &PerCpuArray<u64>, index: u32) {
    if let Some(slot) = map.get_ptr_mut(index) {
        // SAFETY: a per-CPU slot, only this CPU writes it while the program runs.
        unsafe { *slot += 1 };
    }
}

#[inline(always)]
fn count_syscall(id: u64, bit: u8, counts: &PerCpuArray<u64>) {
    if id >= MAX_SYSCALLS as u64 {
        return;
    }
    let id = id as u32;
    if SYSCALLS_SELECTED.get(id).is_some_and(|s| s & bit != 0) {
        bump(counts, id);
    }
}

/// Any tracepoint (one perf event per probe), counted for the whole set: a tracepoint
/// program cannot tell which event fired (the record's `common_type` is filled in only after
/// the program ran).
#[tracepoint]
pub fn count_tracepoint(_ctx: TracePointContext) -> u32 {
    bump(&ACTIVATIONS_TOTAL, 0);
    0
}

/// Byte offset of `__syscall_nr` in a `syscalls:sys_enter_*` / `sys_exit_*` record.
const SYSCALL_NR_OFFSET: usize = 8;

#[inline(always)]
fn syscall_nr(ctx: &TracePointContext) -> u32 {
    // SAFETY: every syscall record has the 4-byte `__syscall_nr` at this offset.
    let nr = unsafe {
        core::ptr::read((ctx.as_ptr() as *const u8).add(SYSCALL_NR_OFFSET) as *const i32)
    };
    nr as u32
}

/// A `syscalls:sys_enter_*` tracepoint, counted per syscall.
#[tracepoint]
pub fn count_syscall_enter_tp(ctx: TracePointContext) -> u32 {
    let nr = syscall_nr(&ctx);
    if nr < MAX_SYSCALLS {
        bump(&SYSCALL_ENTERS, nr);
    }
    0
}

/// A `syscalls:sys_exit_*` tracepoint, counted per syscall.
#[tracepoint]
pub fn count_syscall_exit_tp(ctx: TracePointContext) -> u32 {
    let nr = syscall_nr(&ctx);
    if nr < MAX_SYSCALLS {
        bump(&SYSCALL_EXITS, nr);
    }
    0
}

/// `raw_syscalls:sys_enter` (`TP_PROTO(struct pt_regs *regs, long id)`): one attachment for
/// every syscall's entry, counted per selected syscall.
#[raw_tracepoint(tracepoint = "sys_enter")]
pub fn count_raw_sys_enter(ctx: RawTracePointContext) -> i32 {
    let id: u64 = ctx.arg(1);
    count_syscall(id, SELECT_ENTER, &SYSCALL_ENTERS);
    0
}

/// `raw_syscalls:sys_exit` (`TP_PROTO(struct pt_regs *regs, long ret)`): the syscall number is
/// the registers' `orig_rax`.
#[raw_tracepoint(tracepoint = "sys_exit")]
pub fn count_raw_sys_exit(ctx: RawTracePointContext) -> i32 {
    let regs: *const pt_regs = ctx.arg(0);
    // SAFETY: a kernel pointer read through the helper, which faults safely.
    let id = unsafe { bpf_probe_read_kernel(core::ptr::addr_of!((*regs).orig_rax)) }.unwrap_or(!0);
    count_syscall(id, SELECT_EXIT, &SYSCALL_EXITS);
    0
}

/// Any tracepoint attached as a raw tracepoint (a BPF link each, no perf event): counted for
/// the whole set, since a raw tracepoint's arguments do not say which one fired.
#[raw_tracepoint(tracepoint = "sched_switch")]
pub fn count_raw_tracepoint(_ctx: RawTracePointContext) -> i32 {
    bump(&ACTIVATIONS_TOTAL, 0);
    0
}

/// kprobe on any kernel function.
#[kprobe]
pub fn count_kprobe(_ctx: ProbeContext) -> u32 {
    bump(&ACTIVATIONS_TOTAL, 0);
    0
}

/// kretprobe on any kernel function.
#[kretprobe]
pub fn count_kretprobe(_ctx: RetProbeContext) -> u32 {
    bump(&ACTIVATIONS_TOTAL, 0);
    0
}

/// uprobe or uretprobe on any user function.
#[uprobe]
pub fn count_uprobe(_ctx: ProbeContext) -> u32 {
    bump(&ACTIVATIONS_TOTAL, 0);
    0
}

/// fentry on any kernel function (the target is chosen when user space loads it).
#[fentry(function = "vfs_read")]
pub fn count_fentry(_ctx: FEntryContext) -> i32 {
    bump(&ACTIVATIONS_TOTAL, 0);
    0
}
