//! A bpftrace child process: started with the script, ready when bpftrace says all probes are
//! attached (its `__BPFTRACE_NOTIFY_PROBES_ATTACHED` line, not a fixed sleep), stopped with
//! SIGINT and reaped. The child gets SIGKILL if probecost dies (PR_SET_PDEATHSIG), so its
//! probes never outlive probecost; dropping a [`BpftraceProcess`] kills and reaps it too.
//!
//! Its output goes to files, read before and after the timed run, not to pipes drained by
//! threads: a second thread in probecost's process makes every `read` and `write` of the
//! in-process workload take a file reference (the kernel's single-threaded `fdget` shortcut is
//! gone), a cost that would be charged to bpftrace (docs/methodology.md).

use std::{
    fs::File,
    io::{BufRead, BufReader, Read, Write},
    path::Path,
    process::{Child, Command, ExitStatus, Stdio},
    thread,
    time::{Duration, Instant},
};

use super::attached_probes::AttachedProbes;
use crate::tracer_process::off_the_workload_and_dying_with_us;

/// The line bpftrace writes to stderr once every probe is attached.
const READY_LINE: &str = "__BPFTRACE_NOTIFY_PROBES_ATTACHED";
/// How long bpftrace may take to compile and attach a script with few probes.
pub const READY_TIMEOUT: Duration = Duration::from_secs(120);
/// How long bpftrace may take to exit after the first SIGINT (it detaches every probe first:
/// about a minute for all syscall tracepoints on this machine kind).
const EXIT_TIMEOUT: Duration = Duration::from_secs(600);
/// How often SIGINT is repeated while bpftrace has not exited.
const RESIGNAL_INTERVAL: Duration = Duration::from_millis(500);

/// What bpftrace printed while it ran.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BpftraceOutput {
    /// Lines on stdout other than bpftrace's own messages (per-event printf lines, the map
    /// dump at exit).
    pub lines: u64,
    /// Events bpftrace reported lost (`Lost N events`).
    pub lost: u64,
    /// bpftrace's warnings that a probe will not attach (a kernel function that is not
    /// traceable here, say): the script runs without those probes.
    pub attach_warnings: Vec<String>,
}

/// Why bpftrace could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BpftraceError {
    /// It could not be started.
    #[error("cannot start bpftrace: {0}")]
    Spawn(std::io::Error),
    /// It exited before attaching: the script's error is in its stderr.
    #[error("bpftrace rejected the script ({status}):\n{stderr}\nscript: {script}")]
    Rejected {
        /// Its exit status.
        status: String,
        /// What it said.
        stderr: String,
        /// The script.
        script: String,
    },
    /// It did not attach in time.
    #[error("bpftrace did not attach within {0:?}")]
    Timeout(Duration),
    /// Stopping it failed.
    #[error("stopping bpftrace: {0}")]
    Stop(String),
}

/// A running bpftrace with its probes attached.
pub struct BpftraceProcess {
    child: Child,
    output: OutputFiles,
    sink: std::path::PathBuf,
    reaped: bool,
    /// Its probe descriptors, found once it is ready.
    probes: AttachedProbes,
}

/// bpftrace's stdout and stderr, as files in a directory of their own, removed on drop.
struct OutputFiles {
    dir: std::path::PathBuf,
}

impl OutputFiles {
    fn create() -> std::io::Result<Self> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("probecost-bpftrace-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    fn stdout(&self) -> std::path::PathBuf {
        self.dir.join("stdout")
    }

    fn stderr(&self) -> std::path::PathBuf {
        self.dir.join("stderr")
    }

    fn stderr_text(&self) -> String {
        std::fs::read_to_string(self.stderr()).unwrap_or_default()
    }
}

impl Drop for OutputFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl BpftraceProcess {
    /// Starts `bpftrace -e script` off `workload_cpu` (on the other CPUs, as probecost's own
    /// drain is) and returns once its probes are attached, with how long that took. Per-event
    /// output goes to `sink` when bpftrace stops.
    pub fn start(
        script: &str,
        workload_cpu: usize,
        sink: &Path,
    ) -> Result<(Self, Duration), BpftraceError> {
        Self::start_within(script, workload_cpu, sink, READY_TIMEOUT)
    }

    /// [`start`](Self::start), giving bpftrace `ready_timeout` to attach (it compiles a
    /// program per probe: thousands of probes take minutes, more under emulation).
    pub fn start_within(
        script: &str,
        workload_cpu: usize,
        sink: &Path,
        ready_timeout: Duration,
    ) -> Result<(Self, Duration), BpftraceError> {
        let started = Instant::now();
        let output = OutputFiles::create().map_err(BpftraceError::Spawn)?;
        let file = |path: std::path::PathBuf| File::create(path).map_err(BpftraceError::Spawn);
        let mut command = Command::new("bpftrace");
        command
            .arg("-e")
            .arg(script)
            .env(READY_LINE, "1")
            // bpftrace 0.17 refuses more than 512 probes or programs unless told otherwise;
            // attach-scale and workload sets go well past that.
            .env("BPFTRACE_MAX_PROBES", "100000")
            .env("BPFTRACE_MAX_BPF_PROGS", "100000")
            .stdin(Stdio::null())
            .stdout(file(output.stdout())?)
            .stderr(file(output.stderr())?);
        off_the_workload_and_dying_with_us(&mut command, workload_cpu);
        let child = command.spawn().map_err(BpftraceError::Spawn)?;
        let mut process = Self {
            child,
            output,
            sink: sink.to_path_buf(),
            reaped: false,
            probes: AttachedProbes::default(),
        };
        loop {
            if process.output.stderr_text().contains(READY_LINE) {
                let attached = started.elapsed();
                wait_until_idle(process.child.id());
                process.probes = AttachedProbes::of(process.child.id());
                return Ok((process, attached));
            }
            if let Ok(Some(status)) = process.child.try_wait() {
                process.reaped = true;
                return Err(BpftraceError::Rejected {
                    status: status.to_string(),
                    stderr: process.output.stderr_text().trim().to_string(),
                    script: abbreviated(script),
                });
            }
            if started.elapsed() > ready_timeout {
                return Err(BpftraceError::Timeout(ready_timeout));
            }
            thread::sleep(Duration::from_millis(2));
        }
    }

    /// bpftrace's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGINT, waits for bpftrace to detach, print its maps and exit, and returns how
    /// long that took and what it printed.
    pub fn stop(self) -> Result<(Duration, BpftraceOutput), BpftraceError> {
        let started = Instant::now();
        let output = self.detach()?.finish()?;
        Ok((started.elapsed(), output))
    }

    /// Sends SIGINT and returns once bpftrace's probes are detached (its probe descriptors
    /// closed, see [`AttachedProbes`]), with how long that took. bpftrace is then in its final
    /// drain, idle for 100 ms before it prints its maps and exits: [`DetachedBpftrace::finish`]
    /// waits for that later. Where its probes could not be told apart, this waits for the exit.
    ///
    /// bpftrace 0.17 can miss a SIGINT that lands while it is still setting up (it resets its
    /// exit flag before its final drain), so the signal is repeated every half second while it
    /// still sits in its poll loop; after [`EXIT_TIMEOUT`] it is killed (its probes go with
    /// it) and that is an error.
    pub fn detach(mut self) -> Result<DetachedBpftrace, BpftraceError> {
        let mut signals = Signals::default();
        let probes = std::mem::take(&mut self.probes);
        // An exit ends the wait too: `finish` finds its status again (the child keeps it).
        self.interrupt_until(&mut signals, || !probes.is_empty() && probes.all_closed())?;
        Ok(DetachedBpftrace {
            took: signals.started.elapsed(),
            process: self,
            signals,
        })
    }

    /// Signals bpftrace (see [`Self::detach`]) until it exits, which returns its status, or
    /// until `detached` holds, which returns `None`.
    fn interrupt_until(
        &mut self,
        signals: &mut Signals,
        mut detached: impl FnMut() -> bool,
    ) -> Result<Option<ExitStatus>, BpftraceError> {
        let pid = self.child.id() as libc::pid_t;
        loop {
            if let Some(status) = self
                .child
                .try_wait()
                .map_err(|e| BpftraceError::Stop(e.to_string()))?
            {
                self.reaped = true;
                return Ok(Some(status));
            }
            if signals.last.is_some() && detached() {
                return Ok(None);
            }
            if signals.started.elapsed() > EXIT_TIMEOUT {
                return Err(BpftraceError::Stop(format!(
                    "bpftrace did not exit within {EXIT_TIMEOUT:?} of SIGINT; killed it"
                )));
            }
            // Repeat the signal only while bpftrace still waits in its poll loop (the first
            // was missed): once it is detaching, another SIGINT would kill it mid-way.
            let missed = signals
                .last
                .is_some_and(|at| at.elapsed() >= RESIGNAL_INTERVAL)
                && waits_in_poll_loop(pid);
            if signals.last.is_none() || missed {
                // SAFETY: signalling our own child, which has not been reaped yet.
                unsafe { libc::kill(pid, libc::SIGINT) };
                signals.last = Some(Instant::now());
            }
            thread::sleep(Duration::from_millis(1));
        }
    }
}

/// When bpftrace was first signalled to stop, and last.
struct Signals {
    started: Instant,
    last: Option<Instant>,
}

impl Default for Signals {
    fn default() -> Self {
        Self {
            started: Instant::now(),
            last: None,
        }
    }
}

/// A bpftrace whose probes are detached, finishing its final drain and exit in the background
/// (off the workload's CPU, with nothing of it attached). Dropping it kills and reaps it.
pub struct DetachedBpftrace {
    process: BpftraceProcess,
    signals: Signals,
    took: Duration,
}

impl DetachedBpftrace {
    /// From SIGINT until the probes were detached.
    pub fn took(&self) -> Duration {
        self.took
    }

    /// Waits for bpftrace to exit and returns what it printed.
    pub fn finish(mut self) -> Result<BpftraceOutput, BpftraceError> {
        let status = self
            .process
            .interrupt_until(&mut self.signals, || false)?
            .expect("only an exit ends the wait");
        let process = &self.process;
        if !status.success() {
            return Err(BpftraceError::Stop(format!(
                "bpftrace exited with {status}: {}",
                process.output.stderr_text().trim()
            )));
        }
        let stdout =
            File::open(process.output.stdout()).map_err(|e| BpftraceError::Stop(e.to_string()))?;
        let sink = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&process.sink)
            .map_err(|e| BpftraceError::Stop(format!("{}: {e}", process.sink.display())))?;
        let mut output = drain_stdout(stdout, sink);
        output.attach_warnings = attach_warnings(&process.output.stderr_text());
        Ok(output)
    }
}

impl Drop for BpftraceProcess {
    fn drop(&mut self) {
        // Not stopped cleanly (an error or a panic on the way): kill and reap.
        if !self.reaped {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// bpftrace keeps working for a while after attaching (BEGIN, perf buffer set-up, freeing
/// its compiler's memory); a traced run started then would be timed beside that work. Waits
/// until the process used no CPU over two scheduler ticks in a row (at most two seconds).
fn wait_until_idle(pid: u32) {
    let cpu_ticks = || -> Option<u64> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        let rest = stat.rsplit_once(')')?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
    };
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut last = cpu_ticks();
    let mut idle_samples = 0;
    while idle_samples < 2 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
        let now = cpu_ticks();
        if now.is_none() {
            return; // exited: the caller finds out on stop
        }
        idle_samples = if now == last { idle_samples + 1 } else { 0 };
        last = now;
    }
}

/// Whether the process sleeps in epoll_wait, where bpftrace waits for events while tracing.
fn waits_in_poll_loop(pid: libc::pid_t) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/wchan")).is_ok_and(|w| w.trim() == "do_epoll_wait")
}

/// The script for an error message: long probe lists cut to their start and end.
fn abbreviated(script: &str) -> String {
    const KEEP: usize = 300;
    if script.chars().count() <= 2 * KEEP {
        return script.to_string();
    }
    let head: String = script.chars().take(KEEP).collect();
    let tail: String = script.chars().skip(script.chars().count() - KEEP).collect();
    format!("{head} ... {tail}")
}

/// The lines of bpftrace's stderr that say a probe will not attach (or that a wildcard could
/// not be matched against the kernel's traceable functions).
fn attach_warnings(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .map(str::trim)
        .filter(|line| {
            line.contains("attaching to it will likely fail")
                || line.contains("Error attaching probe")
                || line.contains("Could not read symbols from")
        })
        .map(String::from)
        .collect()
}

fn drain_stdout(stdout: impl Read, mut sink: impl Write) -> BpftraceOutput {
    let mut output = BpftraceOutput::default();
    let mut reader = BufReader::with_capacity(1 << 20, stdout);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if let Some(lost) = lost_events(&line) {
                    output.lost += lost;
                } else if !line.starts_with(b"Attaching ") && line != b"\n" {
                    output.lines += 1;
                }
                let _ = sink.write_all(&line);
            }
        }
    }
    output
}

/// `Lost 123 events` as bpftrace prints it.
fn lost_events(line: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(line).ok()?.trim();
    text.strip_prefix("Lost ")?
        .strip_suffix(" events")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_that_a_probe_will_not_attach_are_kept() {
        let stderr = "ERROR: Unknown error -1: couldn't set RLIMIT_MEMLOCK for bpftrace.\n\
                      stdin:17-19: WARNING: blk_account_io_start is not traceable (either \
                      non-existing, inlined, or marked as \"notrace\"); attaching to it will \
                      likely fail\nAttaching 3 probes...\n";
        let warnings = attach_warnings(stderr);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("stdin:17-19: WARNING: blk_account_io_start"));
        assert!(attach_warnings("Attaching 1 probe...\n").is_empty());
    }

    #[test]
    fn lost_event_lines_are_counted() {
        assert_eq!(lost_events(b"Lost 42 events\n"), Some(42));
        assert_eq!(lost_events(b"1 bytes\n"), None);
        let output = drain_stdout(
            &b"Attaching 1 probe...\n1 bytes\nLost 5 events\n1 bytes\n\n"[..],
            std::io::sink(),
        );
        assert_eq!((output.lines, output.lost), (2, 5));
    }
}
