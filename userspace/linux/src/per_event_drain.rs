//! User space's half of the per-event scenarios: a thread that drains per-event records while
//! the workload runs, formats one line per record and writes it to the sink, as bpftrace's
//! printf does. It runs on a CPU other than the workload's where there is one.

use std::{
    fs::File,
    io::{BufWriter, Write},
    path::Path,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use aya::maps::{MapData, RingBuf};
use aya_log::EbpfLogger;
use bytes::Buf as _;
use probecost_common::ReadRecord;

/// Where formatted lines go, and how many went. Cloning shares the sink.
#[derive(Clone)]
pub struct Sink(Arc<SinkInner>);

struct SinkInner {
    out: Mutex<BufWriter<File>>,
    delivered: AtomicU64,
}

impl Sink {
    /// A sink writing to `path` (e.g. /dev/null, or a file to look at).
    pub fn create(path: &Path) -> std::io::Result<Self> {
        Ok(Self(Arc::new(SinkInner {
            out: Mutex::new(BufWriter::with_capacity(1 << 16, File::create(path)?)),
            delivered: AtomicU64::new(0),
        })))
    }

    /// The `log` logger aya-log hands each record to.
    pub fn logger(&self) -> SinkLogger {
        SinkLogger(self.clone())
    }

    /// Lines written so far.
    pub fn delivered(&self) -> u64 {
        self.0.delivered.load(Ordering::Relaxed)
    }

    fn line(&self, args: std::fmt::Arguments<'_>) {
        let mut out = self.0.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = out.write_fmt(args);
        let _ = out.write_all(b"\n");
        self.0.delivered.fetch_add(1, Ordering::Relaxed);
    }

    fn flush(&self) {
        let _ = self.0.out.lock().map(|mut o| o.flush());
    }
}

/// Writes each aya-log record's formatted message to the sink.
pub struct SinkLogger(Sink);

impl log::Log for SinkLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        self.0.line(format_args!("{}", record.args()));
    }

    fn flush(&self) {
        self.0.flush();
    }
}

/// The source of per-event records.
pub enum RecordSource {
    /// aya-log's ring buffer, formatted by aya-log.
    AyaLog(EbpfLogger<SinkLogger>),
    /// probecost's ring buffer of [`ReadRecord`]s.
    RingBuf(RingBuf<MapData>),
}

/// A per-event drain: a thread while its scenario runs, parked between (a second thread in
/// probecost's process would slow every other scenario's syscalls, see docs/methodology.md);
/// dropping it stops the thread after a last drain.
pub struct PerEventDrain {
    sink: Sink,
    workload_cpu: usize,
    running: Option<(Arc<AtomicBool>, JoinHandle<RecordSource>)>,
    parked: Option<RecordSource>,
}

impl PerEventDrain {
    /// A drain of `source` into `sink`, parked; [`Self::resume`] starts its thread, pinned
    /// away from `workload_cpu`.
    pub fn new(source: RecordSource, sink: Sink, workload_cpu: usize) -> Self {
        Self {
            sink,
            workload_cpu,
            running: None,
            parked: Some(source),
        }
    }

    /// Starts draining on a thread (nothing when it already runs).
    pub fn resume(&mut self) -> std::io::Result<()> {
        let Some(source) = self.parked.take() else {
            return Ok(());
        };
        let stop = Arc::new(AtomicBool::new(false));
        let workload_cpu = self.workload_cpu;
        let thread = {
            let stop = stop.clone();
            let sink = self.sink.clone();
            std::thread::Builder::new()
                .name("per-event-drain".into())
                .spawn(move || {
                    if let Some(cpu) = probecost_core::cpu::other_cpus(workload_cpu)
                        .ok()
                        .and_then(|cpus| cpus.first().copied())
                    {
                        let _ = probecost_core::cpu::pin_current_thread(cpu);
                    }
                    drain(source, &sink, &stop)
                })?
        };
        self.running = Some((stop, thread));
        Ok(())
    }

    /// Drains what is left and stops the thread, keeping the source for [`Self::resume`].
    pub fn pause(&mut self) {
        if let Some((stop, thread)) = self.running.take() {
            stop.store(true, Ordering::Relaxed);
            // A drain thread that panicked has lost its source: the drain stays stopped.
            self.parked = thread.join().ok();
        }
        self.sink.flush();
    }

    /// Records delivered so far.
    pub fn delivered(&self) -> u64 {
        self.sink.delivered()
    }

    /// What reached user space of what the programs `seen` (less the `dropped` they could not
    /// reserve room for), once the drain has caught up.
    pub fn counts(&self, seen: u64, dropped: u64) -> probecost_core::result::DeliveryCounts {
        self.settle(seen.saturating_sub(dropped));
        probecost_core::result::DeliveryCounts::from_seen(seen, self.delivered())
    }

    /// Waits until `expected` records were delivered, or nothing arrived for 300 ms.
    pub fn settle(&self, expected: u64) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut last = self.delivered();
        let mut quiet_since = Instant::now();
        while self.delivered() < expected && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
            let now = self.delivered();
            if now != last {
                last = now;
                quiet_since = Instant::now();
            } else if quiet_since.elapsed() > Duration::from_millis(300) {
                break;
            }
        }
        self.sink.flush();
    }
}

impl Drop for PerEventDrain {
    fn drop(&mut self) {
        self.pause();
    }
}

/// How often the drain reads the ring. Both sources are polled: aya-log's programs submit
/// with the kernel's default wakeup, sent whenever the reader has caught up, so a reader that
/// waited for it would be woken once per event whenever it keeps up, and the cost per event
/// would follow the reader's pace rather than the probe's (docs/methodology.md, "Per-event
/// output"); polled, a wakeup comes at most once per poll. The rings hold tens of milliseconds
/// of events.
const RING_POLL: Duration = Duration::from_millis(1);

/// Drains `source` into `sink` until `stop`, then gives the source back.
fn drain(source: RecordSource, sink: &Sink, stop: &AtomicBool) -> RecordSource {
    let mut source = source;
    loop {
        let stopping = stop.load(Ordering::Relaxed);
        match &mut source {
            RecordSource::AyaLog(logger) => logger.flush(),
            RecordSource::RingBuf(ring) => drain_ring(ring, sink),
        }
        if stopping {
            return source;
        }
        std::thread::sleep(RING_POLL);
    }
}

fn drain_ring(ring: &mut RingBuf<MapData>, sink: &Sink) {
    while let Some(item) = ring.next() {
        if let Some(record) = decode(&item) {
            sink.line(format_args!("{} bytes", record.count));
        }
    }
}

/// One ring-buffer entry as the kernel side wrote it (a [`ReadRecord`], native byte order),
/// or `None` when it is too short to be one.
fn decode(mut entry: &[u8]) -> Option<ReadRecord> {
    if entry.remaining() < std::mem::size_of::<ReadRecord>() {
        return None;
    }
    Some(ReadRecord {
        pid: entry.get_u32_ne(),
        _pad: entry.get_u32_ne(),
        count: entry.get_u64_ne(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_decodes_from_the_kernels_bytes_and_a_short_one_does_not() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&4242u32.to_ne_bytes());
        bytes.extend_from_slice(&0u32.to_ne_bytes());
        bytes.extend_from_slice(&1u64.to_ne_bytes());
        let record = decode(&bytes).unwrap();
        assert_eq!((record.pid, record.count), (4242, 1));
        assert!(decode(&bytes[..15]).is_none());
    }
}
