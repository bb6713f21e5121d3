//! `probecost workload-child` (hidden): the workload in a process of its own. On Linux every
//! run of the in-process loop is one, started and made ready before the tracer attaches
//! (`--wait-for-start`); on FreeBSD it is the target process of DTrace's `pid$target`.

use std::{
    fs::File,
    io::{self, Read as _, Write as _},
    os::fd::FromRawFd as _,
};

use super::Outcome;
use probecost_core::{
    error::{Error, Result},
    interrupt,
    workload::WorkloadError,
    workload_child::{child_workload, run_in_child, warm_up, READY_LINE},
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
    /// Each operation also calls probecost's uprobe sites.
    pub uprobe_sites: bool,
    /// Get ready, say so on the report, and run only once a byte arrives on standard input.
    pub wait_for_start: bool,
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
    let stop = interrupt::stop_flag();
    let outcome = child_workload(command.cpu, command.uprobe_sites).and_then(|workload| {
        if command.wait_for_start {
            warm_up(&workload, stop)?;
            report.write_all(READY_LINE.as_bytes())?;
            if !started()? {
                return Ok(None);
            }
        }
        run_in_child(&workload, command.ops, stop).map(Some)
    });
    match outcome {
        Ok(Some(text)) => {
            report
                .write_all(text.as_bytes())
                .map_err(Error::io("writing the workload report"))?;
            Ok(Outcome::Completed)
        }
        // The parent closed standard input without a start: it wants no run.
        Ok(None) => Ok(Outcome::Completed),
        Err(WorkloadError::Interrupted) => Ok(Outcome::Interrupted),
        Err(WorkloadError::Io(e)) => Err(Error::io(format!(
            "running the workload on CPU {}",
            command.cpu
        ))(e)),
    }
}

/// Waits for the parent's start: true on a byte, false on end of file.
fn started() -> io::Result<bool> {
    let mut byte = [0u8];
    loop {
        match io::stdin().lock().read(&mut byte) {
            Ok(n) => return Ok(n == 1),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}
