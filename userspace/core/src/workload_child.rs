//! The workload in a process of its own: on Linux every run of the in-process loop (a new
//! process, started before the tracer attaches, so that each run gets its own address-space
//! layout), and on FreeBSD for tracers whose probes need a target process (DTrace's
//! `pid$target`). The child is `probecost workload-child`: it pins itself, runs the same
//! [`PinnedWorkload`] loop as in process, and writes its [`RunSample`] as JSON to a descriptor
//! it inherited, so the parent gets the child's own timing, not process start-up.

pub use crate::workload::child_command::{
    child_command, READY_LINE, SUBCOMMAND, UPROBE_SITES_FLAG, WAIT_FOR_START_FLAG,
};
pub use crate::workload::sample_report::{decode, encode, ChildReportError};
use crate::workload::{PinnedWorkload, WorkloadError};

/// Operations the child runs before it says it is ready, so that its first timed batches do
/// not pay for the loop's first page faults and cold caches.
const WARM_UP_OPS: u64 = 1000;

/// The child's workload: on `cpu` (each operation also calling the uprobe sites when
/// `uprobe_sites`), the calling thread pinned there.
pub fn child_workload(cpu: usize, uprobe_sites: bool) -> Result<PinnedWorkload, WorkloadError> {
    let mut workload = PinnedWorkload::new(cpu)?;
    if uprobe_sites {
        workload = workload.with_uprobe_sites();
    }
    workload.pin()?;
    Ok(workload)
}

/// Warms the child's workload up, untimed (see [`WARM_UP_OPS`]).
pub fn warm_up(
    workload: &PinnedWorkload,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<(), WorkloadError> {
    workload.run_here(WARM_UP_OPS, stop).map(drop)
}

/// The child's run: `ops` operations on the calling thread; returns the report to write.
pub fn run_in_child(
    workload: &PinnedWorkload,
    ops: u64,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<String, WorkloadError> {
    Ok(encode(&workload.run_here(ops, stop)?))
}
