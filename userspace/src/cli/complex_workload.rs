//! `probecost complex-workload`'s arguments.

use std::path::PathBuf;

use clap::Args;
use probecost_core::probe_set::Mechanism;

use super::MeasuringArgs;
use crate::commands::ComplexWorkloadCommand;

/// How `workload` attaches kprobe sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum KprobeMechanismChoice {
    /// One kprobe perf event per function.
    PerfEvent,
    /// kprobe.multi links.
    Multi,
}

#[derive(Args, Debug)]
pub struct ComplexWorkloadArgs {
    /// Scenarios (comma-separated): 1 to 9 (the talk's), all, or probe sets joined with `+`:
    /// fbt-fs, fbt-fs-occ, fbt-fs-a, fbt-fs-abv, syscall-all, syscall-entry, vfs-all,
    /// vfs-wroc, sched-all, or any attach-scale kind (tracepoint:ext4:*, ...).
    #[arg(long, value_delimiter = ',', default_value = "all")]
    sets: Vec<String>,
    /// Rounds (one untraced run and one run per scenario each), 1 to 1000 (`--runs` is its
    /// old name).
    #[arg(long, visible_alias = "runs", default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1000))]
    rounds: u64,
    /// Source tree of the default command (set up by `cargo xtask setup`).
    #[arg(long, default_value = "target/bench2/libsodium-stable")]
    build_dir: PathBuf,
    /// How kprobe sets attach: one perf event per function (perf-event), or one kprobe.multi
    /// link for all entries and one for all returns (multi).
    #[arg(long, value_enum, default_value_t = KprobeMechanismChoice::PerfEvent)]
    kprobe_mechanism: KprobeMechanismChoice,
    #[command(flatten)]
    measuring: MeasuringArgs,
    /// The command to time (default: `make -j<CPUs> check TESTS=` in --build-dir, after an
    /// untimed `make clean`).
    #[arg(last = true)]
    command: Vec<String>,
}

impl ComplexWorkloadArgs {
    pub fn command(&self) -> ComplexWorkloadCommand {
        ComplexWorkloadCommand {
            sets: self.sets.clone(),
            rounds: self.rounds as usize,
            build_dir: self.build_dir.clone(),
            kprobe_mechanism: match self.kprobe_mechanism {
                KprobeMechanismChoice::PerfEvent => Mechanism::Kprobe,
                KprobeMechanismChoice::Multi => Mechanism::KprobeMulti,
            },
            command: self.command.clone(),
            exports: self.measuring.export.paths(),
            allow_concurrent: self.measuring.allow_concurrent,
        }
    }
}
