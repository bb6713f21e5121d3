// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The scenarios of ebpf/src/scenarios.rs and the mechanism matrix of ebpf/src/mechanisms.rs in
 * C, for `--tracer libbpf`: the same bodies, maps and program names, compiled by clang and
 * loaded by libbpf, so the two columns differ only in compiler and loader. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "kernel_types.h"
#include "maps.h"
#include "hooks.h"

static __always_inline __u32 current_pid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

static __always_inline __u32 current_tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

/* Rows 2 and 4: the bare probe. */
static __always_inline void probe(void *ctx, __u64 count) {}
ON_READ_ENTRY(probe)

/* Rows 3 and 5: the bare return probe. */
static __always_inline void retprobe(void *ctx) {}
ON_READ_RETURN(retprobe)

/* Row 8, `/arg2 > 0/ {}`: the predicate is evaluated, the action is empty. The volatile store
 * keeps the compiler from deleting a comparison whose result nothing uses. */
static __always_inline void filter(void *ctx, __u64 count)
{
	volatile __u8 matched = 0;
	if (count > 0)
		matched = 1;
	(void)matched;
}
ON_READ_ENTRY(filter)

/* Row 9, `@ = count()`. */
static __always_inline void map(void *ctx, __u64 count)
{
	increment_slot(&COUNT, 0);
}
ON_READ_ENTRY(map)

/* Row 10, `@[pid] = count()`. */
static __always_inline void single_key(void *ctx, __u64 count)
{
	__u32 pid = current_pid();
	increment_key(&COUNT_BY_PID, &pid);
}
ON_READ_ENTRY(single_key)

/* Row 11, `@[comm] = count()`. */
static __always_inline void string_key(void *ctx, __u64 count)
{
	char comm[16] = {};
	bpf_get_current_comm(comm, sizeof(comm));
	increment_key(&COUNT_BY_COMM, comm);
}
ON_READ_ENTRY(string_key)

/* Row 12, `@[pid, comm] = count()`. */
static __always_inline void two_keys(void *ctx, __u64 count)
{
	struct pid_comm key = {.pid = current_pid()};
	bpf_get_current_comm(key.comm, sizeof(key.comm));
	increment_key(&COUNT_BY_PID_COMM, &key);
}
ON_READ_ENTRY(two_keys)

/* Row 13, `@[kstack] = count()`. */
static __always_inline void kernel_stack(void *ctx, __u64 count)
{
	__s64 stack_id = bpf_get_stackid(ctx, &KERNEL_STACKS, 0);
	increment_key(&COUNT_BY_KERNEL_STACK, &stack_id);
}
ON_READ_ENTRY(kernel_stack)

/* Row 14, `@[ustack] = count()`. */
static __always_inline void user_stack(void *ctx, __u64 count)
{
	struct user_stack_key key = {
		.pid = current_pid(),
		.stack_id = bpf_get_stackid(ctx, &USER_STACKS, BPF_F_USER_STACK),
	};
	increment_key(&COUNT_BY_USER_STACK, &key);
}
ON_READ_ENTRY(user_stack)

/* Row 15, `@ = hist(arg2)`. */
static __always_inline void histogram(void *ctx, __u64 count)
{
	increment_slot(&SIZE_HIST, log2_bucket(count));
}
ON_READ_ENTRY(histogram)

/* Row 16, entry half: `@start[tid] = nsecs`, written in place from a thread's second read. */
static __always_inline void timing_start(void *ctx, __u64 count)
{
	__u32 tid = current_tid();
	__u64 now = bpf_ktime_get_ns();
	__u64 *start = bpf_map_lookup_elem(&READ_START_NS, &tid);
	if (start)
		*start = now;
	else
		bpf_map_update_elem(&READ_START_NS, &tid, &now, BPF_ANY);
}
ON_READ_ENTRY(timing_start)

/* Row 16, return half: `@ = hist(nsecs - @start[tid])`, the slot zeroed instead of deleted. */
static __always_inline void timing_end(void *ctx)
{
	__u32 tid = current_tid();
	__u64 *start = bpf_map_lookup_elem(&READ_START_NS, &tid);
	if (start && *start) {
		__u64 now = bpf_ktime_get_ns();
		increment_slot(&LATENCY_HIST, log2_bucket(now > *start ? now - *start : 0));
		*start = 0;
	}
}
ON_READ_RETURN(timing_end)

/* Row 17, `@[kstack, ustack] = hist(arg2)`. */
static __always_inline void multiple(void *ctx, __u64 count)
{
	struct stacks_bucket_key key = {
		.kernel_stack_id = bpf_get_stackid(ctx, &KERNEL_STACKS, 0),
		.user_stack_id = bpf_get_stackid(ctx, &USER_STACKS, BPF_F_USER_STACK),
		.pid = current_pid(),
		.bucket = log2_bucket(count),
	};
	increment_key(&HIST_BY_STACKS, &key);
}
ON_READ_ENTRY(multiple)

/* Row 18, `printf("%d bytes\n", arg2)`: a fixed record per event through the ring buffer,
 * submitted without waking the reader (which polls); failed reservations count as drops. */
static __always_inline void per_event(void *ctx, __u64 count)
{
	increment_slot(&PER_EVENT_COUNTERS, PER_EVENT_SEEN);
	struct read_record *record = bpf_ringbuf_reserve(&READ_RECORDS, sizeof(*record), 0);
	if (!record) {
		increment_slot(&PER_EVENT_COUNTERS, PER_EVENT_DROPPED);
		return;
	}
	record->pid = current_pid();
	record->_pad = 0;
	record->count = count;
	bpf_ringbuf_submit(record, BPF_RB_NO_WAKEUP_FLAG);
}
ON_READ_ENTRY(per_event)

/* The mechanism matrix's counting body at the read's return. */
static __always_inline void map_return(void *ctx)
{
	increment_slot(&COUNT, 0);
}
ON_READ_RETURN(map_return)

/* Row 6, `uprobe:libc:read {}` (also the matrix's empty uprobe on probecost's sites). */
SEC("uprobe")
int libc_read_uprobe(void *ctx)
{
	return 0;
}

/* Row 7, `uretprobe:libc:read {}`. */
SEC("uretprobe")
int libc_read_uretprobe(void *ctx)
{
	return 0;
}

/* The mechanism matrix: `raw_syscalls:sys_enter`, which fires for every syscall, as a raw and as
 * a BTF tracepoint; the counting programs count only reads. */
SEC("raw_tp/sys_enter")
int probe_rawtp(struct bpf_raw_tracepoint_args *ctx)
{
	return 0;
}

SEC("raw_tp/sys_enter")
int map_rawtp(struct bpf_raw_tracepoint_args *ctx)
{
	if (ctx->args[1] == READ_SYSCALL_NR)
		increment_slot(&COUNT, 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(probe_tpbtf, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(map_tpbtf, struct pt_regs *regs, long id)
{
	if (id == READ_SYSCALL_NR)
		increment_slot(&COUNT, 0);
	return 0;
}

SEC("uprobe")
int probe_uprobe(void *ctx)
{
	return 0;
}

SEC("uprobe")
int map_uprobe(void *ctx)
{
	increment_slot(&COUNT, 0);
	return 0;
}

SEC("uretprobe")
int retprobe_uretprobe(void *ctx)
{
	return 0;
}

SEC("uretprobe")
int map_return_uretprobe(void *ctx)
{
	increment_slot(&COUNT, 0);
	return 0;
}

/* fmod_ret on the LSM hook vfs_read calls; returning 0 leaves its return value alone. */
SEC("fmod_ret/security_file_permission")
int BPF_PROG(probe_fmodret)
{
	return 0;
}

SEC("fmod_ret/security_file_permission")
int BPF_PROG(map_fmodret)
{
	increment_slot(&COUNT, 0);
	return 0;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
