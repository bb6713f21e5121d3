//! One scenario's D program, run by a fresh consumer around each traced run. A program on
//! `pid$target` runs the workload in a child the consumer creates (`probecost
//! workload-child`), which reports its own timing through a pipe.

use std::{
    fs::File,
    io::Read,
    os::fd::{FromRawFd, OwnedFd, RawFd},
    sync::atomic::AtomicBool,
};

use freebsd_dtrace::{aggregation::AggregationValue, DtraceError, OutputCounts};

use super::{
    d_program::DProgram,
    session::{DtraceSession, SessionOutcome, SessionSpec},
    DtraceSettings,
};
use probecost_core::{
    benchmark::{
        run_attached, AttachChoice, MeasureError, PreparedScenario, ProgramRun, ProgramStats,
    },
    error::BackendError,
    result::DeliveryCounts,
    scenario::{Delivery, Scenario},
    workload::{Interruptible, RunSample, WorkloadError},
    workload_child,
};

/// A scenario's D program and what its runs delivered.
pub struct DtraceScenario {
    scenario: &'static Scenario,
    /// Its D program.
    program: DProgram,
    choice: AttachChoice,
    settings: DtraceSettings,
    session: Option<DtraceSession>,
    output: OutputCounts,
}

impl DtraceScenario {
    /// Checks that the program compiles and matches probes (programs on `pid$target` are
    /// checked when their first child starts).
    pub fn new(
        scenario: &'static Scenario,
        program: DProgram,
        choice: AttachChoice,
        settings: DtraceSettings,
    ) -> Result<Self, BackendError> {
        if !program.needs_target() {
            let mut consumer = freebsd_dtrace::Consumer::open(
                &settings.options,
                freebsd_dtrace::OutputCollector::new(None),
            )
            .map_err(|e| load_error(scenario, e))?;
            // Enabled but never started: closing the consumer removes the enabling.
            consumer
                .compile_and_exec(program.text())
                .map_err(|e| load_error(scenario, e))?;
        }
        Ok(Self {
            scenario,
            program,
            choice,
            settings,
            session: None,
            output: OutputCounts::default(),
        })
    }

    fn spec(&self, program: String, target: Option<Vec<String>>) -> SessionSpec {
        SessionSpec {
            program,
            target,
            sink: self.settings.sink.clone(),
            options: self.settings.options.clone(),
            workload_cpu: self.settings.workload_cpu,
        }
    }

    fn start(&self, program: String) -> Result<DtraceSession, BackendError> {
        DtraceSession::start(self.spec(program, None)).map_err(|e| self.attach_error(e))
    }

    fn finish(&mut self, session: DtraceSession) -> Result<SessionOutcome, BackendError> {
        let outcome = session.finish().map_err(|e| self.attach_error(e))?;
        self.output.lines += outcome.output.lines;
        self.output.drops += outcome.output.drops;
        self.output.errors += outcome.output.errors;
        Ok(outcome)
    }

    fn attach_error(&self, error: DtraceError) -> BackendError {
        BackendError::Attach {
            action: "run",
            program: self.scenario.name.into(),
            attach: self.choice.attach.clone(),
            error: error.to_string(),
        }
    }

    /// Runs `ops` operations in a child traced by `program` and returns the child's sample.
    fn run_in_child(
        &mut self,
        program: String,
        ops: u64,
        stop: &AtomicBool,
    ) -> Result<(RunSample, SessionOutcome), MeasureError> {
        let (report_read, report_write) =
            report_pipe().map_err(|e| MeasureError::Workload(WorkloadError::Io(e)))?;
        let exe =
            std::env::current_exe().map_err(|e| MeasureError::Workload(WorkloadError::Io(e)))?;
        let argv = workload_child::child_command(
            &exe.to_string_lossy(),
            self.settings.workload_cpu,
            ops,
            raw(&report_write),
        );
        let session = DtraceSession::start(self.spec(program, Some(argv)))
            .map_err(|e| self.attach_error(e))?;
        // The child holds the only write end now: end of file means it exited.
        drop(report_write);
        let mut report = String::new();
        File::from(report_read)
            .read_to_string(&mut report)
            .map_err(|e| MeasureError::Workload(WorkloadError::Io(e)))?;
        let outcome = self.finish(session)?;
        match workload_child::decode(&report) {
            Ok(sample) => Ok((sample, outcome)),
            Err(workload_child::ChildReportError::Empty)
                if probecost_core::interrupt::stop_requested()
                    || stop.load(std::sync::atomic::Ordering::Relaxed) =>
            {
                Err(MeasureError::Workload(WorkloadError::Interrupted))
            }
            Err(e) => Err(MeasureError::Workload(WorkloadError::Io(
                std::io::Error::other(e),
            ))),
        }
    }
}

/// A pipe whose write end a child inherits (no close-on-exec) and whose read end it does not.
fn report_pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe fills two descriptors, which are then owned here.
    unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let (read, write) = (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]));
        if libc::fcntl(fds[0], libc::F_SETFD, libc::FD_CLOEXEC) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok((read, write))
    }
}

fn raw(fd: &OwnedFd) -> RawFd {
    use std::os::fd::AsRawFd;
    fd.as_raw_fd()
}

fn load_error(scenario: &Scenario, error: DtraceError) -> BackendError {
    BackendError::Load {
        what: format!("the D program of scenario `{}`", scenario.name),
        error: error.to_string(),
    }
}

/// Each probe's firings, from the counting program's `@probecost_events_<i>`.
fn probe_counts(program: DProgram, outcome: &SessionOutcome) -> ProgramStats {
    let programs = (0..program.probes().len())
        .map(|i| {
            let name = format!("probecost_events_{i}");
            let count = outcome
                .aggregations
                .iter()
                .find(|a| a.name == name)
                .map_or(0, |a| match a.value {
                    AggregationValue::Count(n) => n,
                    _ => 0,
                });
            // DTrace does not time its clauses.
            ProgramRun {
                count,
                time_ns: None,
                ..ProgramRun::default()
            }
        })
        .collect();
    ProgramStats { programs }
}

impl PreparedScenario for DtraceScenario {
    fn attach(&mut self) -> Result<(), BackendError> {
        if self.session.is_some() {
            return Ok(());
        }
        if self.program.needs_target() {
            return Err(self.attach_error(DtraceError::Other {
                operation: freebsd_dtrace::Operation::Go,
                errno: 0,
                message: "pid$target probes run only around a workload child".into(),
            }));
        }
        self.session = Some(self.start(self.program.text().to_string())?);
        Ok(())
    }

    fn detach(&mut self) -> Result<(), BackendError> {
        match self.session.take() {
            Some(session) => self.finish(session).map(|_| ()),
            None => Ok(()),
        }
    }

    fn traced_run(&mut self, on: Interruptible<'_>, ops: u64) -> Result<RunSample, MeasureError> {
        if self.program.needs_target() {
            let program = self.program.text().to_string();
            return Ok(self.run_in_child(program, ops, on.stop)?.0);
        }
        run_attached(self, on, ops)
    }

    fn verify(&mut self, on: Interruptible<'_>, ops: u64) -> Result<ProgramStats, MeasureError> {
        let program = self.program.counting_program();
        let outcome = if self.program.needs_target() {
            self.run_in_child(program, ops, on.stop)?.1
        } else {
            let session = self.start(program)?;
            let run = on.run(ops);
            let outcome = self.finish(session)?;
            run?;
            outcome
        };
        Ok(probe_counts(self.program, &outcome))
    }

    fn delivery(&mut self) -> Result<Option<DeliveryCounts>, BackendError> {
        let counts = DeliveryCounts::from_output(self.output.lines, self.output.drops);
        Ok((self.scenario.delivery != Delivery::None).then_some(counts))
    }
}
