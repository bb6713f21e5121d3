//! The `libbpf` tracer: the scenarios written in C (ebpf-c/), compiled by clang and loaded and
//! attached with libbpf-rs, at the attach points the aya programs use, verified and timed the
//! same way. The column answers what Rust-compiled BPF costs against clang-compiled C.

mod attach;
pub mod attach_point;
mod loaded_programs;
pub mod loader;
pub mod messages;
mod object;
mod user_object;

pub use attach::attach;
use loaded_programs::LoadedPrograms;
pub use user_object::UserObject;

use crate::{choose_attach, DrainSettings, KernelFeatures};
use probecost_core::{
    benchmark::{Prepared, TracerBackend},
    error::Error,
    scenario::{Delivery, Scenario},
    tracer::Tracer,
};

/// The libbpf release libbpf-rs links (vendored by libbpf-sys), for the environment record.
pub const LIBBPF_VERSION: &str = "libbpf-rs 0.27.2, libbpf 1.7.0";

/// Runs scenarios with the C programs through libbpf.
pub struct LibbpfBackend {
    features: KernelFeatures,
    drain: DrainSettings,
}

impl LibbpfBackend {
    /// Uses features detected before (shared with the other tracers, so the attach points
    /// match).
    pub fn with_features(features: KernelFeatures, drain: DrainSettings) -> Self {
        messages::capture();
        Self { features, drain }
    }
}

impl TracerBackend for LibbpfBackend {
    fn tracer(&self) -> Tracer {
        Tracer::Libbpf
    }

    fn version(&self) -> String {
        format!("probecost C programs, clang ({LIBBPF_VERSION})")
    }

    fn prepare(&mut self, scenario: &'static Scenario) -> Result<Prepared, Error> {
        if scenario.delivery == Delivery::AyaLog {
            return Err(Error::unsupported(
                "aya-log is aya's own channel; the C programs send the same line through a \
                 ring buffer in the per-event row",
            ));
        }
        let (kind, choice) = choose_attach(&self.features, scenario)?;
        let programs = LoadedPrograms::for_scenario(scenario, kind, &self.drain)?;
        Ok(Prepared {
            choice,
            programs: Box::new(programs),
        })
    }
}
