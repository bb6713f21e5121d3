//! `cargo xtask`: set-up, builds, runs and tests of probecost.
//!
//! `setup` installs what this machine kind lacks (idempotently, saying what it does), `run`
//! sets up, builds and runs the Benchmark 1 suite, `test` sets up and runs every test.

mod bench2;
mod bpftrace_tools;
mod module_cycles;
mod setup;
mod vm;

use std::process::{Command, ExitCode};

use anyhow::{bail, Context as _, Result};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Installs whatever is missing: LLVM 22, bpf-linker 0.13, nightly's rust-src, bpftool,
    /// bpftrace, QEMU and busybox (for the guests), the FreeBSD target, and Benchmark 2's build
    /// tree (libsodium, from crates.io).
    Setup,
    /// Builds the probecost binary (release), eBPF programs included.
    Build,
    /// Sets up, builds and runs the main suite; extra arguments go to `probecost run`.
    Run {
        /// Arguments for `probecost run` (default: the whole suite with both tracers, every
        /// export to target/probecost.{json,md,csv,svg}).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Sets up and runs every test: the import-cycle check, clippy, unit and integration tests (the guest tests on
    /// Debian's 6.1 and 6.12 kernels in QEMU among them), the FreeBSD check.
    Test,
    /// Boots kernels in QEMU and runs probecost inside; results land in target/vm/<kernel>/.
    Vm(vm::VmArgs),
    /// Type-checks and lints the crates that build on FreeBSD for x86_64-unknown-freebsd.
    CheckFreebsd,
    /// Measures every bpftrace tool in /usr/sbin (`probecost bpftrace-tools`), each with a
    /// workload that fires its probes, here or in a guest kernel; the ranked table goes to
    /// target/bpftrace-tools[-KERNEL].md.
    BpftraceTools(bpftrace_tools::BpftraceToolsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Task::Setup => setup::run().map(|()| ExitCode::SUCCESS),
        Task::Build => setup::run()
            .and_then(|()| build())
            .map(|()| ExitCode::SUCCESS),
        Task::Run { args } => setup::run()
            .and_then(|()| build())
            .and_then(|()| run(args))
            .map(|()| ExitCode::SUCCESS),
        Task::Test => setup::run()
            .and_then(|()| test())
            .map(|()| ExitCode::SUCCESS),
        Task::Vm(args) => setup::run()
            .and_then(|()| build())
            .and_then(|()| vm::run(args)),
        Task::BpftraceTools(args) => setup::run()
            .and_then(|()| build())
            .and_then(|()| bpftrace_tools::run(&args))
            .map(|()| ExitCode::SUCCESS),
        Task::CheckFreebsd => setup::freebsd_target()
            .and_then(|()| check_freebsd())
            .map(|()| ExitCode::SUCCESS),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Runs `program args`, failing with its exit status.
pub fn run_command(program: &str, args: &[&str]) -> Result<()> {
    run_command_with_env(program, args, &[])
}

/// Runs `program args` with `env` added to its environment.
pub fn run_command_with_env(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    eprintln!("xtask: $ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .status()
        .with_context(|| format!("starting {program}"))?;
    if !status.success() {
        bail!("`{program} {}` failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Builds the release probecost binary, the one the guests run.
fn build() -> Result<()> {
    run_command("cargo", &["build", "--release", "--package", "probecost"])
}

fn run(args: Vec<String>) -> Result<()> {
    let mut full = vec!["run".to_string()];
    if args.is_empty() {
        // The main suite: probecost's Rust and C programs beside bpftrace's, every output
        // format. Each row gets rounds until its interval is within ±2 %, as long as the
        // budget lasts: a calm machine finishes early, a restless one stops at the budget with
        // the precision it reached, instead of running every row to the maximum.
        full.extend(
            [
                "--tracer",
                "aya,libbpf,bpftrace",
                "--target-ci",
                "2",
                "--max-rounds",
                "100",
                "--max-time",
                "270",
                "--export-json",
                "target/probecost.json",
                "--export-markdown",
                "target/probecost.md",
                "--export-csv",
                "target/probecost.csv",
                "--plot",
                "target/probecost.svg",
                "--export-html",
                "target/probecost.html",
            ]
            .map(String::from),
        );
    }
    full.extend(args);
    let full: Vec<&str> = full.iter().map(String::as_str).collect();
    run_command("target/release/probecost", &full)
}

fn test() -> Result<()> {
    module_cycles::check_workspace(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))?;
    run_command(
        "cargo",
        &["clippy", "--all-targets", "--", "-D", "warnings"],
    )?;
    // Integration tests load programs into the one kernel: run test binaries' tests one at a
    // time so no test sees another's probes.
    // The CLI tests run the binary, which `cargo test` of the test crate does not build; the
    // guest tests (tests/vm.rs) run the release build inside Debian's kernels in QEMU.
    run_command("cargo", &["build", "--package", "probecost", "--bins"])?;
    build()?;
    run_command("cargo", &["test", "--", "--test-threads=1"])?;
    check_freebsd()
}

pub const FREEBSD_TARGET: &str = "x86_64-unknown-freebsd";
const FREEBSD_CRATES: [&str; 4] = [
    "freebsd-dtrace",
    "probecost-core",
    "probecost-freebsd",
    "probecost",
];

fn check_freebsd() -> Result<()> {
    for krate in FREEBSD_CRATES {
        run_command(
            "cargo",
            &[
                "clippy",
                "--package",
                krate,
                "--all-targets",
                "--target",
                FREEBSD_TARGET,
                "--",
                "-D",
                "warnings",
            ],
        )?;
    }
    eprintln!(
        "xtask: FreeBSD crates type-check and lint clean for {FREEBSD_TARGET} (built, not run)"
    );
    Ok(())
}
