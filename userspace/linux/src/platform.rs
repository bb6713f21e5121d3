//! Linux: probecost's eBPF programs through aya, and bpftrace beside them.

use std::sync::atomic::AtomicBool;

use crate::{
    attach_scale::LinuxAttachScale,
    bpftrace::{BpftraceBackend, UserScript},
    complex_workload::LinuxComplexWorkload,
    libbpf::{LibbpfBackend, UserObject},
    plan,
    tracer_command::UserCommand,
    AyaBackend, DrainSettings, KernelFeatures,
};
use probecost_core::{
    attach_scale::AttachScaleBackend,
    benchmark::TracerBackend,
    complex_workload::ComplexWorkloadBackend,
    error::{Error, Result},
    platform::{
        list_table, BackendSettings, CommandRequest, ObjectBackend, ObjectRequest, Platform,
        ScriptRequest,
    },
    scenario::ScenarioCatalog,
    tracer::Tracer,
};

/// Linux with eBPF.
pub struct Linux;

impl Platform for Linux {
    fn check_privileges(&self) -> Result<()> {
        crate::check_privileges()
    }

    fn native_tracer(&self) -> Tracer {
        Tracer::Aya
    }

    fn tracer_backends(
        &self,
        tracers: &[Tracer],
        settings: &BackendSettings,
    ) -> Result<Vec<Box<dyn TracerBackend>>> {
        // The tracers choose attach points from the same detection, so substitutions match.
        let features = KernelFeatures::detect();
        let mut backends: Vec<Box<dyn TracerBackend>> = Vec::new();
        for tracer in tracers {
            match tracer {
                Tracer::Aya => backends.push(Box::new(AyaBackend::with_features(
                    features.clone(),
                    DrainSettings {
                        sink: settings.per_event_sink.clone(),
                        workload_cpu: settings.workload_cpu,
                    },
                ))),
                Tracer::Bpftrace => backends.push(Box::new(BpftraceBackend::new(
                    features.clone(),
                    settings.per_event_sink.clone(),
                    settings.workload_cpu,
                )?)),
                Tracer::Libbpf => backends.push(Box::new(LibbpfBackend::with_features(
                    features.clone(),
                    DrainSettings {
                        sink: settings.per_event_sink.clone(),
                        workload_cpu: settings.workload_cpu,
                    },
                ))),
                other => {
                    return Err(Error::unsupported(format!(
                        "--tracer {other} does not run on Linux; use aya, libbpf and/or bpftrace"
                    )))
                }
            }
        }
        Ok(backends)
    }

    fn attach_scale(&self, stop: &'static AtomicBool) -> Result<Box<dyn AttachScaleBackend>> {
        Ok(Box::new(LinuxAttachScale::new(
            KernelFeatures::detect(),
            stop,
        )))
    }

    fn complex_workload(&self) -> Result<Box<dyn ComplexWorkloadBackend>> {
        Ok(Box::new(
            LinuxComplexWorkload::new(KernelFeatures::detect()),
        ))
    }

    fn user_object(&self, request: &ObjectRequest) -> Result<ObjectBackend> {
        let object = UserObject::open(request)?;
        Ok(ObjectBackend {
            row_name: object.file_name(),
            programs: object.program_names(),
            description: object.describe(),
            backend: Box::new(object),
        })
    }

    fn user_script(&self, request: &ScriptRequest) -> Result<ObjectBackend> {
        UserScript::open(request)
    }

    fn user_command(&self, request: &CommandRequest) -> Result<ObjectBackend> {
        UserCommand::open(request)
    }

    fn scenario_list(&self) -> Result<String> {
        let mut out = String::new();
        if let Err(why) = self.check_privileges() {
            out.push_str(&format!(
                "note: {why}; fentry support cannot be probed without it\n"
            ));
        }
        let features = KernelFeatures::detect();
        let lines = ScenarioCatalog
            .every()
            .map(|s| {
                let support = if s.is_control() {
                    "yes".to_string()
                } else {
                    match plan(&features, s) {
                        Ok((kind, passed)) if passed.is_empty() => {
                            format!("yes ({})", s.attach_points(kind))
                        }
                        Ok((kind, passed)) => format!(
                            "substituted: {} ({})",
                            s.attach_points(kind),
                            passed.join("; ")
                        ),
                        Err(reasons) => format!("unsupported: {}", reasons.join("; ")),
                    }
                };
                (s.row_label(), s.name, s.talk_attach_points(), support)
            })
            .collect();
        out.push_str(&list_table(
            "attach point (the talk's; the mechanism's for the matrix)",
            lines,
        ));
        Ok(out)
    }
}
