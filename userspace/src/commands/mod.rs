//! The orchestration of each `probecost` subcommand, behind settings structs the command line
//! fills in: check the input, create the result files, take the measurement lock, measure
//! through the platform's backend, then report and export through one pipeline.

mod attach_scale;
mod bpftrace_tools;
mod compare;
mod complex_workload;
mod list;
mod measure;
mod run;
mod workload_child;

use std::path::PathBuf;

pub use attach_scale::{attach_scale, AttachScaleCommand, MechanismChoice};
pub use bpftrace_tools::{bpftrace_tools, BpftraceToolsCommand};
pub use compare::{compare, CompareCommand};
pub use complex_workload::{complex_workload, ComplexWorkloadCommand};
pub use list::list;
pub use measure::{measure, MeasureCommand, MeasuredTool};
pub use run::{run, RunCommand, WorkloadChoice};
pub use workload_child::{workload_child, WorkloadChildCommand};

use probecost_core::{
    cpu,
    error::{Error, Result},
    export::{Exporter, EXPORTERS},
    interrupt,
    measurement_lock::MeasurementLock,
    output_file::OutputFile,
    platform::Platform,
    report::Report,
    workload::PinnedWorkload,
};

/// How a command ended when it did not fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything asked for was measured.
    Completed,
    /// Ctrl-C or SIGTERM cut it short; what was measured before was reported.
    Interrupted,
    /// A regression gate (`compare --fail-if-slower`) found rows slower than allowed.
    Regressed,
}

/// The result files asked for, by format.
#[derive(Clone, Debug, Default)]
pub struct ExportPaths {
    /// `--export-json`.
    pub json: Option<PathBuf>,
    /// `--export-markdown`.
    pub markdown: Option<PathBuf>,
    /// `--export-csv`.
    pub csv: Option<PathBuf>,
    /// `--plot` (SVG).
    pub plot: Option<PathBuf>,
    /// `--export-html`.
    pub html: Option<PathBuf>,
}

impl ExportPaths {
    /// Creates every requested file now, before anything is measured; a path that cannot be
    /// created is one line naming its flag.
    fn create(&self) -> Result<Vec<(OutputFile, &'static dyn Exporter)>> {
        let paths = [
            &self.json,
            &self.markdown,
            &self.csv,
            &self.plot,
            &self.html,
        ];
        let requested: Vec<(&'static str, Option<&PathBuf>, &'static dyn Exporter)> = EXPORTERS
            .iter()
            .zip(paths)
            .map(|((flag, exporter), path)| (*flag, path.as_ref(), *exporter))
            .collect();
        OutputFile::create_all(&requested)
    }
}

/// What every measuring command holds while it measures: its result files, created, and the
/// machine-wide measurement lock.
struct Measuring {
    outputs: Vec<(OutputFile, &'static dyn Exporter)>,
    _lock: Option<MeasurementLock>,
}

impl Measuring {
    /// Checks privileges, creates the result files, takes the lock (unless concurrent
    /// measuring was asked for) and installs the Ctrl-C/SIGTERM handlers, in that order, so
    /// every input problem shows before anything is measured.
    fn begin(
        platform: &dyn Platform,
        exports: &ExportPaths,
        allow_concurrent: bool,
    ) -> Result<Self> {
        platform.check_privileges()?;
        let outputs = exports.create()?;
        let lock = if allow_concurrent {
            None
        } else {
            Some(MeasurementLock::acquire()?)
        };
        interrupt::install().map_err(Error::io("installing the SIGINT/SIGTERM handlers"))?;
        Ok(Self {
            outputs,
            _lock: lock,
        })
    }

    /// Prints the report and writes every result file.
    fn finish(self, report: &dyn Report) -> Result<Outcome> {
        print_and_export(report, self.outputs)?;
        Ok(if report.interrupted() || interrupt::stop_requested() {
            Outcome::Interrupted
        } else {
            Outcome::Completed
        })
    }
}

/// Prints `report` and writes it to every result file. Every export is attempted: one that
/// fails does not stop the others.
fn print_and_export(
    report: &dyn Report,
    outputs: Vec<(OutputFile, &'static dyn Exporter)>,
) -> Result<()> {
    println!();
    print!("{}", report.text());
    let mut failed = Vec::new();
    for (output, exporter) in outputs {
        if let Err(e) = exporter
            .serialize(report)
            .and_then(|bytes| output.write(&bytes))
        {
            failed.push(e.to_string());
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Error::operation(failed.join("; ")))
    }
}

/// The in-process loop on `cpu`, as the measuring commands run it: on Linux each run a new
/// process of this binary (`workload-child`), started before the tracer attaches, so that the
/// rounds sample the address-space layout instead of keeping the invocation's (forked runs
/// where the CPU is emulated: [`PinnedWorkload::in_new_processes`]).
pub fn pinned_workload(cpu: usize) -> Result<PinnedWorkload> {
    let workload = PinnedWorkload::open(cpu)?;
    #[cfg(target_os = "linux")]
    let workload = workload.in_new_processes()?;
    Ok(workload)
}

/// `--cpu`, checked against the CPUs this process may use, or the default.
pub fn workload_cpu(asked: Option<usize>) -> Result<usize> {
    let allowed = cpu::allowed_cpus().map_err(Error::io("reading this process's CPU set"))?;
    match asked {
        Some(cpu) if allowed.contains(&cpu) => Ok(cpu),
        Some(cpu) => Err(Error::Input(format!(
            "--cpu {cpu}: not a CPU this process may use (allowed: {})",
            allowed
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ))),
        None => cpu::default_workload_cpu().map_err(Error::io("finding a CPU for the workload")),
    }
}
