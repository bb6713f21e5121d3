//! The `probecost` command line. Errors end here as one line and a non-zero exit.

use std::{path::PathBuf, process::ExitCode};

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};
use probecost::scenario::{Scenario, ScenarioCatalog};

/// Measures what tracing costs, in nanoseconds per event.
#[derive(Parser, Debug)]
#[command(name = "probecost", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs the Benchmark 1 scenarios and prints the per-event cost table.
    Run(RunArgs),
    /// Lists every scenario, its attach point and whether this kernel supports it.
    List,
    /// Runs the workload in this process and reports its timing on a descriptor (used by
    /// tracers that trace a process of their own, like DTrace's pid provider).
    #[command(name = "workload-child", hide = true)]
    WorkloadChild(WorkloadChildArgs),
}

#[derive(clap::Args, Debug)]
struct WorkloadChildArgs {
    /// CPU to pin to.
    #[arg(long)]
    cpu: usize,
    /// Operations to run.
    #[arg(long)]
    ops: u64,
    /// Inherited descriptor to write the report to.
    #[arg(long)]
    report_fd: i32,
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Scenarios to run (comma-separated); all by default.
    #[arg(long, value_delimiter = ',')]
    scenario: Vec<String>,
    /// Control/traced run pairs per scenario.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..))]
    runs: u64,
    /// Workload operations per run (default: sized so a traced run lasts --run-time-ms).
    #[arg(long)]
    ops: Option<u64>,
    /// Target duration of a traced run, in milliseconds, when --ops is not given.
    #[arg(long, default_value_t = 450)]
    run_time_ms: u64,
    /// CPU to pin the workload to (default: the last one this process may use).
    #[arg(long)]
    cpu: Option<usize>,
    /// Skips the verification run with kernel BPF statistics.
    #[arg(long)]
    no_verify: bool,
    /// Writes the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    export_json: Option<PathBuf>,
    /// Where per-event scenarios write their formatted lines.
    #[arg(long, value_name = "FILE", default_value = "/dev/null")]
    per_event_sink: PathBuf,
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("probecost: internal error: {info}");
    }));
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::List => platform::list(),
        Command::WorkloadChild(args) => workload_child(args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("probecost: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn selected_scenarios(names: &[String]) -> Result<Vec<&'static Scenario>> {
    let catalog = ScenarioCatalog;
    if names.is_empty() {
        return Ok(catalog.all().iter().collect());
    }
    catalog.select(names).map_err(|unknown| {
        anyhow::anyhow!(
            "unknown scenario {}; valid scenarios: {}",
            unknown
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", "),
            catalog.names()
        )
    })
}

fn run(args: RunArgs) -> Result<ExitCode> {
    use std::time::Duration;

    use probecost::{
        benchmark::{run_suite, BenchmarkSettings},
        environment::Environment,
        export::{Exporter, JsonExporter},
        interrupt,
        report::{render_environment, render_table},
        result::SuiteReport,
        workload::PinnedWorkload,
    };

    let scenarios = selected_scenarios(&args.scenario)?;
    platform::check_privileges().map_err(anyhow::Error::msg)?;
    interrupt::install().context("installing the SIGINT/SIGTERM handlers")?;

    let cpu = match args.cpu {
        Some(cpu) => cpu,
        None => probecost::cpu::default_workload_cpu().context("finding a CPU for the workload")?,
    };
    let workload = PinnedWorkload::new(cpu).context("opening /dev/zero and /dev/null")?;
    workload
        .pin()
        .with_context(|| format!("pinning the workload to CPU {cpu} (see --cpu)"))?;

    let mut backend = platform::backend(&args, cpu)?;
    let environment = Environment::probe(cpu, backend.tracer());
    print!("{}", render_environment(&environment));

    let settings = BenchmarkSettings {
        runs: args.runs as usize,
        ops: args.ops,
        run_time: Duration::from_millis(args.run_time_ms),
        verify: !args.no_verify,
        ..BenchmarkSettings::default()
    };
    let total = scenarios.len();
    let mut done = 0;
    let results = run_suite(
        backend.as_mut(),
        &scenarios,
        &workload,
        &settings,
        interrupt::stop_flag(),
        &mut |result, took| {
            done += 1;
            eprintln!(
                "[{done}/{total}] {:<17} {:<11} {:>8} ns/event  ({:.1} s)",
                result.name,
                format!("{:?}", result.status).to_lowercase(),
                result
                    .per_event_ns
                    .map_or("-".into(), |v| format!("{v:.1}")),
                took.as_secs_f64()
            );
        },
    )?;
    let interrupted = interrupt::stop_requested() || results.iter().any(|r| r.interrupted);
    let report = SuiteReport {
        environment,
        runs_requested: settings.runs,
        interrupted,
        scenarios: results,
    };
    println!();
    print!("{}", render_table(&report.scenarios));
    if let Some(path) = &args.export_json {
        let bytes = JsonExporter
            .serialize(&report)
            .map_err(anyhow::Error::msg)?;
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    if interrupted {
        eprintln!("probecost: interrupted: the table shows what was measured before the signal");
        return Ok(ExitCode::from(130));
    }
    Ok(ExitCode::SUCCESS)
}

fn workload_child(args: WorkloadChildArgs) -> Result<ExitCode> {
    use std::{fs::File, io::Write as _, os::fd::FromRawFd as _};

    use probecost::{interrupt, workload::WorkloadError, workload_child};

    if args.report_fd < 3 {
        anyhow::bail!("--report-fd {} is not an inherited pipe", args.report_fd);
    }
    interrupt::install().context("installing the SIGINT/SIGTERM handlers")?;
    // SAFETY: the parent passed this inherited descriptor for this process to own.
    let mut report = unsafe { File::from_raw_fd(args.report_fd) };
    match workload_child::run_in_child(args.cpu, args.ops, interrupt::stop_flag()) {
        Ok(text) => {
            report
                .write_all(text.as_bytes())
                .context("writing the workload report")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(WorkloadError::Interrupted) => Ok(ExitCode::from(130)),
        Err(e) => Err(e).context(format!("running the workload on CPU {}", args.cpu)),
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use std::process::ExitCode;

    use anyhow::Result;
    use probecost::{
        benchmark::TracerBackend,
        linux::{plan, AyaBackend, DrainSettings, KernelFeatures},
        scenario::ScenarioCatalog,
    };

    pub use probecost::linux::check_privileges;

    pub fn backend(args: &super::RunArgs, cpu: usize) -> Result<Box<dyn TracerBackend>> {
        Ok(Box::new(AyaBackend::new(DrainSettings {
            sink: args.per_event_sink.clone(),
            workload_cpu: cpu,
        })))
    }

    pub fn list() -> Result<ExitCode> {
        let privileged = check_privileges();
        if let Err(why) = &privileged {
            println!("note: {why}; fentry support cannot be probed without it");
        }
        let features = KernelFeatures::detect();
        println!(
            "{:>3}  {:<17} {:<62} this kernel",
            "row", "scenario", "attach point (talk)"
        );
        for s in ScenarioCatalog.all() {
            let support = if s.is_control() {
                "yes".to_string()
            } else {
                match plan(&features, s) {
                    Ok((kind, passed)) if passed.is_empty() => {
                        format!("yes ({})", s.attach_points(kind))
                    }
                    Ok((kind, passed)) => format!(
                        "substituted: {} ({})",
                        s.attach_points(kind),
                        passed.join("; ")
                    ),
                    Err(reasons) => format!("unsupported: {}", reasons.join("; ")),
                }
            };
            println!(
                "{:>3}  {:<17} {:<62} {}",
                s.row.map_or("+".into(), |r| r.to_string()),
                s.name,
                s.talk_attach_points(),
                support
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(target_os = "freebsd")]
mod platform {
    use std::process::ExitCode;

    use anyhow::Result;
    use freebsd_dtrace::ConsumerOptions;
    use probecost::{
        benchmark::TracerBackend,
        freebsd::{kernel_providers, missing_providers, DtraceBackend, DtraceSettings},
        scenario::ScenarioCatalog,
    };

    pub use probecost::freebsd::check_privileges;

    pub fn backend(args: &super::RunArgs, cpu: usize) -> Result<Box<dyn TracerBackend>> {
        Ok(Box::new(DtraceBackend::new(DtraceSettings {
            sink: args.per_event_sink.clone(),
            workload_cpu: cpu,
            options: ConsumerOptions::default(),
        })?))
    }

    pub fn list() -> Result<ExitCode> {
        check_privileges().map_err(anyhow::Error::msg)?;
        let providers = kernel_providers(&ConsumerOptions::default())?;
        println!(
            "providers: {}",
            providers.iter().cloned().collect::<Vec<_>>().join(", ")
        );
        println!(
            "{:>3}  {:<17} {:<62} this kernel",
            "row", "scenario", "D probes"
        );
        for s in ScenarioCatalog.all() {
            let support = match missing_providers(s, &providers) {
                None => "yes".to_string(),
                Some(reason) => format!("unsupported: {reason}"),
            };
            println!(
                "{:>3}  {:<17} {:<62} {}",
                s.row.map_or("+".into(), |r| r.to_string()),
                s.name,
                s.dtrace_probes().join(" + "),
                support
            );
        }
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd")))]
mod platform {
    use std::process::ExitCode;

    use anyhow::{bail, Result};
    use probecost::benchmark::TracerBackend;

    pub fn check_privileges() -> Result<(), String> {
        Ok(())
    }

    pub fn backend(_args: &super::RunArgs, _cpu: usize) -> Result<Box<dyn TracerBackend>> {
        bail!(
            "probecost runs on Linux (eBPF) and FreeBSD (DTrace), not {}",
            std::env::consts::OS
        )
    }

    pub fn list() -> Result<ExitCode> {
        bail!(
            "probecost runs on Linux (eBPF) and FreeBSD (DTrace), not {}",
            std::env::consts::OS
        )
    }
}
