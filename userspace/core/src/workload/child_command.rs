//! The command line of `probecost workload-child`, the workload in a process of its own
//! ([`crate::workload_child`] is the child's side).

/// The hidden subcommand the child runs.
pub const SUBCOMMAND: &str = "workload-child";

/// The flag that makes each of the child's operations call probecost's uprobe sites too.
pub const UPROBE_SITES_FLAG: &str = "--uprobe-sites";

/// The flag that makes the child get ready, say so with [`READY_LINE`] on its report, and
/// wait for one byte on its standard input before its run (no byte, only end of file: no
/// run).
pub const WAIT_FOR_START_FLAG: &str = "--wait-for-start";

/// What a child started with [`WAIT_FOR_START_FLAG`] writes to its report once it is ready.
pub const READY_LINE: &str = "ready\n";

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
