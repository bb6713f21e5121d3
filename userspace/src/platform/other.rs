//! Any other operating system: every measurement says where probecost runs.

use std::sync::atomic::AtomicBool;

use probecost_core::{
    attach_scale::AttachScaleBackend,
    benchmark::TracerBackend,
    complex_workload::ComplexWorkloadBackend,
    error::{Error, Result},
    platform::{BackendSettings, ObjectBackend, ObjectRequest, Platform},
    tracer::Tracer,
};

/// A system without a tracer probecost drives.
pub struct Other;

fn unsupported() -> Error {
    Error::unsupported(format!(
        "probecost runs on Linux (eBPF) and FreeBSD (DTrace), not {}",
        std::env::consts::OS
    ))
}

impl Platform for Other {
    fn check_privileges(&self) -> Result<()> {
        Err(unsupported())
    }

    fn native_tracer(&self) -> Tracer {
        Tracer::Aya
    }

    fn tracer_backends(
        &self,
        _tracers: &[Tracer],
        _settings: &BackendSettings,
    ) -> Result<Vec<Box<dyn TracerBackend>>> {
        Err(unsupported())
    }

    fn attach_scale(&self, _stop: &'static AtomicBool) -> Result<Box<dyn AttachScaleBackend>> {
        Err(unsupported())
    }

    fn complex_workload(&self) -> Result<Box<dyn ComplexWorkloadBackend>> {
        Err(unsupported())
    }

    fn user_object(&self, _request: &ObjectRequest) -> Result<ObjectBackend> {
        Err(unsupported())
    }

    fn scenario_list(&self) -> Result<String> {
        Err(unsupported())
    }
}
