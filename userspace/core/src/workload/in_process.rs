//! The dd-style workload, in process: 1-byte `read` from /dev/zero and `write` to /dev/null
//! through libc (so a uprobe on libc's `read` fires), timed in batches on a pinned CPU.
//!
//! Batches are sized by time, not by a count of operations: the estimator takes a low quantile
//! of a run's batch costs as its floor, which needs many batches that fall wholly within the
//! machine's fast stretches, whatever one operation costs (a uprobe makes it 40 times slower).

use std::{
    fs::{File, OpenOptions},
    io,
    os::fd::AsRawFd,
    sync::atomic::{AtomicBool, Ordering},
    time::{Duration, Instant},
};

use super::{ReadyRun, RunSample, Workload, WorkloadError};
use crate::histogram::OpCostHistogram;

/// How long one timed batch lasts: well under the ~1.5 ms slow stretches of a noisy VM, so
/// that most batches are wholly fast or wholly slow, and long enough that the one clock read
/// per batch (~20 ns) is lost in it.
pub const BATCH_TIME: Duration = Duration::from_micros(200);
/// The first batch of a run; batches grow fourfold from it until one lasts a quarter of
/// [`BATCH_TIME`], which sizes the rest. These sizing batches count in the run's mean but not
/// in its batch costs.
const FIRST_BATCH_OPS: u64 = 4;
/// Sizing takes the fastest of at least this many batches. The first operations of a fresh
/// task fault in pages and a busy machine preempts: one stretched batch alone would size
/// every later batch far too short.
const MIN_SIZING_BATCHES: u64 = 3;

/// What the workload reads from and writes to.
pub struct PinnedWorkload {
    source: File,
    sink: File,
    cpu: usize,
    /// Whether each operation also calls probecost's uprobe sites (the mechanism matrix).
    call_sites: bool,
    /// The probecost binary, when each run is a new process of it (`workload-child`) rather
    /// than a forked child.
    #[cfg(target_os = "linux")]
    new_process: Option<std::path::PathBuf>,
}

impl PinnedWorkload {
    /// Opens /dev/zero and /dev/null for a workload that will run on `cpu`, placing no thread
    /// ([`Self::open`] does).
    pub fn new(cpu: usize) -> io::Result<Self> {
        Ok(Self {
            source: File::open("/dev/zero")?,
            sink: OpenOptions::new().write(true).open("/dev/null")?,
            cpu,
            call_sites: false,
            #[cfg(target_os = "linux")]
            new_process: None,
        })
    }

    /// The same workload, each run a new process of the running executable, which must be
    /// probecost (its `workload-child` subcommand runs the loop): each run gets its own
    /// address-space layout instead of sharing the invocation's
    /// ([`super::fresh_task::StandbyProcess`]). Where the CPU is emulated (QEMU TCG) the runs
    /// stay forked: there a new process's start-up is long beside the run it prepares, and
    /// every timing is emulated anyway.
    #[cfg(target_os = "linux")]
    pub fn in_new_processes(self) -> crate::error::Result<Self> {
        if crate::virtualization::Virtualization::detect().emulated_cpu {
            return Ok(self);
        }
        let exe = std::env::current_exe().map_err(crate::error::Error::io(
            "finding probecost's executable for the workload's processes",
        ))?;
        Ok(self.in_new_processes_of(exe))
    }

    /// The same workload, each run a new process of `exe`, a probecost binary.
    #[cfg(target_os = "linux")]
    pub fn in_new_processes_of(mut self, exe: std::path::PathBuf) -> Self {
        self.new_process = Some(exe);
        self
    }

    /// The same workload, each operation also calling probecost's three uprobe sites once
    /// (nothing else changes: the sites return at once).
    pub fn with_uprobe_sites(mut self) -> Self {
        self.call_sites = true;
        self
    }

    /// Pins the calling thread to the workload's CPU.
    pub fn pin(&self) -> io::Result<()> {
        crate::cpu::pin_current_thread(self.cpu)
    }

    /// The workload on `cpu`, ready to run; each failure says what it was doing.
    ///
    /// On Linux every run is a new task (a forked child, or a new process with
    /// [`Self::in_new_processes`]) that pins itself to `cpu`, and the calling thread moves to
    /// the other CPUs: what the measuring process does between runs (loading,
    /// attaching and detaching programs, starting tracers, reading their output) and the
    /// kernel's deferred work that it queues on its own CPU (the callbacks of a detach's grace
    /// period) then stay off the workload's CPU. Elsewhere the calling thread is pinned to
    /// `cpu` and runs the workload itself.
    pub fn open(cpu: usize) -> crate::error::Result<Self> {
        use crate::error::Error;

        let workload = Self::new(cpu).map_err(Error::io("opening /dev/zero and /dev/null"))?;
        #[cfg(target_os = "linux")]
        crate::cpu::keep_current_thread_off(cpu).map_err(Error::io(format!(
            "moving probecost off the workload's CPU {cpu} (see --cpu)"
        )))?;
        #[cfg(not(target_os = "linux"))]
        workload.pin().map_err(Error::io(format!(
            "pinning the workload to CPU {cpu} (see --cpu)"
        )))?;
        Ok(workload)
    }

    /// One dd operation: read one byte, write it back out.
    #[inline(always)]
    fn one_op(&self) -> io::Result<()> {
        let mut byte = 0u8;
        let buf = (&mut byte as *mut u8).cast();
        // SAFETY: one byte into a live local, from an open descriptor; libc's `read` on purpose
        // (not std's), so a uprobe on libc:read sees every operation.
        let read = unsafe { libc::read(self.source.as_raw_fd(), buf, 1) };
        if read != 1 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: as above.
        let written = unsafe { libc::write(self.sink.as_raw_fd(), buf, 1) };
        if written != 1 {
            return Err(io::Error::last_os_error());
        }
        if self.call_sites {
            super::uprobe_sites::call_all();
        }
        Ok(())
    }
}

impl Workload for PinnedWorkload {
    fn description(&self) -> String {
        let sites = if self.call_sites {
            " + a call to each of probecost's uprobe sites (nop, nop5, push)"
        } else {
            ""
        };
        format!(
            "in-process loop: 1-byte libc read(/dev/zero) + write(/dev/null){sites}, batches \
             of ~{} µs{}",
            BATCH_TIME.as_micros(),
            self.runs_in()
        )
    }

    fn cpu(&self) -> usize {
        self.cpu
    }

    /// Performs `ops` operations, checking `stop` between batches; on Linux in a new task
    /// (a new process or a forked child, pinned to the workload's CPU) for every run, so that
    /// no run inherits a slow state that an earlier one left on its task
    /// ([`super::fresh_task`]).
    fn run(&self, ops: u64, stop: &AtomicBool) -> Result<RunSample, WorkloadError> {
        #[cfg(target_os = "linux")]
        if self.new_process.is_some() {
            return self.ready(ops, stop)?.go();
        }
        #[cfg(target_os = "linux")]
        return super::fresh_task::run_in_fresh_task(|| {
            self.pin()?;
            self.run_here(ops, stop)
        });
        #[cfg(not(target_os = "linux"))]
        return self.run_here(ops, stop);
    }

    /// With a new process per run, starts the run's process and waits until it is ready;
    /// otherwise defers the whole run (a fork has no start-up worth keeping out of the traced
    /// window: it shares the parent's memory).
    fn ready<'a>(
        &'a self,
        ops: u64,
        stop: &'a AtomicBool,
    ) -> Result<Box<dyn ReadyRun + 'a>, WorkloadError> {
        #[cfg(target_os = "linux")]
        if let Some(exe) = &self.new_process {
            if stop.load(Ordering::Relaxed) {
                return Err(WorkloadError::Interrupted);
            }
            return Ok(Box::new(super::fresh_task::StandbyProcess::start(
                exe,
                self.cpu,
                ops,
                self.call_sites,
                stop,
            )?));
        }
        Ok(super::DeferredRun::boxed(self, ops, stop))
    }
}

impl PinnedWorkload {
    /// Where each run is made, for the description.
    fn runs_in(&self) -> &'static str {
        #[cfg(target_os = "linux")]
        if self.new_process.is_some() {
            return ", each run a new process (probecost workload-child), started before the \
                    tracer attaches";
        }
        if cfg!(target_os = "linux") {
            ", each run in a new task (forked)"
        } else {
            ""
        }
    }

    /// Performs `ops` operations on the calling thread, checking `stop` between batches.
    pub fn run_here(&self, ops: u64, stop: &AtomicBool) -> Result<RunSample, WorkloadError> {
        let mut histogram = OpCostHistogram::default();
        let mut sizer = BatchSizer::default();
        let mut done = 0;
        let start = Instant::now();
        let mut batch_start = start;
        while done < ops {
            if stop.load(Ordering::Relaxed) {
                return Err(WorkloadError::Interrupted);
            }
            let batch = sizer.batch_ops().min(ops - done);
            for _ in 0..batch {
                self.one_op()?;
            }
            let took = batch_start.elapsed();
            if sizer.is_sized() {
                histogram.record_ns(took.as_nanos() as f64 / batch as f64);
            } else {
                sizer.record(batch, took);
            }
            // The next batch starts after the recording: a first write to a histogram page
            // (a copy-on-write fault in a forked run) is no operation's cost.
            batch_start = Instant::now();
            done += batch;
        }
        Ok(RunSample {
            ops,
            elapsed: start.elapsed(),
            // A run too short to size its batches keeps its sizing batches instead.
            histogram: if histogram.is_empty() {
                sizer.sizing
            } else {
                histogram
            },
        })
    }
}

/// Chooses how many operations a batch holds so that it lasts about [`BATCH_TIME`]: batches
/// of [`FIRST_BATCH_OPS`] growing fourfold until one lasts a quarter of it, then the fastest
/// of these sizing batches sets the size of every later one.
struct BatchSizer {
    /// The sizing batches' costs per operation.
    sizing: OpCostHistogram,
    batch_ops: u64,
    sized: bool,
}

impl Default for BatchSizer {
    fn default() -> Self {
        Self {
            sizing: OpCostHistogram::default(),
            batch_ops: FIRST_BATCH_OPS,
            sized: false,
        }
    }
}

impl BatchSizer {
    /// How many operations the next batch holds.
    fn batch_ops(&self) -> u64 {
        self.batch_ops
    }

    /// Whether the size is set, so that batches are timed for the run's costs.
    fn is_sized(&self) -> bool {
        self.sized
    }

    /// Takes a sizing batch of `ops` operations that lasted `took`.
    fn record(&mut self, ops: u64, took: Duration) {
        self.sizing.record_ns(took.as_nanos() as f64 / ops as f64);
        if took < BATCH_TIME / 4 {
            self.batch_ops *= 4;
        } else if self.sizing.len() >= MIN_SIZING_BATCHES {
            // The fastest sizing batch: one that an interruption stretched would make every
            // later batch too short.
            let fastest = self.sizing.quantile_ns(0.0).max(1.0);
            self.batch_ops = ((BATCH_TIME.as_nanos() as f64 / fastest) as u64).max(1);
            self.sized = true;
        }
        // A long batch among too few keeps its size: growing it would make the next one
        // longer still.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_the_requested_operations() {
        let workload = PinnedWorkload::new(crate::cpu::default_workload_cpu().unwrap()).unwrap();
        let stop = AtomicBool::new(false);
        let sample = workload.run(2500, &stop).unwrap();
        assert_eq!(sample.ops, 2500);
        assert!(!sample.histogram.is_empty());
        assert!(sample.ns_per_op() > 0.0);
        // Batches are sized by time (about 200 µs), whatever an operation costs: a batch of a
        // fixed count of operations would last as long as that many operations do. A busy
        // machine stretches batches, so the bound is loose; it still tells time from count.
        let sample = workload
            .run(
                sample.ops * 20_000_000 / sample.elapsed.as_nanos() as u64,
                &stop,
            )
            .unwrap();
        let batches = sample.histogram.len() as u32;
        assert!(batches >= 5, "{batches}");
        let mean_batch = sample.elapsed / batches;
        assert!(
            (Duration::from_micros(50)..=Duration::from_millis(2)).contains(&mean_batch),
            "{batches} batches of {mean_batch:?} on average"
        );
    }

    /// Feeds a sizer batches costing `ns_per_op` each, but `stretched` for the first, until
    /// it is sized; returns the size it chose.
    fn size_with_first_batch_stretched(ns_per_op: u64, first: Duration) -> u64 {
        let mut sizer = BatchSizer::default();
        let mut first = Some(first);
        while !sizer.is_sized() {
            let ops = sizer.batch_ops();
            let took = first
                .take()
                .unwrap_or(Duration::from_nanos(ops * ns_per_op));
            sizer.record(ops, took);
        }
        sizer.batch_ops()
    }

    #[test]
    fn a_stretched_first_batch_does_not_size_the_run() {
        // 500 ns per operation: 400 operations fill a batch.
        let unstretched = size_with_first_batch_stretched(500, Duration::from_micros(2));
        assert_eq!(unstretched, 400);
        // The first 4 operations of a fresh task fault in its pages: 60 µs, a quarter of a
        // batch and more, which alone would have sized batches of 13 operations.
        assert_eq!(
            size_with_first_batch_stretched(500, Duration::from_micros(60)),
            400
        );
        // An operation that fills a quarter batch by itself (a uprobe on a slow machine) is
        // sized from the fastest of several batches of that size.
        assert_eq!(
            size_with_first_batch_stretched(60_000, Duration::from_millis(1)),
            3
        );
    }

    /// What the measuring process starts beside the workload (bpftrace, the per-event drain)
    /// takes every CPU the calling thread may use but the workload's: the calling thread must
    /// not be left on the workload's CPU alone.
    #[cfg(target_os = "linux")]
    #[test]
    fn opening_moves_the_caller_off_the_workload_cpu() {
        let cpus = crate::cpu::allowed_cpus().unwrap();
        let cpu = *cpus.last().unwrap();
        let (left, sample) = std::thread::spawn(move || {
            let workload = PinnedWorkload::open(cpu).unwrap();
            let left = crate::cpu::allowed_cpus().unwrap();
            (left, workload.run(1000, &AtomicBool::new(false)).unwrap())
        })
        .join()
        .unwrap();
        if cpus.len() > 1 {
            assert!(!left.contains(&cpu), "{left:?} still holds CPU {cpu}");
        }
        assert_eq!(sample.ops, 1000);
    }

    #[test]
    fn stops_when_asked() {
        let workload = PinnedWorkload::new(0).unwrap();
        let stop = AtomicBool::new(true);
        assert!(matches!(
            workload.run(10, &stop),
            Err(WorkloadError::Interrupted)
        ));
    }
}
