/* The C side of common/src/lib.rs: the layouts and constants user space reads back. A unit test
 * in userspace (linux/libbpf/object.rs) checks these values against the Rust ones. */
#ifndef PROBECOST_SHARED_H
#define PROBECOST_SHARED_H

#define HIST_BUCKETS 65
#define READ_SYSCALL_NR 0
#define PER_EVENT_SEEN 0
#define PER_EVENT_DROPPED 1
#define PER_EVENT_SLOTS 2
#define BPF_RB_NO_WAKEUP_FLAG 1

struct pid_comm {
	__u32 pid;
	char comm[16];
};

struct user_stack_key {
	__u32 pid;
	__u32 _pad;
	__s64 stack_id;
};

struct stacks_bucket_key {
	__s64 kernel_stack_id;
	__s64 user_stack_id;
	__u32 pid;
	__u32 bucket;
};

struct read_record {
	__u32 pid;
	__u32 _pad;
	__u64 count;
};

/* The log2 bucket of `value`, as bpftrace's `hist()` computes it. */
static __always_inline __u32 log2_bucket(__u64 value)
{
	return value ? 64 - __builtin_clzll(value) : 0;
}

#endif
