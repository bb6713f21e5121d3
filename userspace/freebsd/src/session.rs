//! One traced run's DTrace consumer, on a thread of its own off the workload's CPU (as
//! dtrace(1) would be a process of its own): it compiles, goes, consumes per-event output
//! until told to stop, then stops and reads the aggregations. libdtrace handles are not shared
//! between threads, so the consumer lives and dies on this thread.

use std::{
    fs::OpenOptions,
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc, Arc,
    },
    thread::{self, JoinHandle},
    time::Duration,
};

use freebsd_dtrace::{
    Aggregation, Consumer, ConsumerOptions, DtraceError, Operation, OutputCollector, OutputCounts,
};

/// How often the consumer thread empties the principal buffers: short enough that a 16 MiB
/// buffer does not fill at millions of printf records per second.
const WORK_INTERVAL: Duration = Duration::from_millis(5);

/// What to run.
pub struct SessionSpec {
    /// The D program.
    pub program: String,
    /// A command to start stopped as `$target` before compiling, when the program needs one.
    pub target: Option<Vec<String>>,
    /// Where per-event output goes.
    pub sink: PathBuf,
    /// Consumer buffer sizes.
    pub options: ConsumerOptions,
    /// CPU the workload uses, which this thread avoids.
    pub workload_cpu: usize,
}

/// What a finished session saw.
pub struct SessionOutcome {
    /// Per-event lines, drops and probe errors.
    pub output: OutputCounts,
    /// Aggregations at the end.
    pub aggregations: Vec<Aggregation>,
}

/// A running session; [`Self::finish`] stops it, dropping it stops it too.
pub struct DtraceSession {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<SessionOutcome, DtraceError>>>,
}

impl DtraceSession {
    /// Starts the consumer thread and returns once the probes are live (and the target
    /// process, if any, resumed), or with the consumer's error.
    pub fn start(spec: SessionSpec) -> Result<Self, DtraceError> {
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = mpsc::channel();
        let thread_stop = Arc::clone(&stop);
        let thread = thread::Builder::new()
            .name("probecost-dtrace".into())
            .spawn(move || consume(spec, &thread_stop, ready_tx))
            .map_err(|e| thread_error(&e.to_string()))?;
        let mut session = Self {
            stop,
            thread: Some(thread),
        };
        match ready_rx.recv() {
            Ok(()) => Ok(session),
            // The thread ended before it was ready: its result says why.
            Err(_) => match session.join() {
                Err(e) => Err(e),
                Ok(_) => Err(thread_error("the consumer thread ended before tracing")),
            },
        }
    }

    /// Stops tracing, consumes what is left and returns what the session saw.
    pub fn finish(mut self) -> Result<SessionOutcome, DtraceError> {
        self.stop.store(true, Ordering::Relaxed);
        self.join()
    }

    fn join(&mut self) -> Result<SessionOutcome, DtraceError> {
        let thread = self.thread.take().expect("joined once");
        thread
            .join()
            .unwrap_or_else(|_| Err(thread_error("the consumer thread panicked")))
    }
}

impl Drop for DtraceSession {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.stop.store(true, Ordering::Relaxed);
            let _ = self.join();
        }
    }
}

fn thread_error(message: &str) -> DtraceError {
    DtraceError::Other {
        operation: Operation::Work,
        errno: 0,
        message: message.into(),
    }
}

fn consume(
    spec: SessionSpec,
    stop: &AtomicBool,
    ready: mpsc::Sender<()>,
) -> Result<SessionOutcome, DtraceError> {
    if let Ok(cpus) = probecost_core::cpu::other_cpus(spec.workload_cpu) {
        if let Some(cpu) = cpus.first() {
            // Best effort: on a one-CPU machine the consumer shares the workload's CPU.
            let _ = probecost_core::cpu::pin_current_thread(*cpu);
        }
    }
    let sink = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&spec.sink)
        .map_err(|e| DtraceError::Other {
            operation: Operation::Open,
            errno: e.raw_os_error().unwrap_or(0),
            message: format!("opening the per-event sink {}: {e}", spec.sink.display()),
        })?;
    let mut consumer = Consumer::open(&spec.options, OutputCollector::new(Some(Box::new(sink))))?;
    let target = match &spec.target {
        Some(argv) => Some(consumer.create_process(argv)?),
        None => None,
    };
    consumer.compile_and_exec(&spec.program)?;
    consumer.go()?;
    if let Some(process) = target {
        consumer.resume(process);
    }
    // The receiver waits for this; if it is gone there is nobody to trace for.
    if ready.send(()).is_err() {
        return Err(thread_error("the runner went away"));
    }
    while !stop.load(Ordering::Relaxed) {
        consumer.work()?;
        thread::sleep(WORK_INTERVAL);
    }
    consumer.stop()?;
    consumer.work()?;
    Ok(SessionOutcome {
        output: consumer.output(),
        aggregations: consumer.aggregations()?,
    })
}
