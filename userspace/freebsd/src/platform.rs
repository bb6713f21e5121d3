//! FreeBSD: the scenarios' D programs through libdtrace. `attach-scale` and `workload` are
//! Linux measurements so far.

use freebsd_dtrace::ConsumerOptions;

use std::sync::atomic::AtomicBool;

use crate::{
    d_program::DProgram, kernel_providers, missing_providers, DtraceBackend, DtraceSettings,
};
use probecost_core::{
    attach_scale::AttachScaleBackend,
    benchmark::TracerBackend,
    complex_workload::ComplexWorkloadBackend,
    error::{Error, Result},
    platform::{list_table, BackendSettings, ObjectBackend, ObjectRequest, Platform},
    scenario::ScenarioCatalog,
    tracer::Tracer,
};

/// FreeBSD with DTrace.
pub struct FreeBsd;

impl Platform for FreeBsd {
    fn check_privileges(&self) -> Result<()> {
        crate::check_privileges()
    }

    fn native_tracer(&self) -> Tracer {
        Tracer::Dtrace
    }

    fn tracer_backends(
        &self,
        tracers: &[Tracer],
        settings: &BackendSettings,
    ) -> Result<Vec<Box<dyn TracerBackend>>> {
        let mut backends: Vec<Box<dyn TracerBackend>> = Vec::new();
        for tracer in tracers {
            match tracer {
                Tracer::Dtrace => backends.push(Box::new(DtraceBackend::new(DtraceSettings {
                    sink: settings.per_event_sink.clone(),
                    workload_cpu: settings.workload_cpu,
                    options: ConsumerOptions::default(),
                    in_process_workload: settings.in_process_workload,
                })?)),
                other => {
                    return Err(Error::unsupported(format!(
                        "--tracer {other} runs on Linux; on FreeBSD use dtrace"
                    )))
                }
            }
        }
        Ok(backends)
    }

    fn attach_scale(&self, _stop: &'static AtomicBool) -> Result<Box<dyn AttachScaleBackend>> {
        Err(Error::unsupported(
            "`probecost attach-scale` runs on Linux; the FreeBSD backend measures Benchmark 1 only",
        ))
    }

    fn complex_workload(&self) -> Result<Box<dyn ComplexWorkloadBackend>> {
        Err(Error::unsupported(
            "`probecost complex-workload` runs on Linux; the FreeBSD backend measures Benchmark 1 only",
        ))
    }

    fn user_object(&self, _request: &ObjectRequest) -> Result<ObjectBackend> {
        Err(Error::unsupported(
            "measure --object loads BPF objects with libbpf, on Linux; on FreeBSD, measure D \
             programs with `run`",
        ))
    }

    fn scenario_list(&self) -> Result<String> {
        self.check_privileges()?;
        let providers = kernel_providers(&ConsumerOptions::default())
            .map_err(|e| Error::operation(format!("listing DTrace providers: {e}")))?;
        let mut out = format!(
            "providers: {}\n",
            providers.iter().cloned().collect::<Vec<_>>().join(", ")
        );
        let lines = ScenarioCatalog
            .all()
            .iter()
            .map(|s| {
                let (probes, support) = match DProgram::of(s.name) {
                    None => ("none".to_string(), "unsupported: no D program".to_string()),
                    Some(program) => (
                        program.probes().join(" + "),
                        match missing_providers(program, &providers) {
                            None => "yes".to_string(),
                            Some(reason) => format!("unsupported: {reason}"),
                        },
                    ),
                };
                (s.row_label(), s.name, probes, support)
            })
            .collect();
        out.push_str(&list_table("D probes", lines));
        Ok(out)
    }
}
