//! The workload in a child process, for tracers whose probes need a target process of their
//! own (DTrace's `pid$target`). The child is `probecost workload-child`: it pins itself, runs
//! the same [`PinnedWorkload`] loop as in process, and writes its [`RunSample`] as JSON to a
//! descriptor it inherited, so the parent gets the child's own timing, not process start-up.

pub use crate::workload::sample_report::{decode, encode, ChildReportError};
use crate::workload::{PinnedWorkload, WorkloadError};

/// The hidden subcommand the child runs.
pub const SUBCOMMAND: &str = "workload-child";

/// The child's command line: `exe workload-child --cpu C --ops N --report-fd FD`.
pub fn child_command(exe: &str, cpu: usize, ops: u64, report_fd: i32) -> Vec<String> {
    vec![
        exe.to_string(),
        SUBCOMMAND.to_string(),
        "--cpu".into(),
        cpu.to_string(),
        "--ops".into(),
        ops.to_string(),
        "--report-fd".into(),
        report_fd.to_string(),
    ]
}

/// The child's side: pins to `cpu`, runs `ops` operations and returns the report to write.
pub fn run_in_child(
    cpu: usize,
    ops: u64,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<String, WorkloadError> {
    let workload = PinnedWorkload::new(cpu)?;
    workload.pin()?;
    Ok(encode(&workload.run_here(ops, stop)?))
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn the_child_command_names_its_arguments() {
        assert_eq!(
            child_command("/bin/probecost", 3, 5000, 7).join(" "),
            "/bin/probecost workload-child --cpu 3 --ops 5000 --report-fd 7"
        );
    }
}
