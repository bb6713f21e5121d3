//! A parked thread that lives as long as the DTrace backend, through control runs and traced
//! runs alike.
//!
//! Each traced run's DTrace consumer runs on a thread of probecost's process. A kernel that
//! takes a shortcut for single-threaded processes on every file-descriptor lookup (Linux's
//! `fdget`, see docs/methodology.md; FreeBSD's `fget` has a fast path of the same kind)
//! would then charge the lost shortcut to DTrace if
//! the process were single-threaded during control runs only. With this thread alive for the
//! whole benchmark, both sides of every comparison run multi-threaded, and the difference is
//! DTrace's own.

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    thread::{self, JoinHandle},
};

/// The parked thread; dropping it wakes and joins it.
pub struct CompanionThread {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl CompanionThread {
    /// Starts the thread, pinned off `workload_cpu` where another CPU is allowed.
    pub fn start(workload_cpu: usize) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = Arc::clone(&stop);
        let handle = thread::Builder::new()
            .name("probecost-companion".into())
            .spawn(move || {
                let other = probecost_core::cpu::other_cpus(workload_cpu)
                    .ok()
                    .and_then(|cpus| cpus.first().copied());
                if let Some(cpu) = other {
                    let _ = probecost_core::cpu::pin_current_thread(cpu);
                }
                while !thread_stop.load(Ordering::Acquire) {
                    thread::park();
                }
            })?;
        Ok(Self {
            stop,
            handle: Some(handle),
        })
    }
}

impl Drop for CompanionThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(handle) = self.handle.take() {
            handle.thread().unpark();
            let _ = handle.join();
        }
    }
}
