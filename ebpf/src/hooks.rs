//! Attach-kind wrappers: each macro turns one scenario body into the programs that run it on
//! every attach point probecost may choose, so the body is written once.
//!
//! Read entry (`vfs_read` entry or its substitute): a body `fn(&C, count: u64)` becomes
//! `<name>_kprobe`, `<name>_fentry` and `<name>_tp` (on `syscalls:sys_enter_read`).
//! Read return: a body `fn(&C)` becomes `<name>_kretprobe`, `<name>_fexit` and `<name>_tp`
//! (on `syscalls:sys_exit_read`).

/// Defines the read-entry programs for `$body`.
macro_rules! on_read_entry {
    ($body:path, $kprobe:ident, $fentry:ident, $tracepoint:ident) => {
        #[aya_ebpf::macros::kprobe]
        pub fn $kprobe(ctx: aya_ebpf::programs::ProbeContext) -> u32 {
            let count: u64 = ctx.arg(2).unwrap_or(0);
            $body(&ctx, count);
            0
        }

        #[aya_ebpf::macros::fentry(function = "vfs_read")]
        pub fn $fentry(ctx: aya_ebpf::programs::FEntryContext) -> i32 {
            let count: u64 = ctx.arg(2);
            $body(&ctx, count);
            0
        }

        #[aya_ebpf::macros::tracepoint]
        pub fn $tracepoint(ctx: aya_ebpf::programs::TracePointContext) -> u32 {
            // A direct load from the record (the verifier checks the bounds), not
            // bpf_probe_read: a helper call would cost every program, the bare one too.
            // SAFETY: the offset is inside the sys_enter_read record (checked by user space).
            let count: u64 = unsafe {
                core::ptr::read(
                    (ctx.as_ptr() as *const u8)
                        .add(probecost_common::SYS_ENTER_READ_COUNT_OFFSET)
                        .cast::<u64>(),
                )
            };
            $body(&ctx, count);
            0
        }
    };
}

/// Defines the read-return programs for `$body`.
macro_rules! on_read_return {
    ($body:path, $kretprobe:ident, $fexit:ident, $tracepoint:ident) => {
        #[aya_ebpf::macros::kretprobe]
        pub fn $kretprobe(ctx: aya_ebpf::programs::RetProbeContext) -> u32 {
            $body(&ctx);
            0
        }

        #[aya_ebpf::macros::fexit(function = "vfs_read")]
        pub fn $fexit(ctx: aya_ebpf::programs::FExitContext) -> i32 {
            $body(&ctx);
            0
        }

        #[aya_ebpf::macros::tracepoint]
        pub fn $tracepoint(ctx: aya_ebpf::programs::TracePointContext) -> u32 {
            $body(&ctx);
            0
        }
    };
}

pub(crate) use {on_read_entry, on_read_return};
