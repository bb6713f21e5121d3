/* A user's object: counts reads at the read syscall's entry tracepoint (auto-attached from
 * its SEC() name), in a BTF-defined map. Built with -DSECOND_CLOCK_READ it also reads the
 * clock, one helper call more: the regression `compare` must see. */
#include "minimal_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, unsigned long long);
} reads SEC(".maps");

SEC("tp/syscalls/sys_enter_read")
int count_reads(void *ctx)
{
	unsigned int key = 0;
	unsigned long long *value = bpf_map_lookup_elem(&reads, &key);
#ifdef SECOND_CLOCK_READ
	if (bpf_ktime_get_ns() == 0)
		return 1;
#endif
	if (value)
		__sync_fetch_and_add(value, 1);
	return 0;
}

/* Never reached by a read loop: `measure` must refuse to report a cost for it. */
SEC("tp/syscalls/sys_enter_sync")
int count_syncs(void *ctx)
{
	return 0;
}
