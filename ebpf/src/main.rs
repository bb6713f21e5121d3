//! probecost's eBPF programs.
//!
//! Each scenario of the catalog is one body function here (`scenarios`), doing what the
//! matching bpftrace one-liner does. The `hooks` macros wrap a body into one program per attach
//! kind (kprobe, fentry, syscall tracepoint), so user space can run the same body on whichever
//! attach point the kernel offers. Program names are `<scenario>_<kind>`. `probe_sets` holds
//! the counting programs attached to many probes at once (`attach-scale`, `workload`);
//! `mechanisms` the mechanism matrix's programs.
#![no_std]
#![no_main]

mod hooks;
mod maps;
mod mechanisms;
mod probe_sets;
mod scenarios;

#[cfg(not(test))]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    loop {}
}

#[unsafe(link_section = "license")]
#[unsafe(no_mangle)]
static LICENSE: [u8; 13] = *b"Dual MIT/GPL\0";
