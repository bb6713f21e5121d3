//! Types and constants shared by probecost's eBPF programs (`ebpf/`) and its user space.
//!
//! Everything here is `#[repr(C)]` plain data: the kernel hands it across the map boundary
//! byte for byte, so both sides must agree on the layout.
#![no_std]

/// Number of log2 buckets a histogram map holds: bucket 0 for the value 0, bucket `b` (1..=64)
/// for values in `[2^(b-1), 2^b)`, as bpftrace's `hist()` lays them out.
pub const HIST_BUCKETS: u32 = 65;

/// Byte offset of `count` (the third argument) in the `syscalls:sys_enter_read` record:
/// the 8-byte common header, the syscall number padded to 8 bytes, then `fd` and `buf`.
/// User space checks it against the tracepoint's `format` file before loading.
pub const SYS_ENTER_READ_COUNT_OFFSET: usize = 32;

/// The `read` syscall's number the mechanism matrix's `sys_enter` programs filter on (x86_64's;
/// user space checks it against the running architecture's before loading them).
pub const READ_SYSCALL_NR: u64 = 0;

/// Byte offset of `ret` in the `syscalls:sys_exit_read` record.
pub const SYS_EXIT_READ_RET_OFFSET: usize = 16;

/// `bpf_get_stackid` flag asking for the user-space stack.
pub const BPF_F_USER_STACK: u64 = 1 << 8;

/// Slots of the per-event programs' counter array.
pub mod per_event_slot {
    /// Events the per-event program saw (every invocation).
    pub const SEEN: u32 = 0;
    /// Events the ring-buffer variant could not reserve space for.
    pub const DROPPED: u32 = 1;
    /// Number of slots.
    pub const COUNT: u32 = 2;
}

/// The many-probe counting programs (`attach-scale`, `workload`).
pub mod probe_sets {
    /// Syscall numbers the raw sys_enter/sys_exit programs can count (x86_64 has fewer than
    /// 512).
    pub const MAX_SYSCALLS: u32 = 1024;
    /// Bit of `SYSCALLS_SELECTED` that counts a syscall's entry.
    pub const SELECT_ENTER: u8 = 1;
    /// Bit of `SYSCALLS_SELECTED` that counts a syscall's exit.
    pub const SELECT_EXIT: u8 = 2;
}

/// Names of the maps user space reads.
pub mod map_names {
    /// Per-CPU counters of the per-event programs, indexed by [`super::per_event_slot`].
    pub const PER_EVENT_COUNTERS: &str = "PER_EVENT_COUNTERS";
    /// Ring buffer of [`super::ReadRecord`]s for the `per-event` row.
    pub const READ_RECORDS: &str = "READ_RECORDS";
    /// Per-CPU activations of probes that do not say which one fired.
    pub const ACTIVATIONS_TOTAL: &str = "ACTIVATIONS_TOTAL";
    /// Which syscalls the raw syscall programs count.
    pub const SYSCALLS_SELECTED: &str = "SYSCALLS_SELECTED";
    /// Per-CPU entries of each selected syscall.
    pub const SYSCALL_ENTERS: &str = "SYSCALL_ENTERS";
    /// Per-CPU exits of each selected syscall.
    pub const SYSCALL_EXITS: &str = "SYSCALL_EXITS";
}

/// The log2 bucket of `value`, as bpftrace's `hist()` computes it.
#[inline(always)]
pub fn log2_bucket(value: u64) -> u32 {
    64 - value.leading_zeros()
}

/// `(pid, comm)`: the key of `@[pid, comm] = count()`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PidComm {
    /// Thread-group id (user space's pid).
    pub pid: u32,
    /// The task's command name, NUL-padded.
    pub comm: [u8; 16],
}

/// `(pid, user stack id)`: the key of `@[ustack] = count()`. bpftrace keys user stacks by pid
/// too, since the same addresses mean different code in different processes.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserStackKey {
    /// Thread-group id.
    pub pid: u32,
    /// Explicit padding so the key has no uninitialised bytes.
    pub _pad: u32,
    /// Id in the user stack-trace map, or a negative errno.
    pub stack_id: i64,
}

/// `(kstack, ustack, log2 bucket)`: the key of `@[kstack, ustack] = hist(arg2)`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StacksBucketKey {
    /// Id in the kernel stack-trace map, or a negative errno.
    pub kernel_stack_id: i64,
    /// Id in the user stack-trace map, or a negative errno.
    pub user_stack_id: i64,
    /// Thread-group id (user stacks are per process).
    pub pid: u32,
    /// log2 bucket of the requested size.
    pub bucket: u32,
}

/// One record of the `per-event` row: what `printf("%d bytes\n", arg2)` needs.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadRecord {
    /// Thread-group id of the reader.
    pub pid: u32,
    /// Explicit padding.
    pub _pad: u32,
    /// Bytes requested.
    pub count: u64,
}
