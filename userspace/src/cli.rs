//! The command line: clap's definitions, turned into the commands' settings. No clap type
//! reaches the backends.

use std::{path::PathBuf, time::Duration};

use crate::commands::{
    AttachScaleCommand, CompareCommand, ExportPaths, MeasureCommand, MechanismChoice, RunCommand,
    WorkloadChildCommand, WorkloadChoice, WorkloadCommand,
};
use clap::{Args, Parser, Subcommand};
use probecost_core::{
    benchmark::{RoundPolicy, TargetCi},
    compare::DEFAULT_NOISE_THRESHOLD_PCT,
    platform::ObjectRequest,
    probe_set::Mechanism,
    scenario::ScenarioSuite,
    tracer::Tracer,
};

/// Measures what tracing costs, in nanoseconds per event.
#[derive(Parser, Debug)]
#[command(name = "probecost", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Runs the Benchmark 1 scenarios and prints the per-event cost table.
    Run(RunArgs),
    /// Measures a compiled BPF object of your own against a control, per event.
    Measure(MeasureArgs),
    /// Lists every scenario, its attach point and whether this kernel supports it.
    List,
    /// Times attaching and detaching N probes of one kind, for each count and tracer.
    AttachScale(AttachScaleArgs),
    /// Times a complex command untraced and under many-probe scenario sets (Benchmark 2).
    Workload(WorkloadArgs),
    /// Compares `run` reports: each row's change against the first, with its 95% interval.
    Compare(CompareArgs),
    /// Runs the workload in this process and reports its timing on a descriptor (used by
    /// tracers that trace a process of their own, like DTrace's pid provider).
    #[command(name = "workload-child", hide = true)]
    WorkloadChild(WorkloadChildArgs),
}

/// The result files every measuring command can write, created before it measures.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Writes the whole report as JSON to this file (schema: docs/json.md).
    #[arg(long, value_name = "FILE")]
    export_json: Option<PathBuf>,
    /// Writes the summary table as Markdown to this file.
    #[arg(long, value_name = "FILE")]
    export_markdown: Option<PathBuf>,
    /// Writes the table as CSV to this file.
    #[arg(long, value_name = "FILE")]
    export_csv: Option<PathBuf>,
    /// Draws the report's chart to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// Writes one self-contained HTML page (environment, table, chart, and the comparison when
    /// there is one) to this file.
    #[arg(long, value_name = "FILE.html")]
    export_html: Option<PathBuf>,
}

/// What every measuring command shares: its result files and the measurement lock.
#[derive(Args, Debug)]
pub struct MeasuringArgs {
    #[command(flatten)]
    export: ExportArgs,
    /// Measures even while another probecost measures on this machine (their numbers will
    /// disturb each other).
    #[arg(long)]
    allow_concurrent: bool,
}

impl ExportArgs {
    fn paths(&self) -> ExportPaths {
        ExportPaths {
            json: self.export_json.clone(),
            markdown: self.export_markdown.clone(),
            csv: self.export_csv.clone(),
            plot: self.plot.clone(),
            html: self.export_html.clone(),
        }
    }
}

/// `--suite`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SuiteChoice {
    /// The talk's 18 rows and `per-event-aya-log`.
    Talk,
    /// Every attach mechanism on one event.
    Mechanisms,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenarios to run (comma-separated, from either suite); all of --suite by default.
    #[arg(long, value_delimiter = ',')]
    scenario: Vec<String>,
    /// The suite: the talk's Benchmark 1 rows, or the mechanism matrix (an empty and a
    /// counting program through every attach mechanism this kernel offers).
    #[arg(long, value_enum, default_value_t = SuiteChoice::Talk)]
    suite: SuiteChoice,
    #[command(flatten)]
    rounds: RoundArgs,
    /// Workload operations per run, at least 1000 (default: sized so a traced run lasts
    /// --run-time-ms).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1000..=1_000_000_000_000))]
    ops: Option<u64>,
    /// Skips the verification run with kernel BPF statistics.
    #[arg(long)]
    no_verify: bool,
    /// Tracers to compare (comma-separated): aya (probecost's own eBPF programs) and bpftrace
    /// on Linux, dtrace on FreeBSD. Default: aya on Linux, dtrace on FreeBSD.
    #[arg(long, value_delimiter = ',', value_enum)]
    tracer: Vec<Tracer>,
    /// What is timed: the in-process dd-style loop (timed in batches), or the real
    /// `dd if=/dev/zero of=/dev/null bs=1 count=N` timed as a whole process (the talk's method).
    #[arg(long, value_enum, default_value_t = WorkloadChoice::InProcess)]
    workload: WorkloadChoice,
    /// Where per-event scenarios write their formatted lines.
    #[arg(long, value_name = "FILE", default_value = "/dev/null")]
    per_event_sink: PathBuf,
    /// Saves the report as baseline NAME under the user's cache directory when the run
    /// completes.
    #[arg(long, value_name = "NAME")]
    save_baseline: Option<String>,
    /// Compares the run with saved baseline NAME afterwards (see `probecost compare`).
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    #[command(flatten)]
    measuring: MeasuringArgs,
}

impl RunArgs {
    pub fn command(&self) -> RunCommand {
        RunCommand {
            scenarios: self.scenario.clone(),
            suite: match self.suite {
                SuiteChoice::Talk => ScenarioSuite::Talk,
                SuiteChoice::Mechanisms => ScenarioSuite::Mechanisms,
            },
            rounds: self.rounds.policy(),
            ops: self.ops,
            run_time: self.rounds.run_time(),
            cpu: self.rounds.cpu,
            verify: !self.no_verify,
            tracers: self.tracer.clone(),
            workload: self.workload,
            exports: self.measuring.export.paths(),
            per_event_sink: self.per_event_sink.clone(),
            allow_concurrent: self.measuring.allow_concurrent,
            save_baseline: self.save_baseline.clone(),
            baseline: self.baseline.clone(),
        }
    }
}

/// How many rounds `run` and `measure` give a row, how long each run lasts, and where.
#[derive(Args, Debug)]
pub struct RoundArgs {
    /// Control/traced rounds per scenario, 1 to 1000 (default 12; with --target-ci, the
    /// minimum, default 5).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1000))]
    runs: Option<u64>,
    /// Precision on demand: keeps giving a scenario rounds until the half-width of its
    /// per-event floor's 95% interval is at most PCT percent of the floor (costs below
    /// --ci-floor-ns are held to PCT percent of that), or --max-runs is reached.
    #[arg(long, value_name = "PCT", value_parser = percentage)]
    target_ci: Option<f64>,
    /// With --target-ci: the most rounds a scenario gets.
    #[arg(long, default_value_t = 30, requires = "target_ci", value_parser = clap::value_parser!(u64).range(2..=1000))]
    max_runs: u64,
    /// With --target-ci: costs below this many ns are held to PCT percent of it.
    #[arg(long, default_value_t = 100.0, requires = "target_ci", value_parser = non_negative)]
    ci_floor_ns: f64,
    /// Target duration of a traced run, in milliseconds, when --ops is not given.
    #[arg(long, default_value_t = 150, value_parser = clap::value_parser!(u64).range(10..=600_000))]
    run_time_ms: u64,
    /// CPU to pin the workload to (default: the last one this process may use).
    #[arg(long)]
    cpu: Option<usize>,
}

impl RoundArgs {
    fn policy(&self) -> RoundPolicy {
        match self.target_ci {
            Some(pct) => RoundPolicy::TargetCi(TargetCi {
                pct,
                floor_ns: self.ci_floor_ns,
                min_rounds: self.runs.unwrap_or(5) as usize,
                max_rounds: self.max_runs as usize,
            }),
            None => RoundPolicy::Fixed(self.runs.unwrap_or(12) as usize),
        }
    }

    fn run_time(&self) -> Duration {
        Duration::from_millis(self.run_time_ms)
    }
}

#[derive(Args, Debug)]
pub struct MeasureArgs {
    /// The compiled BPF object (`clang -target bpf -O2 -g -c prog.bpf.c -o prog.bpf.o`).
    #[arg(long, value_name = "FILE.bpf.o")]
    object: PathBuf,
    /// Programs to load and attach (comma-separated); all of the object's by default.
    #[arg(long, value_delimiter = ',')]
    program: Vec<String>,
    /// Where to attach a program whose SEC() name libbpf cannot attach by itself:
    /// [PROGRAM=]POINT, POINT one of tracepoint:CATEGORY:NAME, rawtracepoint:NAME,
    /// kprobe:FUNCTION, kretprobe:FUNCTION, uprobe:BINARY:SYMBOL, uretprobe:BINARY:SYMBOL.
    #[arg(long, value_name = "[PROGRAM=]POINT")]
    attach: Vec<String>,
    /// What is timed when no command follows `--`: the in-process dd-style loop, or the real
    /// dd as a whole process.
    #[arg(long, value_enum, default_value_t = WorkloadChoice::InProcess)]
    workload: WorkloadChoice,
    #[command(flatten)]
    rounds: RoundArgs,
    /// Operations per run (with a command after `--`, executions of it), at least 1
    /// (default: sized so a traced run lasts --run-time-ms).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1_000_000_000_000))]
    ops: Option<u64>,
    #[command(flatten)]
    measuring: MeasuringArgs,
    /// A command to time as a whole process, one execution per operation, instead of the
    /// workload.
    #[arg(last = true, value_name = "CMD ARGS")]
    command: Vec<String>,
}

impl MeasureArgs {
    pub fn command(&self) -> MeasureCommand {
        MeasureCommand {
            object: ObjectRequest {
                path: self.object.clone(),
                programs: self.program.clone(),
                attach: self.attach.clone(),
            },
            command: self.command.clone(),
            workload: self.workload,
            rounds: self.rounds.policy(),
            ops: self.ops,
            run_time: self.rounds.run_time(),
            cpu: self.rounds.cpu,
            exports: self.measuring.export.paths(),
            allow_concurrent: self.measuring.allow_concurrent,
        }
    }
}

#[derive(Args, Debug)]
pub struct AttachScaleArgs {
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
    tracer: Vec<Tracer>,
    /// Repetitions per count (the median is reported), 1 to 1000.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1000))]
    repeat: u64,
    /// How long the probes stay attached and counting in each repetition, ms.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(0..=600_000))]
    window_ms: u64,
    /// Skips the per-event comparison of the two syscall mechanisms (syscall sets only).
    #[arg(long)]
    no_trade: bool,
    /// CPU for the comparison's workload (default: the last one this process may use).
    #[arg(long)]
    cpu: Option<usize>,
    #[command(flatten)]
    measuring: MeasuringArgs,
}

impl AttachScaleArgs {
    pub fn command(&self) -> AttachScaleCommand {
        AttachScaleCommand {
            kind: self.kind.clone(),
            counts: self.counts.clone(),
            mechanism: self.mechanism,
            tracers: self.tracer.clone(),
            repeat: self.repeat as usize,
            window: Duration::from_millis(self.window_ms),
            no_trade: self.no_trade,
            cpu: self.cpu,
            exports: self.measuring.export.paths(),
            allow_concurrent: self.measuring.allow_concurrent,
        }
    }
}

/// How `workload` attaches kprobe sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum KprobeMechanismChoice {
    /// One kprobe perf event per function.
    PerfEvent,
    /// kprobe.multi links.
    Multi,
}

#[derive(Args, Debug)]
pub struct WorkloadArgs {
    /// Scenarios (comma-separated): 1 to 9 (the talk's), all, or probe sets joined with `+`:
    /// fbt-fs, fbt-fs-occ, fbt-fs-a, fbt-fs-abv, syscall-all, syscall-entry, vfs-all,
    /// vfs-wroc, sched-all, or any attach-scale kind (tracepoint:ext4:*, ...).
    #[arg(long, value_delimiter = ',', default_value = "all")]
    sets: Vec<String>,
    /// Rounds (one untraced run and one run per scenario each), 1 to 1000.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=1000))]
    runs: u64,
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

impl WorkloadArgs {
    pub fn command(&self) -> WorkloadCommand {
        WorkloadCommand {
            sets: self.sets.clone(),
            runs: self.runs as usize,
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

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// `probecost run --export-json` reports: the base first, then one or more to compare
    /// with it (with --baseline, the base is the saved baseline).
    #[arg(required = true, num_args = 1.., value_name = "REPORT.json")]
    files: Vec<PathBuf>,
    /// Uses saved baseline NAME (`probecost run --save-baseline NAME`) as the base.
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    /// Exits 1 when a row is slower by more than PCT percent with its whole 95% interval
    /// above PCT, naming the rows.
    #[arg(long, value_name = "PCT", value_parser = non_negative)]
    fail_if_slower: Option<f64>,
    /// Rows the gate looks at (comma-separated scenarios, attach-scale steps or workload
    /// configurations; all by default).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// A row is slower or faster only when its whole 95% interval lies beyond PCT percent of
    /// the base (the machine's drift between runs; 0 for the bare interval).
    #[arg(long, value_name = "PCT", default_value_t = DEFAULT_NOISE_THRESHOLD_PCT, value_parser = non_negative)]
    noise_threshold: f64,
    #[command(flatten)]
    export: ExportArgs,
}

impl CompareArgs {
    pub fn command(&self) -> CompareCommand {
        CompareCommand {
            files: self.files.clone(),
            fail_if_slower: self.fail_if_slower,
            only: self.only.clone(),
            noise_threshold_pct: self.noise_threshold,
            baseline: self.baseline.clone(),
            exports: self.export.paths(),
        }
    }
}

#[derive(Args, Debug)]
pub struct WorkloadChildArgs {
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

impl WorkloadChildArgs {
    pub fn command(&self) -> WorkloadChildCommand {
        WorkloadChildCommand {
            cpu: self.cpu,
            ops: self.ops,
            report_fd: self.report_fd,
        }
    }
}

/// A percentage above 0 and at most 1000.
fn percentage(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if value > 0.0 && value <= 1000.0 {
        Ok(value)
    } else {
        Err(format!(
            "{value} is not a percentage above 0 and at most 1000"
        ))
    }
}

/// A finite number of at least 0.
fn non_negative(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(format!("{value} is not a finite number of at least 0"))
    }
}
