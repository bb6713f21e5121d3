/* A program the verifier refuses: it dereferences a hash map lookup without checking for NULL
 * (an array lookup with a constant key may skip the check on recent kernels). */
#include "minimal_bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, unsigned long long);
} values SEC(".maps");

SEC("tp/syscalls/sys_enter_read")
int unchecked_lookup(void *ctx)
{
	unsigned int key = 0;
	unsigned long long *value = bpf_map_lookup_elem(&values, &key);
	return *value != 0;
}
