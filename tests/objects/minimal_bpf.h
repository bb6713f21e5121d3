/* Just enough of libbpf's bpf_helpers.h for the test objects, so they compile with clang alone. */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int(*name)[val]
#define __type(name, val) typeof(val) *name

#define BPF_MAP_TYPE_HASH 1
#define BPF_MAP_TYPE_ARRAY 2

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static unsigned long long (*bpf_ktime_get_ns)(void) = (void *)5;

char LICENSE[] SEC("license") = "GPL";
