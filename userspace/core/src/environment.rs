//! Facts about the machine a result was measured on, recorded with every result.

use serde::Serialize;

use crate::virtualization::Virtualization;

/// The machine and settings of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Environment {
    /// Operating system (`linux`, `freebsd`).
    pub os: &'static str,
    /// Kernel release (`uname -r`).
    pub kernel_release: String,
    /// CPU model name.
    pub cpu_model: String,
    /// Online CPUs, as the kernel lists them (`0-1`).
    pub online_cpus: String,
    /// SMT (hyper-threading) state.
    pub smt: String,
    /// CPU frequency governor of the pinned CPU, if the kernel has cpufreq.
    pub frequency_governor: Option<String>,
    /// Current clocksource.
    pub clocksource: String,
    /// CPU the workload was pinned to; `null` when the workload runs unpinned (Benchmark 2's
    /// parallel build).
    pub pinned_cpu: Option<usize>,
    /// Hypervisor and CPU emulation: under QEMU's TCG every timing is emulated.
    pub virtualization: Virtualization,
    /// probecost's version.
    pub probecost_version: &'static str,
    /// The tracers and their versions.
    pub tracers: Vec<String>,
    /// Whether BPF run-time statistics were already on system-wide before probecost started
    /// (then every timed run pays for them).
    pub bpf_stats_enabled_before: Option<bool>,
}

impl Environment {
    /// Reads the environment of this machine.
    pub fn probe(pinned_cpu: Option<usize>, tracers: Vec<String>) -> Self {
        let facts = platform_facts(pinned_cpu.unwrap_or(0));
        Self {
            os: std::env::consts::OS,
            kernel_release: uname_release(),
            cpu_model: facts.cpu_model.unwrap_or_else(unknown),
            online_cpus: facts.online_cpus.unwrap_or_else(unknown),
            smt: facts.smt.unwrap_or_else(unknown),
            frequency_governor: facts.frequency_governor,
            clocksource: facts.clocksource.unwrap_or_else(unknown),
            pinned_cpu,
            virtualization: Virtualization::detect(),
            probecost_version: env!("CARGO_PKG_VERSION"),
            tracers,
            bpf_stats_enabled_before: facts.bpf_stats_enabled_before,
        }
    }
}

fn unknown() -> String {
    "unknown".into()
}

/// What each OS tells about its machine, where it tells it.
#[derive(Default)]
struct PlatformFacts {
    cpu_model: Option<String>,
    online_cpus: Option<String>,
    smt: Option<String>,
    frequency_governor: Option<String>,
    clocksource: Option<String>,
    bpf_stats_enabled_before: Option<bool>,
}

#[cfg(not(target_os = "freebsd"))]
fn platform_facts(pinned_cpu: usize) -> PlatformFacts {
    let read = |path: &str| {
        std::fs::read_to_string(path)
            .ok()
            .map(|s| s.trim().to_string())
    };
    PlatformFacts {
        cpu_model: cpu_model(),
        online_cpus: read("/sys/devices/system/cpu/online"),
        smt: read("/sys/devices/system/cpu/smt/control"),
        frequency_governor: read(&format!(
            "/sys/devices/system/cpu/cpu{pinned_cpu}/cpufreq/scaling_governor"
        )),
        clocksource: read("/sys/devices/system/clocksource/clocksource0/current_clocksource"),
        bpf_stats_enabled_before: read("/proc/sys/kernel/bpf_stats_enabled").map(|v| v == "1"),
    }
}

#[cfg(target_os = "freebsd")]
fn platform_facts(_pinned_cpu: usize) -> PlatformFacts {
    use crate::sysctl::sysctl_string;
    PlatformFacts {
        cpu_model: sysctl_string("hw.model"),
        online_cpus: crate::cpu::allowed_cpus()
            .ok()
            .map(|cpus| format!("{cpus:?}")),
        smt: sysctl_string("machdep.hyperthreading_allowed"),
        frequency_governor: None,
        clocksource: sysctl_string("kern.timecounter.hardware"),
        bpf_stats_enabled_before: None,
    }
}

/// The running kernel's release (`uname -r`), `unknown` when uname fails.
pub fn uname_release() -> String {
    // SAFETY: utsname is plain data that uname fills.
    unsafe {
        let mut name: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut name) != 0 {
            return "unknown".into();
        }
        std::ffi::CStr::from_ptr(name.release.as_ptr())
            .to_string_lossy()
            .into_owned()
    }
}

#[cfg(not(target_os = "freebsd"))]
fn cpu_model() -> Option<String> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}
