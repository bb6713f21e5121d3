/* The few kernel types the programs read, declared with only the fields they use.
 * preserve_access_index makes every field access a CO-RE relocation: libbpf rewrites the offset
 * against the running kernel's BTF at load time, so no vmlinux.h is needed. */
#ifndef PROBECOST_KERNEL_TYPES_H
#define PROBECOST_KERNEL_TYPES_H

/* A kprobe's context: the probed function's registers (x86_64 names). */
struct pt_regs {
	unsigned long di;
	unsigned long si;
	unsigned long dx;
} __attribute__((preserve_access_index));

/* The record of a `syscalls:sys_enter_*` tracepoint: the common header, the syscall number,
 * then the arguments (the layout the kernel's syscall tracepoints share). */
struct trace_event_raw_sys_enter {
	long id;
	unsigned long args[6];
} __attribute__((preserve_access_index));

struct file;

#endif
