//! `probecost workload-child` (hidden): the workload in a process of its own, for tracers
//! whose probes need a target process (DTrace's `pid$target`).

use std::{fs::File, io::Write as _, os::fd::FromRawFd as _};

use super::Outcome;
use probecost_core::{
    error::{Error, Result},
    interrupt,
    workload::WorkloadError,
    workload_child::run_in_child,
};

/// What the parent asked the child to run.
#[derive(Clone, Copy, Debug)]
pub struct WorkloadChildCommand {
    /// CPU to pin to.
    pub cpu: usize,
    /// Operations to run.
    pub ops: u64,
    /// Inherited descriptor to write the report to.
    pub report_fd: i32,
}

/// Runs the workload and writes its report to the inherited descriptor.
pub fn workload_child(command: WorkloadChildCommand) -> Result<Outcome> {
    if command.report_fd < 3 {
        return Err(Error::Input(format!(
            "--report-fd {} is not an inherited pipe",
            command.report_fd
        )));
    }
    interrupt::install().map_err(Error::io("installing the SIGINT/SIGTERM handlers"))?;
    // SAFETY: the parent passed this inherited descriptor for this process to own.
    let mut report = unsafe { File::from_raw_fd(command.report_fd) };
    match run_in_child(command.cpu, command.ops, interrupt::stop_flag()) {
        Ok(text) => {
            report
                .write_all(text.as_bytes())
                .map_err(Error::io("writing the workload report"))?;
            Ok(Outcome::Completed)
        }
        Err(WorkloadError::Interrupted) => Ok(Outcome::Interrupted),
        Err(WorkloadError::Io(e)) => Err(Error::io(format!(
            "running the workload on CPU {}",
            command.cpu
        ))(e)),
    }
}
