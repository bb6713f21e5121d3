//! The workload in a process of its own: on Linux every run of the in-process loop (each in a
//! new process, so that each run gets its own address-space layout), and on FreeBSD for
//! tracers whose probes need a target process (DTrace's `pid$target`). The child is
//! `probecost workload-child`: it pins itself, runs the same [`PinnedWorkload`] loop as in
//! process, and writes its [`RunSample`] as JSON to a descriptor it inherited, so the parent
//! gets the child's own timing, not process start-up.

pub use crate::workload::child_command::{child_command, SUBCOMMAND, UPROBE_SITES_FLAG};
pub use crate::workload::sample_report::{decode, encode, ChildReportError};
use crate::workload::{PinnedWorkload, WorkloadError};

/// The child's side: pins to `cpu`, runs `ops` operations (each also calling the uprobe sites
/// when `uprobe_sites`) and returns the report to write.
pub fn run_in_child(
    cpu: usize,
    ops: u64,
    uprobe_sites: bool,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<String, WorkloadError> {
    let mut workload = PinnedWorkload::new(cpu)?;
    if uprobe_sites {
        workload = workload.with_uprobe_sites();
    }
    workload.pin()?;
    Ok(encode(&workload.run_here(ops, stop)?))
}
