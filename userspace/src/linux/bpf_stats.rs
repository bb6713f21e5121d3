//! Kernel BPF run-time statistics (BPF_ENABLE_STATS): while the returned descriptor is open the
//! kernel times every program run, which costs two clock reads per event. probecost turns them
//! on only for the verification run, never while timing.

use std::os::fd::OwnedFd;

use aya::sys::{enable_stats, Stats};

use crate::benchmark::BackendError;

/// Turns run-time statistics on until the returned descriptor is dropped.
pub fn enable() -> Result<OwnedFd, BackendError> {
    enable_stats(Stats::RunTime).map_err(|e| BackendError::Read {
        what: "BPF statistics (BPF_ENABLE_STATS)".into(),
        error: super::programs::error_chain(&e),
    })
}
