//! bpftrace as a second tracer: the same scenario as a bpftrace script on the same attach point
//! probecost chose, run as a child process around each traced run.

mod attached_probes;
mod process;
pub mod script;
mod talk_scripts;
mod user_script;

use std::{collections::BTreeSet, path::PathBuf, process::Command};

pub use attached_probes::AttachedProbes;
pub use process::{
    BpftraceError, BpftraceOutput, BpftraceProcess, DetachedBpftrace, READY_TIMEOUT,
};
pub use user_script::UserScript;

use super::{bpf_stats, choose_attach, features::KernelFeatures, programs::libc_path};
use probecost_core::error::Error;
use probecost_core::{
    benchmark::{
        AttachChoice, AttachTimer, MeasureError, Prepared, PreparedScenario, ProgramRun,
        ProgramStats, TracerBackend,
    },
    error::{BackendError, Result},
    result::{AttachTimes, DeliveryCounts},
    scenario::{Delivery, Scenario, ScenarioSuite},
    workload::Interruptible,
};

/// bpftrace's version line (`bpftrace v0.17.0`), or why it cannot run.
pub fn bpftrace_version() -> probecost_core::error::Result<String> {
    let not_installed = |e: &dyn std::fmt::Display| {
        format!(
            "bpftrace is not installed or does not run ({e}): run `cargo xtask setup` or \
             `apt-get install bpftrace`"
        )
    };
    let output = Command::new("bpftrace")
        .arg("--version")
        .output()
        .map_err(|e| not_installed(&e))
        .map_err(Error::operation)?;
    if !output.status.success() {
        return Err(Error::Operation(not_installed(&output.status)));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Runs scenarios as bpftrace scripts.
pub struct BpftraceBackend {
    version: String,
    features: KernelFeatures,
    sink: PathBuf,
    workload_cpu: usize,
}

impl BpftraceBackend {
    /// Checks that bpftrace runs; `features` must be the ones probecost's own backend uses, so
    /// both pick the same attach points.
    pub fn new(
        features: KernelFeatures,
        sink: PathBuf,
        workload_cpu: usize,
    ) -> probecost_core::error::Result<Self> {
        Ok(Self {
            version: bpftrace_version()?,
            features,
            sink,
            workload_cpu,
        })
    }
}

impl TracerBackend for BpftraceBackend {
    fn tracer(&self) -> probecost_core::tracer::Tracer {
        probecost_core::tracer::Tracer::Bpftrace
    }

    fn version(&self) -> String {
        self.version.clone()
    }

    fn prepare(&mut self, scenario: &'static Scenario) -> Result<Prepared> {
        let Some(talk_script) = talk_scripts::talk_script(scenario.name) else {
            return Err(Error::unsupported(
                if scenario.suite == ScenarioSuite::Mechanisms {
                    "the mechanism matrix measures probecost's own programs; bpftrace runs the \
                 talk's suite"
                        .to_string()
                } else {
                    format!("bpftrace has no script for `{}`", scenario.name)
                },
            ));
        };
        let (kind, _) = choose_attach(&self.features, scenario)?;
        let libc = libc_path().map_err(|error| BackendError::Load {
            what: "libc's path".into(),
            error: error.to_string(),
        })?;
        let script = script::on_attach_kind(talk_script, kind, &libc.to_string_lossy());
        let programs = self.with_script(scenario, script)?;
        Ok(Prepared {
            choice: programs.choice.clone(),
            programs: Box::new(programs),
        })
    }
}

impl BpftraceBackend {
    /// `scenario` with `script` instead of the one generated for it (tests use this to feed
    /// bpftrace a broken script); `Err` when the kernel cannot run the scenario.
    pub fn with_script(
        &self,
        scenario: &'static Scenario,
        script: String,
    ) -> probecost_core::error::Result<BpftraceScenario> {
        let (_, choice) = choose_attach(&self.features, scenario)?;
        Ok(BpftraceScenario::new(
            format!("bpftrace script of scenario `{}`", scenario.name),
            scenario.delivery != Delivery::None,
            script,
            choice,
            self.sink.clone(),
            self.workload_cpu,
        ))
    }
}

/// A bpftrace script (a scenario's, or a user's), started for each traced run.
pub struct BpftraceScenario {
    /// The script, as messages name it.
    what: String,
    /// Whether the row reports the output lines delivered (per-event scripts).
    reports_delivery: bool,
    script: String,
    choice: AttachChoice,
    sink: PathBuf,
    workload_cpu: usize,
    process: Option<BpftraceProcess>,
    /// The last run's bpftrace, its probes detached, still draining and exiting: the next
    /// run need not wait for that (about 100 ms), so it is reaped before the next start.
    detached: Option<DetachedBpftrace>,
    timer: AttachTimer,
    output: BpftraceOutput,
}

impl BpftraceScenario {
    /// `script`, called `what` in messages, attaching where `choice` says; `reports_delivery`
    /// when the row reports the lines it printed (into `sink`).
    fn new(
        what: String,
        reports_delivery: bool,
        script: String,
        choice: AttachChoice,
        sink: PathBuf,
        workload_cpu: usize,
    ) -> Self {
        Self {
            what,
            reports_delivery,
            script,
            choice,
            sink,
            workload_cpu,
            process: None,
            detached: None,
            timer: AttachTimer::default(),
            output: BpftraceOutput::default(),
        }
    }

    /// Waits for the last run's bpftrace to exit and adds up what it printed.
    fn reap_detached(&mut self) -> Result<(), BackendError> {
        let Some(detached) = self.detached.take() else {
            return Ok(());
        };
        let output = detached.finish().map_err(|e| self.error("detach", e))?;
        self.output.lines += output.lines;
        self.output.lost += output.lost;
        self.output.attach_warnings = output.attach_warnings;
        Ok(())
    }

    fn error(&self, action: &'static str, error: BpftraceError) -> BackendError {
        BackendError::Attach {
            action,
            program: self.what.clone(),
            attach: self.choice.attach.clone(),
            error: error.to_string(),
        }
    }
}

/// A program loaded in the kernel, as the verification run reads it.
struct LoadedProgram {
    id: u32,
    /// Whether its runs are the script's events: not BEGIN or END (uprobes on bpftrace
    /// itself), nor an interval or profile probe (perf-event programs on a timer), whose
    /// cost the traced runs include all the same.
    counts_events: bool,
    run_count: u64,
    run_time_ns: u64,
}

/// Every program loaded in the kernel now.
fn loaded_programs() -> Vec<LoadedProgram> {
    use aya_obj::generated::bpf_prog_type;
    aya::programs::loaded_programs()
        .filter_map(Result::ok)
        .map(|p| {
            let name = p.name_as_str().unwrap_or_default();
            LoadedProgram {
                id: p.id(),
                counts_events: !name.starts_with("BEGIN")
                    && !name.starts_with("END")
                    && p.program_type() != bpf_prog_type::BPF_PROG_TYPE_PERF_EVENT,
                run_count: p.run_count(),
                run_time_ns: p.run_time().as_nanos() as u64,
            }
        })
        .collect()
}

impl PreparedScenario for BpftraceScenario {
    fn attach(&mut self) -> Result<(), BackendError> {
        if self.process.is_some() {
            return Ok(());
        }
        self.reap_detached()?;
        let (process, took) = BpftraceProcess::start(&self.script, self.workload_cpu, &self.sink)
            .map_err(|e| self.error("attach", e))?;
        self.timer.attached(took);
        self.process = Some(process);
        Ok(())
    }

    fn detach(&mut self) -> Result<(), BackendError> {
        let Some(process) = self.process.take() else {
            return Ok(());
        };
        let detached = process.detach().map_err(|e| self.error("detach", e))?;
        self.timer.detached(detached.took());
        self.detached = Some(detached);
        Ok(())
    }

    fn verify(&mut self, on: Interruptible<'_>, ops: u64) -> Result<ProgramStats, MeasureError> {
        let ready = on.ready(ops)?;
        let stats_enabled = bpf_stats::enable()?;
        let before: BTreeSet<u32> = loaded_programs().iter().map(|p| p.id).collect();
        self.attach()?;
        // bpftrace's programs: the new ones whose runs are events.
        let ours = |all: Vec<LoadedProgram>| -> Vec<LoadedProgram> {
            all.into_iter()
                .filter(|p| !before.contains(&p.id) && p.counts_events)
                .collect()
        };
        let start = ours(loaded_programs());
        let outcome = ready.go();
        let end = ours(loaded_programs());
        self.detach()?;
        self.reap_detached()?;
        drop(stats_enabled);
        outcome?;
        // A script whose event probes bpftrace could not attach: its warnings say why.
        let warned = || {
            let warnings = &self.output.attach_warnings;
            (!warnings.is_empty()).then(|| {
                MeasureError::Backend(BackendError::Attach {
                    action: "attach",
                    program: self.what.clone(),
                    attach: self.choice.attach.clone(),
                    error: format!(
                        "bpftrace attached none of its event probes: {}{}",
                        warnings[0],
                        match warnings.len() {
                            1 => String::new(),
                            n => format!(" (and {} more like it)", n - 1),
                        }
                    ),
                })
            })
        };
        if start.is_empty() {
            return Err(warned().unwrap_or_else(|| {
                MeasureError::Backend(BackendError::Read {
                    what: format!("the programs of the {}", self.what),
                    error: "none of those bpftrace loaded counts events (BEGIN, END and timer \
                            probes do not), or it attached none"
                        .into(),
                })
            }));
        }
        let never_ran = start.iter().all(|first| {
            end.iter()
                .any(|p| p.id == first.id && p.run_count == first.run_count)
        });
        if never_ran {
            if let Some(error) = warned() {
                return Err(error);
            }
        }
        Ok(ProgramStats {
            programs: start
                .iter()
                .map(|first| {
                    let last = end.iter().find(|p| p.id == first.id).unwrap_or(first);
                    ProgramRun {
                        count: last.run_count.saturating_sub(first.run_count),
                        time_ns: Some(last.run_time_ns.saturating_sub(first.run_time_ns)),
                        ..ProgramRun::default()
                    }
                })
                .collect(),
        })
    }

    fn attach_times(&self) -> Option<AttachTimes> {
        self.timer.medians()
    }

    fn delivery(&mut self) -> Result<Option<DeliveryCounts>, BackendError> {
        self.reap_detached()?;
        let counts = DeliveryCounts::from_output(self.output.lines, self.output.lost);
        Ok(self.reports_delivery.then_some(counts))
    }
}
