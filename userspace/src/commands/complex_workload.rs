//! `probecost complex-workload`: Benchmark 2, a complex command timed untraced and under scenario sets
//! of many counting probes.

use std::path::PathBuf;

use super::{ExportPaths, Measuring, Outcome};
use probecost_core::{
    complex_workload::{self, parse_scenarios, ComplexWorkload, TimedCommand, WorkloadReport},
    cpu,
    environment::Environment,
    error::{Error, Result},
    interrupt,
    platform::Platform,
    probe_set::Mechanism,
    tracer::AYA_VERSION,
};

/// What `probecost complex-workload` measures.
#[derive(Clone, Debug)]
pub struct ComplexWorkloadCommand {
    /// Scenarios: talk numbers, `all`, or sets joined with `+`.
    pub sets: Vec<String>,
    /// Rounds.
    pub rounds: usize,
    /// Source tree of the default command.
    pub build_dir: PathBuf,
    /// How kprobe sets attach: [`Mechanism::Kprobe`] or [`Mechanism::KprobeMulti`].
    pub kprobe_mechanism: Mechanism,
    /// The command to time (the default build when empty).
    pub command: Vec<String>,
    /// Result files.
    pub exports: ExportPaths,
    /// Measure even while another probecost measures.
    pub allow_concurrent: bool,
}

impl ComplexWorkloadCommand {
    /// The command to time: the one given, or libsodium's parallel build after an untimed
    /// `make clean`.
    fn timed_command(&self) -> Result<TimedCommand> {
        if !self.command.is_empty() {
            return Ok(TimedCommand {
                command: self.command.clone(),
                reset: None,
                dir: std::env::current_dir().map_err(Error::io("reading the current directory"))?,
            });
        }
        if !self.build_dir.join("Makefile").exists() {
            return Err(Error::Input(format!(
                "the default workload (libsodium's build) is not set up in {}: run `cargo xtask \
                 setup` from the repository root, or give a command after `--`",
                self.build_dir.display()
            )));
        }
        let cpus = cpu::allowed_cpus()
            .map_err(Error::io("reading this process's CPU set"))?
            .len()
            .max(1);
        Ok(TimedCommand {
            command: ["make", &format!("-j{cpus}"), "check", "TESTS="]
                .map(String::from)
                .to_vec(),
            reset: Some(vec!["make".into(), "clean".into()]),
            dir: self.build_dir.clone(),
        })
    }
}

/// Measures, prints the table and writes the result files.
pub fn complex_workload(
    platform: &dyn Platform,
    command: &ComplexWorkloadCommand,
) -> Result<Outcome> {
    let scenarios = parse_scenarios(&command.sets)?;
    let timed = command.timed_command()?;
    let mut backend = platform.complex_workload()?;
    let measuring = Measuring::begin(platform, &command.exports, command.allow_concurrent)?;
    // Every set is resolved, attached and detached once before anything is timed.
    let sets = backend.prepare(&scenarios, &timed.dir, command.kprobe_mechanism)?;
    let scenarios: Vec<_> = scenarios.into_iter().map(|s| s.name).zip(sets).collect();
    // The build runs on every CPU: nothing is pinned.
    let environment = Environment::probe(
        None,
        vec![format!("probecost counting programs ({AYA_VERSION})")],
    );
    eprintln!(
        "timing `{}` in {}",
        timed.command.join(" "),
        timed.dir.display()
    );
    let results = complex_workload::measure(
        backend.as_mut(),
        &timed,
        &scenarios,
        command.rounds,
        interrupt::stop_flag(),
        &mut |name, s| eprintln!("  {name:<28} {s:.2} s"),
    )?;
    let report = WorkloadReport {
        environment,
        interrupted: interrupt::stop_requested(),
        findings: ComplexWorkload {
            command: timed.command.clone(),
            results,
        },
    };
    measuring.finish(&report)
}
