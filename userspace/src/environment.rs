//! Facts about the machine a result was measured on, recorded with every result.

use std::fs;

use serde::Serialize;

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
    /// CPU the workload was pinned to.
    pub pinned_cpu: usize,
    /// probecost's version.
    pub probecost_version: &'static str,
    /// The tracer and its version.
    pub tracer: String,
    /// Whether BPF run-time statistics were already on system-wide before probecost started
    /// (then every timed run pays for them).
    pub bpf_stats_enabled_before: Option<bool>,
}

impl Environment {
    /// Reads the environment of this machine.
    pub fn probe(pinned_cpu: usize, tracer: String) -> Self {
        let read = |path: &str| fs::read_to_string(path).ok().map(|s| s.trim().to_string());
        Self {
            os: std::env::consts::OS,
            kernel_release: uname_release(),
            cpu_model: cpu_model().unwrap_or_else(|| "unknown".into()),
            online_cpus: read("/sys/devices/system/cpu/online").unwrap_or_else(|| "unknown".into()),
            smt: read("/sys/devices/system/cpu/smt/control").unwrap_or_else(|| "unknown".into()),
            frequency_governor: read(&format!(
                "/sys/devices/system/cpu/cpu{pinned_cpu}/cpufreq/scaling_governor"
            )),
            clocksource: read("/sys/devices/system/clocksource/clocksource0/current_clocksource")
                .unwrap_or_else(|| "unknown".into()),
            pinned_cpu,
            probecost_version: env!("CARGO_PKG_VERSION"),
            tracer,
            bpf_stats_enabled_before: read("/proc/sys/kernel/bpf_stats_enabled").map(|v| v == "1"),
        }
    }
}

fn uname_release() -> String {
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

fn cpu_model() -> Option<String> {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").ok()?;
    cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}
