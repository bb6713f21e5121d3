//! The `probecost` command line. Errors end here as one line and a non-zero exit.

use std::{path::PathBuf, process::ExitCode};

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};
use probecost::{
    measurement_lock::MeasurementLock,
    output_file::OutputFile,
    scenario::{Scenario, ScenarioCatalog},
};

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
    /// Times attaching and detaching N probes of one kind, for each count and tracer.
    AttachScale(AttachScaleArgs),
    /// Times a complex command untraced and under many-probe scenario sets (Benchmark 2).
    Workload(WorkloadArgs),
    /// Runs the workload in this process and reports its timing on a descriptor (used by
    /// tracers that trace a process of their own, like DTrace's pid provider).
    #[command(name = "workload-child", hide = true)]
    WorkloadChild(WorkloadChildArgs),
}

#[derive(clap::Args, Debug)]
struct AttachScaleArgs {
    /// The probe set: syscalls, syscalls-entry, tracepoint:CATEGORY:NAME (globs, e.g.
    /// tracepoint:sched:*), uprobe-libc, kprobe:GLOB, fentry:GLOB.
    #[arg(long)]
    kind: String,
    /// Probe counts to time (comma-separated); `all` is the whole set.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100,all")]
    counts: Vec<String>,
    /// How the probes attach: perf-event (one perf event per tracepoint, bpftrace's way), raw
    /// (raw tracepoints; for syscalls the two raw_syscalls tracepoints and a per-syscall map),
    /// or multi (kprobe sets: one kprobe.multi link for all entries and one for all returns).
    /// Default: perf-event for tracepoints, one perf event per function for kprobes.
    #[arg(long, value_enum)]
    mechanism: Option<MechanismChoice>,
    /// Tracers (comma-separated): aya (probecost's counting programs), bpftrace.
    #[arg(long, value_delimiter = ',', value_enum, default_value = "aya")]
    tracer: Vec<TracerChoice>,
    /// Repetitions per count (the median is reported).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    repeat: u64,
    /// How long the probes stay attached and counting in each repetition, ms.
    #[arg(long, default_value_t = 200)]
    window_ms: u64,
    /// Skips the per-event comparison of the two syscall mechanisms (syscall sets only).
    #[arg(long)]
    no_trade: bool,
    /// CPU for the comparison's workload (default: the last one this process may use).
    #[arg(long)]
    cpu: Option<usize>,
    /// Writes the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    export_json: Option<PathBuf>,
    /// Draws attach and detach time against probe count (log-log) to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// Measures even while another probecost measures on this machine.
    #[arg(long)]
    allow_concurrent: bool,
}

#[derive(clap::Args, Debug)]
struct WorkloadArgs {
    /// Scenarios (comma-separated): 1 to 9 (the talk's), all, or probe sets joined with `+`:
    /// fbt-fs, fbt-fs-occ, fbt-fs-a, fbt-fs-abv, syscall-all, syscall-entry, vfs-all,
    /// vfs-wroc, sched-all, or any attach-scale kind (tracepoint:ext4:*, ...).
    #[arg(long, value_delimiter = ',', default_value = "all")]
    sets: Vec<String>,
    /// Rounds (one untraced run and one run per scenario each).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    runs: u64,
    /// Source tree of the default command (set up by `cargo xtask setup`).
    #[arg(long, default_value = "target/bench2/libsodium-stable")]
    build_dir: PathBuf,
    /// How kprobe sets attach: one perf event per function (perf-event), or one kprobe.multi
    /// link for all entries and one for all returns (multi).
    #[arg(long, value_enum, default_value_t = KprobeMechanismChoice::PerfEvent)]
    kprobe_mechanism: KprobeMechanismChoice,
    /// Writes the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    export_json: Option<PathBuf>,
    /// Measures even while another probecost measures on this machine.
    #[arg(long)]
    allow_concurrent: bool,
    /// The command to time (default: `make -j<CPUs> check TESTS=` in --build-dir, after an
    /// untimed `make clean`).
    #[arg(last = true)]
    command: Vec<String>,
}

/// A mechanism `--mechanism` can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum MechanismChoice {
    /// One perf event per tracepoint.
    PerfEvent,
    /// Raw tracepoints (raw_syscalls for syscall sets).
    Raw,
    /// kprobe.multi links (kprobe sets).
    Multi,
}

/// How `workload` attaches kprobe sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum KprobeMechanismChoice {
    /// One kprobe perf event per function.
    PerfEvent,
    /// kprobe.multi links.
    Multi,
}

/// A tracer `--tracer` can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum TracerChoice {
    /// probecost's own eBPF programs, loaded with aya (Linux).
    Aya,
    /// bpftrace scripts on the same attach points (Linux).
    Bpftrace,
    /// D programs through libdtrace (FreeBSD).
    Dtrace,
}

/// A workload `--workload` can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum WorkloadChoice {
    /// The in-process loop, timed in batches.
    InProcess,
    /// The real dd, one process per run.
    Dd,
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
    /// Control/traced run pairs per scenario (1 to 1000).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..=1000))]
    runs: u64,
    /// Workload operations per run, at least 1000 (default: sized so a traced run lasts
    /// --run-time-ms).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1000..=1_000_000_000_000))]
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
    /// Tracers to compare (comma-separated): aya (probecost's own eBPF programs) and bpftrace
    /// on Linux, dtrace on FreeBSD. Default: aya on Linux, dtrace on FreeBSD.
    #[arg(long, value_delimiter = ',', value_enum)]
    tracer: Vec<TracerChoice>,
    /// What is timed: the in-process dd-style loop (timed in batches), or the real
    /// `dd if=/dev/zero of=/dev/null bs=1 count=N` timed as a whole process (the talk's method).
    #[arg(long, value_enum, default_value_t = WorkloadChoice::InProcess)]
    workload: WorkloadChoice,
    /// Writes the report as JSON to this file.
    #[arg(long, value_name = "FILE")]
    export_json: Option<PathBuf>,
    /// Writes the summary table as Markdown to this file.
    #[arg(long, value_name = "FILE")]
    export_markdown: Option<PathBuf>,
    /// Writes one CSV line per scenario and tracer to this file.
    #[arg(long, value_name = "FILE")]
    export_csv: Option<PathBuf>,
    /// Draws a bar chart of per-event cost per scenario and tracer, with the published figures
    /// as hollow bars, to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// Where per-event scenarios write their formatted lines.
    #[arg(long, value_name = "FILE", default_value = "/dev/null")]
    per_event_sink: PathBuf,
    /// Measures even while another probecost measures on this machine (their numbers will
    /// disturb each other).
    #[arg(long)]
    allow_concurrent: bool,
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        if is_closed_stdout(info) {
            // The reader went away (`probecost list | head -1`): nothing more to say to it.
            // Programs and links are held by descriptors, so exiting here leaves nothing.
            std::process::exit(0);
        }
        eprintln!("probecost: internal error: {info}");
    }));
    let cli = Cli::parse();
    #[cfg(target_os = "linux")]
    probecost::linux::raise_open_file_limit();
    let outcome = match cli.command {
        Command::Run(args) => run(args),
        Command::List => platform::list(),
        Command::WorkloadChild(args) => workload_child(args),
        Command::AttachScale(args) => platform::attach_scale(args),
        Command::Workload(args) => platform::workload(args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("probecost: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether a panic is `print!` failing because standard output's reader has gone.
fn is_closed_stdout(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let message = info
        .payload()
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| info.payload().downcast_ref::<&str>().copied())
        .unwrap_or_default();
    message.starts_with("failed printing to stdout") && message.contains("Broken pipe")
}

fn selected_scenarios(names: &[String]) -> Result<Vec<&'static Scenario>> {
    let catalog = ScenarioCatalog;
    if names.is_empty() {
        return Ok(catalog.all().iter().collect());
    }
    if names.iter().all(|n| n.trim().is_empty()) {
        anyhow::bail!(
            "--scenario needs at least one name; valid scenarios: {}",
            catalog.names()
        );
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
        export::{CsvExporter, Exporter, JsonExporter, MarkdownExporter, SvgPlotExporter},
        interrupt,
        report::{render_environment, render_table},
        result::SuiteReport,
        workload::{DdProcess, PinnedWorkload, Workload},
    };

    let scenarios = selected_scenarios(&args.scenario)?;
    let cpu = workload_cpu(args.cpu)?;
    platform::check_privileges().map_err(anyhow::Error::msg)?;
    let outputs = OutputFile::create_all::<&dyn Exporter>(&[
        ("--export-json", args.export_json.as_ref(), &JsonExporter),
        (
            "--export-markdown",
            args.export_markdown.as_ref(),
            &MarkdownExporter,
        ),
        ("--export-csv", args.export_csv.as_ref(), &CsvExporter),
        ("--plot", args.plot.as_ref(), &SvgPlotExporter),
    ])
    .map_err(anyhow::Error::msg)?;
    let _lock = measurement_lock(args.allow_concurrent)?;
    interrupt::install().context("installing the SIGINT/SIGTERM handlers")?;

    let workload: Box<dyn Workload> = match args.workload {
        WorkloadChoice::InProcess => {
            let workload = PinnedWorkload::new(cpu).context("opening /dev/zero and /dev/null")?;
            workload
                .pin()
                .with_context(|| format!("pinning the workload to CPU {cpu} (see --cpu)"))?;
            Box::new(workload)
        }
        WorkloadChoice::Dd => Box::new(DdProcess::new(cpu)?),
    };

    let tracers = if args.tracer.is_empty() {
        vec![platform::NATIVE_TRACER]
    } else {
        args.tracer.clone()
    };
    let mut backends = platform::backends(&args, &tracers, cpu)?;
    let environment = Environment::probe(cpu, backends.iter().map(|b| b.tracer()).collect());
    print!("{}", render_environment(&environment));
    println!("workload: {}", workload.description());

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
        &mut backends,
        &scenarios,
        workload.as_ref(),
        &settings,
        interrupt::stop_flag(),
        &mut |result, took| {
            done += 1;
            let costs: Vec<String> = result
                .tracers
                .iter()
                .map(|t| {
                    format!(
                        "{} {} ({})",
                        t.tracer,
                        t.per_event_ns
                            .map_or("-".into(), |v| format!("{v:.1} ns/event")),
                        format!("{:?}", t.status).to_lowercase()
                    )
                })
                .collect();
            eprintln!(
                "[{done}/{total}] {:<17} {}  ({:.1} s)",
                result.name,
                costs.join(", "),
                took.as_secs_f64()
            );
        },
    )?;
    let interrupted = interrupt::stop_requested() || results.iter().any(|r| r.interrupted);
    let report = SuiteReport {
        environment,
        runs_requested: settings.runs,
        interrupted,
        workload: workload.description(),
        scenarios: results,
    };
    println!();
    print!("{}", render_table(&report.scenarios));
    // Every export is attempted: one that fails does not stop the others.
    let mut failed = Vec::new();
    for (output, exporter) in outputs {
        let written = exporter
            .serialize(&report)
            .and_then(|bytes| output.write(&bytes));
        if let Err(e) = written {
            failed.push(e);
        }
    }
    if !failed.is_empty() {
        anyhow::bail!("{}", failed.join("; "));
    }
    Ok(exit_code(interrupted))
}

/// 130 after Ctrl-C or SIGTERM (saying that the output is partial), success otherwise.
fn exit_code(interrupted: bool) -> ExitCode {
    if interrupted {
        eprintln!("probecost: interrupted: the table shows what was measured before the signal");
        return ExitCode::from(130);
    }
    ExitCode::SUCCESS
}

/// `--cpu`, checked against the CPUs this process may use, or the default.
fn workload_cpu(asked: Option<usize>) -> Result<usize> {
    let allowed = probecost::cpu::allowed_cpus().context("reading this process's CPU set")?;
    match asked {
        Some(cpu) if allowed.contains(&cpu) => Ok(cpu),
        Some(cpu) => anyhow::bail!(
            "--cpu {cpu}: not a CPU this process may use (allowed: {})",
            allowed
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
        None => probecost::cpu::default_workload_cpu().context("finding a CPU for the workload"),
    }
}

/// The machine-wide measurement lock, unless concurrent measuring was asked for.
fn measurement_lock(allow_concurrent: bool) -> Result<Option<MeasurementLock>> {
    if allow_concurrent {
        return Ok(None);
    }
    MeasurementLock::acquire()
        .map(Some)
        .map_err(anyhow::Error::msg)
}

/// A report as pretty JSON with a final newline.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn json_bytes(report: &impl serde::Serialize) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(report)?;
    bytes.push(b'\n');
    Ok(bytes)
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

    use anyhow::bail;
    use anyhow::Result;
    use probecost::{
        benchmark::TracerBackend,
        linux::{bpftrace::BpftraceBackend, plan, AyaBackend, DrainSettings, KernelFeatures},
        output_file::OutputFile,
        scenario::ScenarioCatalog,
    };

    use super::TracerChoice;
    pub use probecost::linux::check_privileges;

    pub const NATIVE_TRACER: TracerChoice = TracerChoice::Aya;

    pub fn backends(
        args: &super::RunArgs,
        tracers: &[TracerChoice],
        cpu: usize,
    ) -> Result<Vec<Box<dyn TracerBackend>>> {
        // Both tracers choose attach points from the same detection, so substitutions match.
        let features = KernelFeatures::detect();
        let mut backends: Vec<Box<dyn TracerBackend>> = Vec::new();
        for tracer in tracers {
            match tracer {
                TracerChoice::Aya => backends.push(Box::new(AyaBackend::with_features(
                    features.clone(),
                    DrainSettings {
                        sink: args.per_event_sink.clone(),
                        workload_cpu: cpu,
                    },
                ))),
                TracerChoice::Bpftrace => backends.push(Box::new(
                    BpftraceBackend::new(features.clone(), args.per_event_sink.clone(), cpu)
                        .map_err(anyhow::Error::msg)?,
                )),
                TracerChoice::Dtrace => {
                    bail!("--tracer dtrace runs on FreeBSD; on Linux use aya and/or bpftrace")
                }
            }
        }
        Ok(backends)
    }

    pub fn attach_scale(args: super::AttachScaleArgs) -> Result<ExitCode> {
        use anyhow::Context as _;
        use probecost::{
            attach_scale::{render, AttachScalePlot, AttachScaleReport},
            environment::Environment,
            interrupt,
            linux::{
                attach_scale::{measure, per_event_trade, AttachScaleSettings},
                bpftrace::bpftrace_version,
                probe_sets::resolve,
            },
            probe_set::{Mechanism, ProbeSetKind},
            workload::PinnedWorkload,
        };

        let kind = ProbeSetKind::parse(&args.kind).map_err(anyhow::Error::msg)?;
        let counts = args
            .counts
            .iter()
            .map(|c| match c.as_str() {
                "all" => Ok(None),
                n => n
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or_else(|| {
                        anyhow::anyhow!("--counts: `{n}` is not a positive number or `all`")
                    }),
            })
            .collect::<Result<Vec<_>>>()?;
        let cpu = super::workload_cpu(args.cpu)?;
        check_privileges().map_err(anyhow::Error::msg)?;
        type Render = fn(&AttachScaleReport) -> Result<Vec<u8>>;
        let json: Render = |report| super::json_bytes(report);
        let plot: Render = |report| AttachScalePlot.render(report).map_err(anyhow::Error::msg);
        let outputs = OutputFile::create_all(&[
            ("--export-json", args.export_json.as_ref(), json),
            ("--plot", args.plot.as_ref(), plot),
        ])
        .map_err(anyhow::Error::msg)?;
        let _lock = super::measurement_lock(args.allow_concurrent)?;
        interrupt::install().context("installing the SIGINT/SIGTERM handlers")?;
        let mut tracers = Vec::new();
        let mut versions = vec!["probecost counting programs (aya 0.14.0)".to_string()];
        for tracer in &args.tracer {
            match tracer {
                TracerChoice::Aya => tracers.push("aya"),
                TracerChoice::Bpftrace => {
                    versions.push(bpftrace_version().map_err(anyhow::Error::msg)?);
                    tracers.push("bpftrace");
                }
                TracerChoice::Dtrace => bail!("--tracer dtrace runs on FreeBSD"),
            }
        }
        let settings = AttachScaleSettings {
            kind: kind.clone(),
            mechanism: args.mechanism.map(|m| match m {
                super::MechanismChoice::PerfEvent => Mechanism::PerfEvent,
                super::MechanismChoice::Raw => match kind {
                    ProbeSetKind::Syscalls { .. } => Mechanism::RawSyscalls,
                    _ => Mechanism::RawTracepoint,
                },
                super::MechanismChoice::Multi => Mechanism::KprobeMulti,
            }),
            counts,
            repeat: args.repeat as usize,
            tracers,
            window: std::time::Duration::from_millis(args.window_ms),
            workload_cpu: cpu,
        };
        let features = KernelFeatures::detect();
        // Resolved before anything attaches: an unknown glob or a missing feature stops here.
        let set =
            resolve(&settings.kind, settings.mechanism, &features).map_err(anyhow::Error::msg)?;
        let environment = Environment::probe(cpu, versions);
        println!(
            "{}: {} probes, mechanism {}",
            set.kind.describe(),
            set.probes.len(),
            set.mechanism.name()
        );
        for note in &set.notes {
            println!("note: {note}");
        }
        let rows = measure(&set, &settings, interrupt::stop_flag(), &mut |row| {
            eprintln!(
                "{:<9} {:>5} probes: attach {:.1} ms, detach {:.1} ms",
                row.tracer, row.probes, row.attach_ms, row.detach_ms
            );
        })
        .map_err(anyhow::Error::msg)?;
        let trade = if matches!(kind, ProbeSetKind::Syscalls { .. })
            && !args.no_trade
            && !interrupt::stop_requested()
        {
            let workload = PinnedWorkload::new(cpu)?;
            workload.pin()?;
            per_event_trade(&workload, 5, interrupt::stop_flag()).map_err(anyhow::Error::msg)?
        } else {
            None
        };
        let report = AttachScaleReport {
            environment,
            repetitions: settings.repeat,
            notes: set.notes.clone(),
            rows,
            per_event_trade: trade,
            interrupted: interrupt::stop_requested(),
        };
        print!("{}", render(&report));
        for (output, render) in outputs {
            output
                .write(&render(&report)?)
                .map_err(anyhow::Error::msg)?;
        }
        Ok(super::exit_code(report.interrupted))
    }

    pub fn workload(args: super::WorkloadArgs) -> Result<ExitCode> {
        use anyhow::Context as _;
        use probecost::{
            complex_workload::{parse_scenarios, render, WorkloadReport},
            environment::Environment,
            interrupt,
            linux::complex_workload::{measure, prepare, TimedCommand},
        };

        let scenarios = parse_scenarios(&args.sets).map_err(anyhow::Error::msg)?;
        let command = if args.command.is_empty() {
            if !args.build_dir.join("Makefile").exists() {
                bail!(
                    "the default workload (libsodium's build) is not set up in {}: run `cargo \
                     xtask setup` from the repository root, or give a command after `--`",
                    args.build_dir.display()
                );
            }
            let cpus = probecost::cpu::allowed_cpus()?.len().max(1);
            TimedCommand {
                command: ["make", &format!("-j{cpus}"), "check", "TESTS="]
                    .map(String::from)
                    .to_vec(),
                reset: Some(vec!["make".into(), "clean".into()]),
                dir: args.build_dir.clone(),
            }
        } else {
            TimedCommand {
                command: args.command.clone(),
                reset: None,
                dir: std::env::current_dir()?,
            }
        };
        check_privileges().map_err(anyhow::Error::msg)?;
        let outputs = OutputFile::create_all(&[("--export-json", args.export_json.as_ref(), ())])
            .map_err(anyhow::Error::msg)?;
        let _lock = super::measurement_lock(args.allow_concurrent)?;
        interrupt::install().context("installing the SIGINT/SIGTERM handlers")?;
        let features = KernelFeatures::detect();
        // Every set is resolved, attached and detached once before anything is timed.
        let kprobe_mechanism = match args.kprobe_mechanism {
            super::KprobeMechanismChoice::PerfEvent => probecost::probe_set::Mechanism::Kprobe,
            super::KprobeMechanismChoice::Multi => probecost::probe_set::Mechanism::KprobeMulti,
        };
        let resolved = prepare(&scenarios, &features, &command.dir, kprobe_mechanism)
            .map_err(anyhow::Error::msg)?;
        let cpu = probecost::cpu::default_workload_cpu()?;
        let environment =
            Environment::probe(cpu, vec!["probecost counting programs (aya 0.14.0)".into()]);
        eprintln!(
            "timing `{}` in {}",
            command.command.join(" "),
            command.dir.display()
        );
        let results = measure(
            &command,
            &resolved,
            args.runs as usize,
            interrupt::stop_flag(),
            &mut |name, s| {
                eprintln!("  {name:<28} {s:.2} s");
            },
        )
        .map_err(anyhow::Error::msg)?;
        let report = WorkloadReport {
            environment,
            command: command.command.clone(),
            results,
            interrupted: interrupt::stop_requested(),
        };
        print!("{}", render(&report));
        for (output, ()) in outputs {
            output
                .write(&super::json_bytes(&report)?)
                .map_err(anyhow::Error::msg)?;
        }
        Ok(super::exit_code(report.interrupted))
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

    use anyhow::bail;
    use anyhow::Result;
    use freebsd_dtrace::ConsumerOptions;
    use probecost::{
        benchmark::TracerBackend,
        freebsd::{kernel_providers, missing_providers, DtraceBackend, DtraceSettings},
        scenario::ScenarioCatalog,
    };

    use super::{TracerChoice, WorkloadChoice};
    pub use probecost::freebsd::check_privileges;

    pub const NATIVE_TRACER: TracerChoice = TracerChoice::Dtrace;

    pub fn backends(
        args: &super::RunArgs,
        tracers: &[TracerChoice],
        cpu: usize,
    ) -> Result<Vec<Box<dyn TracerBackend>>> {
        let mut backends: Vec<Box<dyn TracerBackend>> = Vec::new();
        for tracer in tracers {
            match tracer {
                TracerChoice::Dtrace => {
                    backends.push(Box::new(DtraceBackend::new(DtraceSettings {
                        sink: args.per_event_sink.clone(),
                        workload_cpu: cpu,
                        options: ConsumerOptions::default(),
                        in_process_workload: args.workload == WorkloadChoice::InProcess,
                    })?))
                }
                other => bail!("--tracer {other:?} runs on Linux; on FreeBSD use dtrace"),
            }
        }
        Ok(backends)
    }

    pub fn attach_scale(_args: super::AttachScaleArgs) -> Result<ExitCode> {
        bail!(
            "`probecost attach-scale` runs on Linux; the FreeBSD backend measures Benchmark 1 only"
        )
    }

    pub fn workload(_args: super::WorkloadArgs) -> Result<ExitCode> {
        bail!("`probecost workload` runs on Linux; the FreeBSD backend measures Benchmark 1 only")
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

    use super::TracerChoice;

    pub const NATIVE_TRACER: TracerChoice = TracerChoice::Aya;

    fn unsupported<T>() -> Result<T> {
        bail!(
            "probecost runs on Linux (eBPF) and FreeBSD (DTrace), not {}",
            std::env::consts::OS
        )
    }

    pub fn check_privileges() -> Result<(), String> {
        Ok(())
    }

    pub fn backends(
        _args: &super::RunArgs,
        _tracers: &[TracerChoice],
        _cpu: usize,
    ) -> Result<Vec<Box<dyn TracerBackend>>> {
        unsupported()
    }

    pub fn list() -> Result<ExitCode> {
        unsupported()
    }

    pub fn attach_scale(_args: super::AttachScaleArgs) -> Result<ExitCode> {
        unsupported()
    }

    pub fn workload(_args: super::WorkloadArgs) -> Result<ExitCode> {
        unsupported()
    }
}
