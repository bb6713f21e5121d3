//! The maps the scenario bodies update. Sizes follow bpftrace 0.17's defaults (4096 keys,
//! 1024-deep stack maps would be wasteful here: 4096 stacks cover the workload many times over).

use aya_ebpf::{
    macros::map,
    maps::{LruHashMap, PerCpuArray, PerCpuHashMap, RingBuf, StackTrace},
};
use probecost_common::{per_event_slot, PidComm, StacksBucketKey, UserStackKey, HIST_BUCKETS};

const MAX_KEYS: u32 = 4096;

/// `@ = count()`: bpftrace keeps a keyless count in a per-CPU map under key 0.
#[map]
pub static COUNT: PerCpuArray<u64> = PerCpuArray::with_max_entries(1, 0);

/// `@[pid] = count()`.
#[map]
pub static COUNT_BY_PID: PerCpuHashMap<u32, u64> = PerCpuHashMap::with_max_entries(MAX_KEYS, 0);

/// `@[comm] = count()`.
#[map]
pub static COUNT_BY_COMM: PerCpuHashMap<[u8; 16], u64> =
    PerCpuHashMap::with_max_entries(MAX_KEYS, 0);

/// `@[pid, comm] = count()`.
#[map]
pub static COUNT_BY_PID_COMM: PerCpuHashMap<PidComm, u64> =
    PerCpuHashMap::with_max_entries(MAX_KEYS, 0);

/// Kernel stacks, for `kstack` keys.
#[map]
pub static KERNEL_STACKS: StackTrace = StackTrace::with_max_entries(MAX_KEYS, 0);

/// User stacks, for `ustack` keys.
#[map]
pub static USER_STACKS: StackTrace = StackTrace::with_max_entries(MAX_KEYS, 0);

/// `@[kstack] = count()`.
#[map]
pub static COUNT_BY_KERNEL_STACK: PerCpuHashMap<i64, u64> =
    PerCpuHashMap::with_max_entries(MAX_KEYS, 0);

/// `@[ustack] = count()`.
#[map]
pub static COUNT_BY_USER_STACK: PerCpuHashMap<UserStackKey, u64> =
    PerCpuHashMap::with_max_entries(MAX_KEYS, 0);

/// `@ = hist(arg2)`: one slot per log2 bucket.
#[map]
pub static SIZE_HIST: PerCpuArray<u64> = PerCpuArray::with_max_entries(HIST_BUCKETS, 0);

/// `@start[tid] = nsecs`, for the timing scenario. Least-recently-used, so slots of threads
/// that are gone make room for new ones (the program zeroes a slot instead of deleting it).
#[map]
pub static READ_START_NS: LruHashMap<u32, u64> = LruHashMap::with_max_entries(MAX_KEYS, 0);

/// `@ = hist(nsecs - @start[tid])`.
#[map]
pub static LATENCY_HIST: PerCpuArray<u64> = PerCpuArray::with_max_entries(HIST_BUCKETS, 0);

/// `@[kstack, ustack] = hist(arg2)`.
#[map]
pub static HIST_BY_STACKS: PerCpuHashMap<StacksBucketKey, u64> =
    PerCpuHashMap::with_max_entries(MAX_KEYS, 0);

/// Counters of the per-event programs, indexed by `per_event_slot`.
#[map]
pub static PER_EVENT_COUNTERS: PerCpuArray<u64> =
    PerCpuArray::with_max_entries(per_event_slot::COUNT, 0);

/// Records of the `per-event` row (1 MiB: ~40k records, tens of milliseconds of events
/// between two polls of the reader).
#[map]
pub static READ_RECORDS: RingBuf = RingBuf::with_byte_size(1 << 20, 0);

/// Adds one to slot `index` of a per-CPU array.
#[inline(always)]
pub fn increment_slot(map: &PerCpuArray<u64>, index: u32) {
    if let Some(slot) = map.get_ptr_mut(index) {
        // SAFETY: per-CPU slot, and a BPF program is not preempted on its CPU.
        unsafe { *slot += 1 };
    }
}

/// `@[key] = count()` on a per-CPU hash map: bump the existing value or insert 1.
#[inline(always)]
pub fn increment_key<K>(map: &PerCpuHashMap<K, u64>, key: &K) {
    match map.get_ptr_mut(key) {
        // SAFETY: per-CPU value, and a BPF program is not preempted on its CPU.
        Some(value) => unsafe { *value += 1 },
        None => {
            let _ = map.insert(key, 1u64, 0);
        }
    }
}
