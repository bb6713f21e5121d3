//! The dd-style workload, in process: 1-byte `read` from /dev/zero and `write` to /dev/null
//! through libc (so a uprobe on libc's `read` fires), timed in batches on a pinned CPU.

use std::{
    fs::{File, OpenOptions},
    io,
    os::fd::AsRawFd,
    sync::atomic::{AtomicBool, Ordering},
    time::Instant,
};

use super::{RunSample, Workload, WorkloadError};
use crate::histogram::OpCostHistogram;

/// Operations timed together; one clock read per batch keeps the clock out of the cost.
const DEFAULT_BATCH_OPS: u64 = 1000;

/// What the workload reads from and writes to.
pub struct PinnedWorkload {
    source: File,
    sink: File,
    cpu: usize,
    batch_ops: u64,
    /// Whether each operation also calls probecost's uprobe sites (the mechanism matrix).
    call_sites: bool,
}

impl PinnedWorkload {
    /// Opens /dev/zero and /dev/null for a workload that will run on `cpu`. The caller's
    /// thread is pinned when it calls [`Self::run`].
    pub fn new(cpu: usize) -> io::Result<Self> {
        Ok(Self {
            source: File::open("/dev/zero")?,
            sink: OpenOptions::new().write(true).open("/dev/null")?,
            cpu,
            batch_ops: DEFAULT_BATCH_OPS,
            call_sites: false,
        })
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

    /// The workload on `cpu`, with the calling thread pinned there; each failure says what it
    /// was doing.
    pub fn on_this_thread(cpu: usize) -> crate::error::Result<Self> {
        use crate::error::Error;

        let workload = Self::new(cpu).map_err(Error::io("opening /dev/zero and /dev/null"))?;
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
             of {}",
            self.batch_ops
        )
    }

    fn cpu(&self) -> usize {
        self.cpu
    }

    /// Performs `ops` operations, checking `stop` between batches.
    fn run(&self, ops: u64, stop: &AtomicBool) -> Result<RunSample, WorkloadError> {
        let mut histogram = OpCostHistogram::default();
        let mut done = 0;
        let start = Instant::now();
        let mut batch_start = start;
        while done < ops {
            if stop.load(Ordering::Relaxed) {
                return Err(WorkloadError::Interrupted);
            }
            let batch = self.batch_ops.min(ops - done);
            for _ in 0..batch {
                self.one_op()?;
            }
            let now = Instant::now();
            histogram.record_ns((now - batch_start).as_nanos() as f64 / batch as f64);
            batch_start = now;
            done += batch;
        }
        Ok(RunSample {
            ops,
            elapsed: start.elapsed(),
            histogram,
        })
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
        assert_eq!(sample.histogram.len(), 3);
        assert!(sample.ns_per_op() > 0.0);
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
