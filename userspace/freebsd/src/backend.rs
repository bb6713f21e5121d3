//! The DTrace backend: scenarios run as D programs through libdtrace.

use std::{collections::BTreeSet, path::PathBuf};

use freebsd_dtrace::{Consumer, ConsumerOptions, DtraceError, OutputCollector};

use crate::{
    companion_thread::CompanionThread, d_program::DProgram, dtrace_scenario::DtraceScenario,
};
use probecost_core::{
    benchmark::{AttachChoice, Prepared, TracerBackend},
    error::{BackendError, Error},
    scenario::Scenario,
};

/// Where per-event output goes and where the workload runs.
#[derive(Clone, Debug)]
pub struct DtraceSettings {
    /// File the per-event lines are written to.
    pub sink: PathBuf,
    /// The workload's CPU (the consumer's thread keeps off it).
    pub workload_cpu: usize,
    /// Consumer buffer sizes.
    pub options: ConsumerOptions,
    /// Whether the workload is the in-process loop (pid$target rows need it: they run it in
    /// a child of their own).
    pub in_process_workload: bool,
}

/// `Err` with one line saying what is missing when this process cannot use DTrace.
pub fn check_privileges() -> probecost_core::error::Result<()> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        return Ok(());
    }
    Err(probecost_core::error::Error::Input(
        "probecost needs root to use DTrace (/dev/dtrace/dtrace is root-only): run it with sudo"
            .into(),
    ))
}

/// The providers the kernel offers now, from a consumer's probe list.
pub fn kernel_providers(options: &ConsumerOptions) -> Result<BTreeSet<String>, DtraceError> {
    Consumer::open(options, OutputCollector::new(None))?.providers()
}

/// Why `scenario` cannot run with `providers`, if it cannot. The pid provider is made per
/// process by fasttrap, so it is there when the `fasttrap` provider is.
pub fn missing_providers(program: DProgram, providers: &BTreeSet<String>) -> Option<String> {
    let missing: Vec<&str> = program
        .providers()
        .into_iter()
        .filter(|p| {
            let needed = if *p == "pid" { "fasttrap" } else { p };
            !providers.contains(needed)
        })
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "provider {} not loaded (kldload dtraceall)",
            missing.join(", ")
        )
    })
}

/// Runs scenarios as D programs through libdtrace.
pub struct DtraceBackend {
    settings: DtraceSettings,
    providers: BTreeSet<String>,
    /// Keeps the process multi-threaded through control runs too (see its module).
    _companion: CompanionThread,
}

impl DtraceBackend {
    /// Opens DTrace once to learn which providers the kernel offers.
    pub fn new(settings: DtraceSettings) -> Result<Self, BackendError> {
        let providers = kernel_providers(&settings.options).map_err(|e| BackendError::Load {
            what: "DTrace".into(),
            error: e.to_string(),
        })?;
        let companion =
            CompanionThread::start(settings.workload_cpu).map_err(|e| BackendError::Load {
                what: "the companion thread".into(),
                error: e.to_string(),
            })?;
        Ok(Self {
            settings,
            providers,
            _companion: companion,
        })
    }
}

impl TracerBackend for DtraceBackend {
    fn tracer(&self) -> probecost_core::tracer::Tracer {
        probecost_core::tracer::Tracer::Dtrace
    }

    fn version(&self) -> String {
        "DTrace (libdtrace consumer, D programs)".into()
    }

    fn prepare(&mut self, scenario: &'static Scenario) -> Result<Prepared, Error> {
        let Some(program) = DProgram::of(scenario.name) else {
            return Err(Error::unsupported(
                "no D program: the mechanism matrix compares Linux's attach mechanisms",
            ));
        };
        if let Some(reason) = missing_providers(program, &self.providers) {
            return Err(Error::unsupported(reason));
        }
        if program.needs_target() && !self.settings.in_process_workload {
            return Err(Error::unsupported(
                "pid$target probes trace probecost's own workload child: use --workload in-process",
            ));
        }
        let choice = AttachChoice {
            attach: program.probes().join(" + "),
            substitution_reason: None,
        };
        let programs =
            DtraceScenario::new(scenario, program, choice.clone(), self.settings.clone())?;
        Ok(Prepared {
            choice,
            programs: Box::new(programs),
        })
    }
}
