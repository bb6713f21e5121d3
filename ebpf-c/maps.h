/* The maps the scenario bodies update: the same names, types and sizes as ebpf/src/maps.rs, so
 * the C and Rust programs do the same work per event. */
#ifndef PROBECOST_MAPS_H
#define PROBECOST_MAPS_H

#include "shared.h"

#define MAX_KEYS 4096

/* `@ = count()`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} COUNT SEC(".maps");

/* `@[pid] = count()`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, __u32);
	__type(value, __u64);
} COUNT_BY_PID SEC(".maps");

/* `@[comm] = count()`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, char[16]);
	__type(value, __u64);
} COUNT_BY_COMM SEC(".maps");

/* `@[pid, comm] = count()`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, struct pid_comm);
	__type(value, __u64);
} COUNT_BY_PID_COMM SEC(".maps");

/* Kernel stacks, for `kstack` keys. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, MAX_KEYS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} KERNEL_STACKS SEC(".maps");

/* User stacks, for `ustack` keys. */
struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, MAX_KEYS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
} USER_STACKS SEC(".maps");

/* `@[kstack] = count()`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, __s64);
	__type(value, __u64);
} COUNT_BY_KERNEL_STACK SEC(".maps");

/* `@[ustack] = count()`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, struct user_stack_key);
	__type(value, __u64);
} COUNT_BY_USER_STACK SEC(".maps");

/* `@ = hist(arg2)`: one slot per log2 bucket. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} SIZE_HIST SEC(".maps");

/* `@start[tid] = nsecs`, least-recently-used as in the Rust programs. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, __u32);
	__type(value, __u64);
} READ_START_NS SEC(".maps");

/* `@ = hist(nsecs - @start[tid])`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} LATENCY_HIST SEC(".maps");

/* `@[kstack, ustack] = hist(arg2)`. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, struct stacks_bucket_key);
	__type(value, __u64);
} HIST_BY_STACKS SEC(".maps");

/* Counters of the per-event program, indexed by PER_EVENT_SEEN / PER_EVENT_DROPPED. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PER_EVENT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} PER_EVENT_COUNTERS SEC(".maps");

/* Records of the `per-event` row (1 MiB, as the Rust program's). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} READ_RECORDS SEC(".maps");

/* Adds one to slot `index` of a per-CPU array. */
static __always_inline void increment_slot(void *map, __u32 index)
{
	__u64 *slot = bpf_map_lookup_elem(map, &index);
	if (slot)
		*slot += 1;
}

/* `@[key] = count()` on a per-CPU hash map: bump the existing value or insert 1. */
static __always_inline void increment_key(void *map, const void *key)
{
	__u64 *value = bpf_map_lookup_elem(map, key);
	if (value) {
		*value += 1;
	} else {
		__u64 one = 1;
		bpf_map_update_elem(map, key, &one, BPF_ANY);
	}
}

#endif
