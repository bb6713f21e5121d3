//! The parts of a `probecost run` JSON report that a comparison reads.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};

/// A `probecost run` report as `compare` reads it.
#[derive(Clone, Debug, Deserialize)]
pub struct RunFile {
    /// Where it was measured.
    pub environment: EnvironmentFile,
    /// One result per scenario.
    pub scenarios: Vec<ScenarioFile>,
}

/// The environment facts a comparison names when they differ.
#[derive(Clone, Debug, Deserialize)]
pub struct EnvironmentFile {
    /// `uname -r`.
    pub kernel_release: String,
    /// CPU model.
    pub cpu_model: String,
    /// Clocksource.
    pub clocksource: String,
    /// The workload's CPU.
    pub pinned_cpu: Option<usize>,
    /// Hypervisor and emulation.
    pub virtualization: VirtualizationFile,
    /// Tracers and their versions.
    pub tracers: Vec<String>,
    /// probecost's version.
    pub probecost_version: String,
}

/// Hypervisor and emulation, as the report recorded them.
#[derive(Clone, Debug, Deserialize)]
pub struct VirtualizationFile {
    /// `KVM`, `QEMU TCG`, ... or `null`.
    pub name: Option<String>,
    /// Whether the CPU was emulated.
    pub emulated_cpu: bool,
}

impl VirtualizationFile {
    /// `none`, `KVM`, or `QEMU TCG (emulated CPU)`.
    pub fn describe(&self) -> String {
        let name = self.name.clone().unwrap_or_else(|| "none".into());
        if self.emulated_cpu {
            format!("{name} (emulated CPU)")
        } else {
            name
        }
    }
}

/// One scenario's rounds.
#[derive(Clone, Debug, Deserialize)]
pub struct ScenarioFile {
    /// Scenario name.
    pub name: String,
    /// Events per workload operation.
    pub events_per_op: f64,
    /// Each control run's ns per operation, in run order.
    pub control_runs_ns_per_op: Vec<f64>,
    /// One entry per tracer.
    pub tracers: Vec<TracerFile>,
}

/// One tracer's rounds of a scenario.
#[derive(Clone, Debug, Deserialize)]
pub struct TracerFile {
    /// `aya`, `bpftrace`, `dtrace`.
    pub tracer: String,
    /// `measured`, `substituted` or `unsupported`.
    pub status: String,
    /// Attach point(s) used.
    pub attach: String,
    /// Each traced run's ns per operation, in run order (paired with the control runs).
    pub traced_runs_ns_per_op: Vec<f64>,
}

impl RunFile {
    /// Reads `path`; a file that is not a `probecost run` report is one line saying so.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(Error::io(format!("reading {}", path.display())))?;
        Self::parse(&text).map_err(|why| {
            Error::Input(format!(
                "{}: not a `probecost run --export-json` report ({why}); compare reads run \
                 reports",
                path.display()
            ))
        })
    }

    /// Parses a report's text.
    pub fn parse(text: &str) -> std::result::Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Every (scenario, tracer) in the file, in its order.
    pub fn keys(&self) -> Vec<(&str, &str)> {
        self.scenarios
            .iter()
            .flat_map(|s| {
                s.tracers
                    .iter()
                    .map(move |t| (s.name.as_str(), t.tracer.as_str()))
            })
            .collect()
    }

    /// The scenario and tracer entries of `key`.
    pub fn find(&self, key: (&str, &str)) -> Option<(&ScenarioFile, &TracerFile)> {
        let scenario = self.scenarios.iter().find(|s| s.name == key.0)?;
        let tracer = scenario.tracers.iter().find(|t| t.tracer == key.1)?;
        Some((scenario, tracer))
    }
}
