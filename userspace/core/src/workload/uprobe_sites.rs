//! probecost's own uprobe sites: three functions that do nothing and differ only in their
//! first instruction, the three kinds the kernel's uprobe benchmarks compare (a 1-byte `nop`,
//! a 5-byte `nop` as USDT probes use, which newer kernels can turn from a trap into a call,
//! and `push %rbp`). The in-process workload calls each once per operation when the
//! mechanism matrix runs, so a uprobe on one fires once per operation.

#[cfg(target_arch = "x86_64")]
std::arch::global_asm!(
    ".text",
    ".globl probecost_site_nop",
    ".type probecost_site_nop, @function",
    "probecost_site_nop:",
    "    nop",
    "    ret",
    ".size probecost_site_nop, . - probecost_site_nop",
    ".globl probecost_site_nop5",
    ".type probecost_site_nop5, @function",
    "probecost_site_nop5:",
    "    .byte 0x0f, 0x1f, 0x44, 0x00, 0x00",
    "    ret",
    ".size probecost_site_nop5, . - probecost_site_nop5",
    ".globl probecost_site_push",
    ".type probecost_site_push, @function",
    "probecost_site_push:",
    "    push rbp",
    "    mov rbp, rsp",
    "    pop rbp",
    "    ret",
    ".size probecost_site_push, . - probecost_site_push",
);

#[cfg(target_arch = "x86_64")]
unsafe extern "C" {
    fn probecost_site_nop();
    fn probecost_site_nop5();
    fn probecost_site_push();
}

/// Whether this build has the sites (x86_64 only).
pub const AVAILABLE: bool = cfg!(target_arch = "x86_64");

/// Calls each site once.
#[inline(always)]
pub fn call_all() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: the sites take no arguments, touch no memory but the stack, and return.
    unsafe {
        probecost_site_nop();
        probecost_site_nop5();
        probecost_site_push();
    }
}
