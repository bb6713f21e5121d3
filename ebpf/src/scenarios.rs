//! One body per scenario, each doing what the bpftrace one-liner of SCENARIOS.md does.
//! `count` is the read's requested size (`arg2` of `vfs_read`, `count` of the syscall).

use aya_ebpf::{
    helpers::{bpf_get_current_comm, bpf_get_current_pid_tgid, bpf_ktime_get_ns},
    macros::{uprobe, uretprobe},
    programs::{tracing::StackIdContext, ProbeContext, RetProbeContext},
    EbpfContext,
};
use aya_log_ebpf::info;
/// `BPF_RB_NO_WAKEUP`: submit without notifying a reader waiting in epoll.
const BPF_RB_NO_WAKEUP: u64 = 1;

use probecost_common::{
    log2_bucket, per_event_slot, PidComm, ReadRecord, StacksBucketKey, UserStackKey,
    BPF_F_USER_STACK,
};

use crate::{
    hooks::{on_read_entry, on_read_return},
    maps::*,
};

#[inline(always)]
fn current_pid() -> u32 {
    (bpf_get_current_pid_tgid() >> 32) as u32
}

#[inline(always)]
fn current_tid() -> u32 {
    bpf_get_current_pid_tgid() as u32
}

#[inline(always)]
fn now_ns() -> u64 {
    // SAFETY: bpf_ktime_get_ns has no preconditions.
    unsafe { bpf_ktime_get_ns() }
}

#[inline(always)]
fn current_comm() -> [u8; 16] {
    bpf_get_current_comm().unwrap_or([0; 16])
}

/// Rows 2 and 4 (`kprobe:vfs_read {}`, `tracepoint:syscalls:sys_enter_read {}`): the bare probe.
#[inline(always)]
fn empty<C: EbpfContext>(_ctx: &C, _count: u64) {}
on_read_entry!(empty, probe_kprobe, probe_fentry, probe_tp);

/// Rows 3 and 5: the bare return probe.
#[inline(always)]
fn empty_return<C: EbpfContext>(_ctx: &C) {}
on_read_return!(
    empty_return,
    retprobe_kretprobe,
    retprobe_fexit,
    retprobe_tp
);

/// Row 8, `/arg2 > 0/ {}`: the predicate is evaluated, the action is empty. The volatile store
/// keeps the compiler from deleting a comparison whose result nothing else uses.
#[inline(always)]
fn filter<C: EbpfContext>(_ctx: &C, count: u64) {
    let mut matched = 0u8;
    if count > 0 {
        // SAFETY: a write to a local.
        unsafe { core::ptr::write_volatile(&mut matched, 1) };
    }
}
on_read_entry!(filter, filter_kprobe, filter_fentry, filter_tp);

/// Row 9, `@ = count()`.
#[inline(always)]
fn map<C: EbpfContext>(_ctx: &C, _count: u64) {
    increment_slot(&COUNT, 0);
}
on_read_entry!(map, map_kprobe, map_fentry, map_tp);

/// Row 10, `@[pid] = count()`.
#[inline(always)]
fn single_key<C: EbpfContext>(_ctx: &C, _count: u64) {
    increment_key(&COUNT_BY_PID, &current_pid());
}
on_read_entry!(
    single_key,
    single_key_kprobe,
    single_key_fentry,
    single_key_tp
);

/// Row 11, `@[comm] = count()`.
#[inline(always)]
fn string_key<C: EbpfContext>(_ctx: &C, _count: u64) {
    increment_key(&COUNT_BY_COMM, &current_comm());
}
on_read_entry!(
    string_key,
    string_key_kprobe,
    string_key_fentry,
    string_key_tp
);

/// Row 12, `@[pid, comm] = count()`.
#[inline(always)]
fn two_keys<C: EbpfContext>(_ctx: &C, _count: u64) {
    let key = PidComm {
        pid: current_pid(),
        comm: current_comm(),
    };
    increment_key(&COUNT_BY_PID_COMM, &key);
}
on_read_entry!(two_keys, two_keys_kprobe, two_keys_fentry, two_keys_tp);

/// Row 13, `@[kstack] = count()`.
#[inline(always)]
fn kernel_stack<C: StackIdContext>(ctx: &C, _count: u64) {
    let stack_id = ctx.get_stackid(&KERNEL_STACKS, 0).unwrap_or(-1);
    increment_key(&COUNT_BY_KERNEL_STACK, &stack_id);
}
on_read_entry!(
    kernel_stack,
    kernel_stack_kprobe,
    kernel_stack_fentry,
    kernel_stack_tp
);

/// Row 14, `@[ustack] = count()`.
#[inline(always)]
fn user_stack<C: StackIdContext>(ctx: &C, _count: u64) {
    let key = UserStackKey {
        pid: current_pid(),
        _pad: 0,
        stack_id: ctx
            .get_stackid(&USER_STACKS, BPF_F_USER_STACK)
            .unwrap_or(-1),
    };
    increment_key(&COUNT_BY_USER_STACK, &key);
}
on_read_entry!(
    user_stack,
    user_stack_kprobe,
    user_stack_fentry,
    user_stack_tp
);

/// Row 15, `@ = hist(arg2)`.
#[inline(always)]
fn histogram<C: EbpfContext>(_ctx: &C, count: u64) {
    increment_slot(&SIZE_HIST, log2_bucket(count));
}
on_read_entry!(histogram, histogram_kprobe, histogram_fentry, histogram_tp);

/// Row 16, entry half: `@start[tid] = nsecs`.
#[inline(always)]
fn timing_start<C: EbpfContext>(_ctx: &C, _count: u64) {
    let tid = current_tid();
    let now = now_ns();
    // A thread's slot is written in place from its second read on: no allocation, no lock.
    match READ_START_NS.get_ptr_mut(tid) {
        // SAFETY: the slot belongs to this thread, which is running this program.
        Some(start) => unsafe { *start = now },
        None => {
            let _ = READ_START_NS.insert(tid, now, 0);
        }
    }
}
on_read_entry!(
    timing_start,
    timing_start_kprobe,
    timing_start_fentry,
    timing_start_tp
);

/// Row 16, return half: `@ = hist(nsecs - @start[tid]); delete(@start[tid])`. The slot is
/// zeroed instead of deleted: bpftrace's predicate `/@start[tid]/` is false for a zero as for
/// a missing key, and the map is LRU so slots of finished threads are reclaimed.
#[inline(always)]
fn timing_end<C: EbpfContext>(_ctx: &C) {
    let tid = current_tid();
    if let Some(start) = READ_START_NS.get_ptr_mut(tid) {
        // SAFETY: the slot belongs to this thread, which is running this program.
        let started = unsafe { *start };
        if started != 0 {
            increment_slot(&LATENCY_HIST, log2_bucket(now_ns().saturating_sub(started)));
            // SAFETY: as above.
            unsafe { *start = 0 };
        }
    }
}
on_read_return!(
    timing_end,
    timing_end_kretprobe,
    timing_end_fexit,
    timing_end_tp
);

/// Row 17, `@[kstack, ustack] = hist(arg2)`.
#[inline(always)]
fn multiple<C: StackIdContext>(ctx: &C, count: u64) {
    let key = StacksBucketKey {
        kernel_stack_id: ctx.get_stackid(&KERNEL_STACKS, 0).unwrap_or(-1),
        user_stack_id: ctx
            .get_stackid(&USER_STACKS, BPF_F_USER_STACK)
            .unwrap_or(-1),
        pid: current_pid(),
        bucket: log2_bucket(count),
    };
    increment_key(&HIST_BY_STACKS, &key);
}
on_read_entry!(multiple, multiple_kprobe, multiple_fentry, multiple_tp);

/// Row 18, `printf("%d bytes\n", arg2)`: a fixed record per event through a BPF ring
/// buffer, formatted into a line in user space (as bpftrace's printf sends its arguments and
/// formats them in user space). Submitted without waking the reader, which polls: a wakeup per
/// event would cost more than the record. Failed reservations count as drops.
#[inline(always)]
fn per_event<C: EbpfContext>(_ctx: &C, count: u64) {
    increment_slot(&PER_EVENT_COUNTERS, per_event_slot::SEEN);
    match READ_RECORDS.reserve::<ReadRecord>(0) {
        Some(mut entry) => {
            entry.write(ReadRecord {
                pid: current_pid(),
                _pad: 0,
                count,
            });
            entry.submit(BPF_RB_NO_WAKEUP);
        }
        None => increment_slot(&PER_EVENT_COUNTERS, per_event_slot::DROPPED),
    }
}
on_read_entry!(per_event, per_event_kprobe, per_event_fentry, per_event_tp);

/// `per-event-aya-log`: the same line through aya-log, formatted by aya-log's user-space
/// logger; the seen-counter lets user space count records lost on the way.
#[inline(always)]
fn per_event_aya_log<C: EbpfContext>(ctx: &C, count: u64) {
    increment_slot(&PER_EVENT_COUNTERS, per_event_slot::SEEN);
    info!(ctx, "{} bytes", count);
}
on_read_entry!(
    per_event_aya_log,
    per_event_aya_log_kprobe,
    per_event_aya_log_fentry,
    per_event_aya_log_tp
);

/// The mechanism matrix's counting body at the read's return.
#[inline(always)]
fn map_return<C: EbpfContext>(_ctx: &C) {
    increment_slot(&COUNT, 0);
}
on_read_return!(
    map_return,
    map_return_kretprobe,
    map_return_fexit,
    map_return_tp
);

/// Row 6, `uprobe:libc:read {}`.
#[uprobe]
pub fn libc_read_uprobe(_ctx: ProbeContext) -> u32 {
    0
}

/// Row 7, `uretprobe:libc:read {}`.
#[uretprobe]
pub fn libc_read_uretprobe(_ctx: RetProbeContext) -> u32 {
    0
}
