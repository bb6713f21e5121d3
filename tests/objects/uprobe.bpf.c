/* A user's object with a uprobe: a bare SEC("uprobe") names no binary, so libbpf cannot attach
 * it by itself and `measure` needs --attach. */
#include "minimal_bpf.h"

SEC("uprobe")
int on_read(void *ctx)
{
	return 0;
}
