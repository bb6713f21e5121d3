//! The Linux backends: probecost's own eBPF programs, loaded and attached with aya and libbpf,
//! bpftrace beside them, and the Linux side of attach-scale and Benchmark 2. [`platform::Linux`]
//! offers them to the commands.
#![cfg(target_os = "linux")]

pub mod attach_scale;
mod bpf_stats;
pub mod bpftrace;
mod btf_functions;
pub mod complex_workload;
pub(crate) mod features;
pub mod file_system;
pub(crate) mod kernel_config;
pub(crate) mod kernel_support;
pub mod libbpf;
pub(crate) mod object;
mod open_files;
mod per_event_drain;
pub mod platform;
mod privileges;
pub mod probe_sets;
pub(crate) mod programs;
mod scenario_probe;
pub mod tracer_command;
mod tracer_process;

pub use features::KernelFeatures;
pub use kernel_support::Support;
pub use open_files::raise_open_file_limit;
pub use privileges::check_privileges;

use probecost_core::{
    benchmark::{AttachChoice, Prepared, TracerBackend},
    error::Error,
    scenario::{AttachKind, Scenario},
};
use scenario_probe::AyaScenario;
pub use scenario_probe::DrainSettings;

/// Runs scenarios with probecost's own eBPF programs.
pub struct AyaBackend {
    features: KernelFeatures,
    drain: DrainSettings,
}

impl AyaBackend {
    /// Detects what this kernel supports (mounting tracefs if needed).
    pub fn new(drain: DrainSettings) -> Self {
        Self::with_features(KernelFeatures::detect(), drain)
    }

    /// Uses features detected before (shared with another backend).
    pub fn with_features(features: KernelFeatures, drain: DrainSettings) -> Self {
        Self { features, drain }
    }

    /// What the kernel supports.
    pub fn features(&self) -> &KernelFeatures {
        &self.features
    }
}

/// How `scenario` would run here: the attach kind chosen and why earlier ones were passed over,
/// or why none works.
pub fn plan(
    features: &KernelFeatures,
    scenario: &Scenario,
) -> Result<(AttachKind, Vec<String>), Vec<String>> {
    let mut passed_over = Vec::new();
    for &kind in scenario.attach_preference {
        match features.support(kind) {
            Support::Yes => return Ok((kind, passed_over)),
            Support::No(reason) => passed_over.push(reason.clone()),
        }
    }
    Err(passed_over)
}

/// The attach kind for `scenario` and how results should describe it (with the substitution
/// reason when it is not the talk's), or why the kernel cannot run it.
pub fn choose_attach(
    features: &KernelFeatures,
    scenario: &Scenario,
) -> probecost_core::error::Result<(AttachKind, AttachChoice)> {
    let (kind, passed_over) =
        plan(features, scenario).map_err(|reasons| Error::unsupported(reasons.join("; ")))?;
    let substitution_reason = if Some(&kind) == scenario.attach_preference.first() {
        None
    } else {
        Some(format!(
            "substituted {} for {}: {}",
            scenario.attach_points(kind),
            scenario.talk_attach_points(),
            passed_over.join("; ")
        ))
    };
    Ok((
        kind,
        AttachChoice {
            attach: scenario.attach_points(kind),
            substitution_reason,
        },
    ))
}

impl TracerBackend for AyaBackend {
    fn tracer(&self) -> probecost_core::tracer::Tracer {
        probecost_core::tracer::Tracer::Aya
    }

    fn version(&self) -> String {
        format!(
            "probecost eBPF programs ({})",
            probecost_core::tracer::AYA_VERSION
        )
    }

    fn prepare(&mut self, scenario: &'static Scenario) -> Result<Prepared, Error> {
        let (kind, choice) = choose_attach(&self.features, scenario)?;
        let programs = AyaScenario::load(scenario, kind, &self.drain)?;
        Ok(Prepared {
            choice,
            programs: Box::new(programs),
        })
    }
}
