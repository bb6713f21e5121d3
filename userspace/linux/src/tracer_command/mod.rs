//! `measure --tracer-cmd 'CMD ARGS'`: any command that loads BPF programs (a libbpf tool, an
//! agent, bpftrace itself) as the traced side. It is started for each traced run in a process
//! group of its own, ready when a line of its output matches `--ready-line` or when the BPF
//! programs and attachments its process tree holds have stopped changing for a settle time
//! (with at least one program, unless its events are given); it is stopped with
//! SIGINT, then SIGTERM, then SIGKILL, each after the stop timeout, and it dies with probecost
//! (PR_SET_PDEATHSIG). Its events are the runs of the programs its process tree held.

mod output;
mod process_tree;

use std::{
    collections::BTreeSet,
    os::unix::process::CommandExt as _,
    process::{Child, Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use regex::Regex;

use crate::bpf_stats;
use crate::tracer_process::off_the_workload_and_dying_with_us;
use output::Output;
use probecost_core::{
    benchmark::{
        AttachChoice, AttachTimer, MeasureError, Prepared, PreparedScenario, ProgramRun,
        ProgramStats, SuiteRow, TracerBackend,
    },
    error::{BackendError, Error, Result},
    platform::{CommandRequest, ObjectBackend},
    result::{AttachTimes, DeliveryCounts},
    scenario::Scenario,
    tracer::Tracer,
    workload::Interruptible,
};
use process_tree::{held_bpf, HeldBpf};

/// How often the command's state is looked at while it starts and stops.
const POLL: Duration = Duration::from_millis(20);

/// A user's command, measured as its own row.
pub struct UserCommand {
    request: CommandRequest,
    ready_line: Option<Regex>,
}

impl UserCommand {
    /// The command's backend (nothing runs until the first traced run).
    pub fn open(request: &CommandRequest) -> Result<ObjectBackend> {
        let ready_line = request
            .ready_line
            .as_deref()
            .map(Regex::new)
            .transpose()
            .map_err(|e| Error::Input(format!("--ready-line: {e}")))?;
        Ok(ObjectBackend {
            row_name: request.command.clone(),
            programs: Vec::new(),
            description: format!("the BPF programs `{}` holds", request.command),
            backend: Box::new(Self {
                request: request.clone(),
                ready_line,
            }),
        })
    }
}

impl TracerBackend for UserCommand {
    fn tracer(&self) -> Tracer {
        Tracer::Command
    }

    fn version(&self) -> String {
        format!("command `{}`", self.request.command)
    }

    fn prepare(&mut self, scenario: &'static Scenario) -> Result<Prepared> {
        Err(Error::unsupported(format!(
            "the command `{}` is measured as its own row, not as the catalog's `{}`",
            self.request.command, scenario.name
        )))
    }

    fn prepare_row(&mut self, row: SuiteRow<'_>) -> Result<Prepared> {
        let SuiteRow::Object(_) = row else {
            return Err(Error::unsupported(format!(
                "the command `{}` is measured as its own row, not as the catalog's `{}`",
                self.request.command,
                row.name()
            )));
        };
        let choice = AttachChoice {
            attach: "the programs its process tree holds".into(),
            substitution_reason: None,
        };
        Ok(Prepared {
            choice,
            programs: Box::new(CommandRuns {
                request: self.request.clone(),
                ready_line: self.ready_line.clone(),
                running: None,
                timer: AttachTimer::default(),
            }),
        })
    }
}

/// The command, started around each traced run.
struct CommandRuns {
    request: CommandRequest,
    ready_line: Option<Regex>,
    running: Option<Running>,
    timer: AttachTimer,
}

/// A started command: its process (the leader of its process group), what it printed, and
/// the BPF programs its process tree held when it became ready.
struct Running {
    child: Child,
    output: Output,
    programs: BTreeSet<u32>,
}

impl CommandRuns {
    fn error(&self, action: &'static str, error: String) -> BackendError {
        BackendError::Attach {
            action,
            program: self.request.command.clone(),
            attach: "the programs its process tree holds".into(),
            error,
        }
    }

    /// Starts the command and waits until it is ready.
    fn start(&self) -> std::result::Result<Running, String> {
        let mut command = Command::new("/bin/sh");
        command
            .arg("-c")
            .arg(&self.request.command)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        off_the_workload_and_dying_with_us(&mut command, self.request.workload_cpu);
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start it: {e}"))?;
        let output = Output::default();
        if let Some(stdout) = child.stdout.take() {
            output.collect(0, stdout, self.request.workload_cpu);
        }
        if let Some(stderr) = child.stderr.take() {
            output.collect(1, stderr, self.request.workload_cpu);
        }
        let mut running = Running {
            child,
            output,
            programs: BTreeSet::new(),
        };
        let started = Instant::now();
        let mut held = HeldBpf::default();
        let mut stable_since = Instant::now();
        loop {
            if let Ok(Some(status)) = running.child.try_wait() {
                let tail = running.output.stderr_tail();
                return Err(format!(
                    "it exited ({status}) before it was ready{}",
                    if tail.is_empty() {
                        String::new()
                    } else {
                        format!("; its last words:\n{tail}")
                    }
                ));
            }
            let now_held = held_bpf(running.child.id());
            if now_held != held {
                held = now_held;
                stable_since = Instant::now();
            }
            // A tool that will load programs holds none while it starts: that is not ready.
            let ready = match &self.ready_line {
                Some(pattern) => running.output.has_line(pattern),
                None => {
                    (self.request.may_hold_none || !held.programs.is_empty())
                        && stable_since.elapsed() >= self.request.settle
                }
            };
            if ready {
                // A ready line may come after the look above: the programs held are then
                // whatever it holds once the line is seen.
                running.programs = match &self.ready_line {
                    Some(_) => held_bpf(running.child.id()).programs,
                    None => held.programs,
                };
                return Ok(running);
            }
            if started.elapsed() >= self.request.ready_timeout {
                let waited_for = match &self.ready_line {
                    Some(pattern) => format!("a line matching `{pattern}`"),
                    None if held.programs.is_empty() => "it to load a BPF program; it held \
                         none, and a command that loads none is measured only with \
                         --events-per-op N (its events then not verified)"
                        .into(),
                    None => "its BPF programs and attachments to stop changing".into(),
                };
                stop(running.child, self.request.stop_timeout);
                return Err(format!(
                    "it was not ready within {:?} (waiting for {waited_for})",
                    self.request.ready_timeout
                ));
            }
            thread::sleep(POLL);
        }
    }
}

impl PreparedScenario for CommandRuns {
    fn attach(&mut self) -> std::result::Result<(), BackendError> {
        if self.running.is_some() {
            return Ok(());
        }
        let started = Instant::now();
        let running = self.start().map_err(|e| self.error("attach", e))?;
        self.timer.attached(started.elapsed());
        self.running = Some(running);
        Ok(())
    }

    fn detach(&mut self) -> std::result::Result<(), BackendError> {
        let Some(running) = self.running.take() else {
            return Ok(());
        };
        let started = Instant::now();
        stop(running.child, self.request.stop_timeout);
        self.timer.detached(started.elapsed());
        Ok(())
    }

    fn verify(
        &mut self,
        on: Interruptible<'_>,
        ops: u64,
    ) -> std::result::Result<ProgramStats, MeasureError> {
        let ready = on.ready(ops)?;
        let stats_enabled = bpf_stats::enable()?;
        self.attach()?;
        let ids = self
            .running
            .as_ref()
            .map(|r| r.programs.clone())
            .unwrap_or_default();
        let first = program_counts(&ids);
        let outcome = ready.go();
        let last = program_counts(&ids);
        self.detach()?;
        drop(stats_enabled);
        outcome?;
        Ok(ProgramStats {
            programs: first
                .iter()
                .map(|(id, count, time)| {
                    let (count_after, time_after) = last
                        .iter()
                        .find(|p| p.0 == *id)
                        .map_or((*count, *time), |p| (p.1, p.2));
                    ProgramRun {
                        count: count_after.saturating_sub(*count),
                        time_ns: Some(time_after.saturating_sub(*time)),
                        ..ProgramRun::default()
                    }
                })
                .collect(),
        })
    }

    fn attach_times(&self) -> Option<AttachTimes> {
        self.timer.medians()
    }

    fn delivery(&mut self) -> std::result::Result<Option<DeliveryCounts>, BackendError> {
        Ok(None)
    }
}

impl Drop for CommandRuns {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            stop(running.child, self.request.stop_timeout);
        }
    }
}

/// Stops the process group `child` leads: SIGINT, then SIGTERM, then SIGKILL, each after
/// `timeout`; whatever of the group is left is killed, and the child reaped.
fn stop(mut child: Child, timeout: Duration) {
    let group = child.id() as libc::pid_t;
    for signal in [libc::SIGINT, libc::SIGTERM] {
        // SAFETY: signalling a process group this process created.
        unsafe { libc::kill(-group, signal) };
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                // SAFETY: as above; the leader is gone, the rest of its group goes too.
                unsafe { libc::kill(-group, libc::SIGKILL) };
                return;
            }
            thread::sleep(POLL);
        }
    }
    // SAFETY: as above.
    unsafe { libc::kill(-group, libc::SIGKILL) };
    let _ = child.wait();
}

/// Run count and run time of each program of `ids` still loaded.
fn program_counts(ids: &BTreeSet<u32>) -> Vec<(u32, u64, u64)> {
    aya::programs::loaded_programs()
        .filter_map(std::result::Result::ok)
        .filter(|p| ids.contains(&p.id()))
        .map(|p| (p.id(), p.run_count(), p.run_time().as_nanos() as u64))
        .collect()
}
