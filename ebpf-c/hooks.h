/* Attach-kind wrappers, as ebpf/src/hooks.rs: each macro turns one scenario body into the
 * programs that run it on every attach point probecost may choose, named as the Rust ones.
 *
 * ON_READ_ENTRY(body): `body(ctx, count)` becomes body_kprobe (on vfs_read; also loaded for a
 * kprobe.multi link), body_fentry and body_tp (on syscalls:sys_enter_read).
 * ON_READ_RETURN(body): `body(ctx)` becomes body_kretprobe, body_fexit and body_tp
 * (on syscalls:sys_exit_read). */
#ifndef PROBECOST_HOOKS_H
#define PROBECOST_HOOKS_H

#define ON_READ_ENTRY(body)                                                        \
	SEC("kprobe/vfs_read")                                                     \
	int body##_kprobe(struct pt_regs *ctx)                                     \
	{                                                                          \
		body(ctx, ctx->dx);                                                \
		return 0;                                                          \
	}                                                                          \
	SEC("fentry/vfs_read")                                                     \
	int BPF_PROG(body##_fentry, struct file *file, char *buf, __u64 count)    \
	{                                                                          \
		body(ctx, count);                                                  \
		return 0;                                                          \
	}                                                                          \
	SEC("tp/syscalls/sys_enter_read")                                          \
	int body##_tp(struct trace_event_raw_sys_enter *ctx)                       \
	{                                                                          \
		body(ctx, ctx->args[2]);                                           \
		return 0;                                                          \
	}

#define ON_READ_RETURN(body)                                                       \
	SEC("kretprobe/vfs_read")                                                  \
	int body##_kretprobe(struct pt_regs *ctx)                                  \
	{                                                                          \
		body(ctx);                                                         \
		return 0;                                                          \
	}                                                                          \
	SEC("fexit/vfs_read")                                                      \
	int BPF_PROG(body##_fexit)                                                 \
	{                                                                          \
		body(ctx);                                                         \
		return 0;                                                          \
	}                                                                          \
	SEC("tp/syscalls/sys_exit_read")                                           \
	int body##_tp(void *ctx)                                                   \
	{                                                                          \
		body(ctx);                                                         \
		return 0;                                                          \
	}

#endif
