//! Whether this process may load eBPF programs.

const CAP_SYS_ADMIN: u32 = 21;
const CAP_PERFMON: u32 = 38;
const CAP_BPF: u32 = 39;

/// `Err` with one line saying what is missing when this process cannot load and attach
/// tracing programs (root, or CAP_BPF with CAP_PERFMON).
pub fn check_privileges() -> probecost_core::error::Result<()> {
    let effective = effective_capabilities().unwrap_or(0);
    let has = |cap: u32| effective & (1 << cap) != 0;
    if has(CAP_SYS_ADMIN) || (has(CAP_BPF) && has(CAP_PERFMON)) {
        return Ok(());
    }
    Err(probecost_core::error::Error::Input(
        "probecost needs root (or CAP_BPF and CAP_PERFMON) to load eBPF programs: run it with sudo"
            .into(),
    ))
}

fn effective_capabilities() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let hex = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))?
        .trim();
    u64::from_str_radix(hex, 16).ok()
}
