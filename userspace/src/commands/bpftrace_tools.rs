//! `probecost bpftrace-tools`: every bpftrace tool a directory holds (the distribution's, in
//! /usr/sbin, by default) measured per event as `measure --bpftrace` measures one, each with
//! the first workload that fires its probes, in one report ranked by per-event cost. A tool
//! that cannot be measured here is an unsupported row with bpftrace's (or probecost's) reason.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use super::{
    measure::{chosen_workload, OpenedTool},
    run::suite_report,
    workload_cpu, ExportPaths, MeasuredTool, Measuring, Outcome, WorkloadChoice,
};
use probecost_core::{
    benchmark::{unsupported_row, ObjectRow, RoundPolicy, SuiteRow},
    environment::Environment,
    error::{Error, Result},
    interrupt,
    platform::Platform,
    result::{ScenarioResult, ScenarioStatus},
    tracer::Tracer,
};

/// What `probecost bpftrace-tools` measures.
#[derive(Clone, Debug)]
pub struct BpftraceToolsCommand {
    /// The directory whose `*.bt` files are the tools.
    pub dir: PathBuf,
    /// Only these tools (file names, with or without `.bt`); every one when empty.
    pub tools: Vec<String>,
    /// How many control/traced rounds each tool gets.
    pub rounds: RoundPolicy,
    /// Target duration of a traced run.
    pub run_time: Duration,
    /// The workload's CPU (the default when `None`).
    pub cpu: Option<usize>,
    /// Result files.
    pub exports: ExportPaths,
    /// Measure even while another probecost measures.
    pub allow_concurrent: bool,
}

/// Commands known to fire a tool's probes, tried (in order) before the generic workloads.
/// Each is one execution per operation; a command that does not run cleanly on this machine
/// is skipped.
const TOOL_WORKLOADS: &[(&str, &[&[&str]])] = &[
    ("biolatency.bt", &[DIRECT_READ]),
    ("biosnoop.bt", &[DIRECT_READ]),
    ("biostacks.bt", &[DIRECT_READ]),
    ("bitesize.bt", &[DIRECT_READ]),
    ("gethostlatency.bt", &[&["getent", "ahosts", "localhost"]]),
    ("killsnoop.bt", &[&["kill", "-0", "1"]]),
    ("setuids.bt", &[&["setpriv", "--reuid=0", "true"]]),
    ("syncsnoop.bt", &[&["sync"]]),
    ("tcpconnect.bt", TCP_CONNECT),
    ("tcpdrop.bt", TCP_CONNECT),
    ("tcplife.bt", TCP_CONNECT),
    ("writeback.bt", &[&["sync"]]),
];

/// One uncached 4 KiB read from the disk (block I/O for the bio tools).
const DIRECT_READ: &[&str] = &[
    "dd",
    "if=/bin/dd",
    "of=/dev/null",
    "bs=4096",
    "count=1",
    "iflag=direct",
];

/// A TCP connection attempt to a closed port on the loopback (connect, state changes, a
/// reset): with bash's /dev/tcp, or busybox's nc.
const TCP_CONNECT: &[&[&str]] = &[
    &["bash", "-c", "(: </dev/tcp/127.0.0.1/9) 2>/dev/null; true"],
    &["sh", "-c", "nc 127.0.0.1 9 </dev/null 2>/dev/null; true"],
];

/// The fewest events per operation a workload must make to time a tool with: fewer are
/// someone else's (the system's processes firing the tool's probes now and then).
const MIN_EVENTS_PER_OP: f64 = 0.1;

/// Tried in order for every tool until one fires its probes: the read loop (read and write
/// system calls), then commands whose process makes what most tools trace (fork, exec, open,
/// stat, exit, scheduler switches).
const GENERIC_WORKLOADS: &[&[&str]] = &[
    &[],
    &["true"],
    &["cat", "/proc/version"],
    &["stat", "/proc/version"],
];

/// Measures every tool, prints the ranked table and writes the result files.
pub fn bpftrace_tools(platform: &dyn Platform, command: &BpftraceToolsCommand) -> Result<Outcome> {
    let tools = tools(&command.dir, &command.tools)?;
    let cpu = workload_cpu(command.cpu)?;
    let measuring = Measuring::begin(platform, &command.exports, command.allow_concurrent)?;
    let mut results = Vec::new();
    let mut version = None;
    for (i, path) in tools.iter().enumerate() {
        if interrupt::stop_requested() {
            break;
        }
        let name = file_name(path);
        eprintln!("[{}/{}] {name}", i + 1, tools.len());
        match measure_tool(platform, command, path, &name, cpu, &mut version) {
            Ok(measured) => results.push(measured),
            // Ctrl-C between two of a tool's runs: the tools measured so far are reported.
            Err(Error::Interrupted) => break,
            Err(e) => return Err(e),
        }
    }
    rank(&mut results);
    let environment = Environment::probe(
        Some(cpu),
        vec![version.unwrap_or_else(|| Tracer::Bpftrace.to_string())],
    );
    let settings = probecost_core::benchmark::BenchmarkSettings {
        rounds: command.rounds,
        run_time: command.run_time,
        ..Default::default()
    };
    let report = suite_report(environment, &settings, EACH_ROWS_OWN.into(), results);
    measuring.finish(&report)
}

/// The `.bt` files of `dir`, sorted, or those named in `only`.
fn tools(dir: &Path, only: &[String]) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(Error::io(format!(
        "reading {} (--dir: where the bpftrace tools are)",
        dir.display()
    )))?;
    let mut tools: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "bt"))
        .collect();
    tools.sort();
    if tools.is_empty() {
        return Err(Error::Input(format!(
            "no bpftrace tool (*.bt) in {}: give --dir, or install bpftrace (its package ships \
             them in /usr/sbin)",
            dir.display()
        )));
    }
    if only.is_empty() {
        return Ok(tools);
    }
    only.iter()
        .map(|wanted| {
            let wanted = wanted.strip_suffix(".bt").unwrap_or(wanted);
            tools
                .iter()
                .find(|path| path.file_stem().is_some_and(|s| s == wanted))
                .cloned()
                .ok_or_else(|| {
                    Error::Input(format!(
                        "--tool {wanted}: no {wanted}.bt in {} (`ls {}/*.bt` lists them)",
                        dir.display(),
                        dir.display()
                    ))
                })
        })
        .collect()
}

/// The tool's row: measured under the first workload that fires its probes, or unsupported
/// with the reason. Only an interruption or a failure of probecost itself is an error.
fn measure_tool(
    platform: &dyn Platform,
    command: &BpftraceToolsCommand,
    path: &Path,
    name: &str,
    cpu: usize,
    version: &mut Option<String>,
) -> Result<ScenarioResult> {
    let tool = MeasuredTool::BpftraceFile(path.to_path_buf());
    let mut tried = Vec::new();
    let mut skipped = Vec::new();
    for argv in workloads_for(name) {
        let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
        let workload = match chosen_workload(&argv, WorkloadChoice::InProcess, cpu) {
            Ok(workload) => workload,
            // A command this machine lacks or that fails here: the next one may do.
            Err(Error::Input(why)) => {
                skipped.push(why);
                continue;
            }
            Err(e) => return Err(e),
        };
        let label = workload_label(&argv);
        let mut opened = match OpenedTool::open(platform, &tool, cpu) {
            Ok(opened) => opened,
            Err(e) => return unsupported(name, e),
        };
        version.get_or_insert_with(|| opened.version());
        match opened.check_events(workload.as_ref()) {
            Ok(per_op) if per_op >= MIN_EVENTS_PER_OP => {}
            // Events the workload does not make (another process's, now and then) give no
            // per-event cost of it.
            Ok(per_op) => {
                tried.push(format!("{label}: {per_op:.3} events per operation"));
                continue;
            }
            Err(Error::NoEvents(_)) => {
                tried.push(label);
                continue;
            }
            Err(e) => return unsupported(name, e),
        }
        eprintln!("  timed with {label}");
        let settings = opened.settings(command.rounds, None, command.run_time);
        // A tool that fails part-way (bpftrace exits, a probe goes) is its row's reason.
        let results = match opened.measure(&settings, workload.as_ref()) {
            Ok(results) => results,
            Err(e) => return unsupported(name, e),
        };
        let Some(mut result) = results.into_iter().next() else {
            // No round finished: only an interruption ends a row that early.
            return Err(Error::Interrupted);
        };
        result.workload = Some(label);
        return Ok(result);
    }
    let mut reason = format!(
        "none of the workloads tried makes its events ({})",
        tried.join("; ")
    );
    if !skipped.is_empty() {
        reason.push_str(&format!("; not run here: {}", skipped.join("; ")));
    }
    unsupported(name, Error::unsupported(reason))
}

/// The workloads tried for the tool called `name`: its own first, then the generic ones.
fn workloads_for(name: &str) -> Vec<&'static [&'static str]> {
    TOOL_WORKLOADS
        .iter()
        .filter(|(tool, _)| *tool == name)
        .flat_map(|(_, commands)| commands.iter().copied())
        .chain(GENERIC_WORKLOADS.iter().copied())
        .collect()
}

/// How a row names its workload.
fn workload_label(argv: &[String]) -> String {
    if argv.is_empty() {
        "the read loop".into()
    } else {
        format!("-- {}", argv.join(" "))
    }
}

/// The row of a tool that cannot be measured here; an interruption stays an error.
fn unsupported(name: &str, error: Error) -> Result<ScenarioResult> {
    if matches!(error, Error::Interrupted) {
        return Err(error);
    }
    let reason = reason_line(&error.to_string());
    eprintln!("  not measured: {reason}");
    let row = ObjectRow {
        name: name.to_string(),
        note: "",
    };
    Ok(unsupported_row(
        SuiteRow::Object(&row),
        Tracer::Bpftrace,
        reason,
    ))
}

/// The line of a failure that says why: bpftrace's own `ERROR:` where it printed one (the
/// error of the C parser it includes headers with, or its warning that a probe will not
/// attach, failing that), else the message's first line.
fn reason_line(message: &str) -> String {
    let lines = || message.lines().map(str::trim);
    let error = lines()
        .find(|l| l.contains("ERROR:") && !l.contains("RLIMIT_MEMLOCK"))
        .or_else(|| lines().find(|l| l.contains("fatal error:")));
    let warning = || lines().find(|l| l.contains("WARNING:") && l.contains("will likely fail"));
    let first = || lines().find(|l| !l.is_empty());
    match error.or_else(warning) {
        Some(said) => format!("bpftrace: {}", said.trim_end_matches(':')),
        None => first()
            .unwrap_or("no reason given")
            .trim_end_matches(':')
            .to_string(),
    }
}

/// Measured rows by per-event cost (the floor), cheapest first, then the others by name.
fn rank(results: &mut [ScenarioResult]) {
    let cost = |r: &ScenarioResult| {
        r.tracers
            .first()
            .filter(|t| t.status != ScenarioStatus::Unsupported)
            .and_then(|t| t.per_event_ns)
    };
    results.sort_by(|a, b| match (cost(a), cost(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(&b.name),
    });
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}

/// The report's workload: each row names its own.
const EACH_ROWS_OWN: &str =
    "each tool's own (the first of its workloads that fires its probes; see each row)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_is_bpftraces_error_line_when_it_printed_one() {
        let message = "could not attach `bpftrace script x.bt` at BEGIN: bpftrace rejected the \
                       script (exit status: 1):\nWARNING: Could not set RLIMIT_MEMLOCK\n\
                       stdin:1:1-10: ERROR: syntax error, unexpected ;\n";
        assert_eq!(
            reason_line(message),
            "bpftrace: stdin:1:1-10: ERROR: syntax error, unexpected ;"
        );
        assert_eq!(
            reason_line("rejected (exit status: 1):\ndefinitions.h:4:10: fatal error: 'net/sock.h' file not found"),
            "bpftrace: definitions.h:4:10: fatal error: 'net/sock.h' file not found"
        );
        assert_eq!(
            reason_line("\nthe script held no program:\nmore"),
            "the script held no program"
        );
    }

    #[test]
    fn a_tools_own_workloads_come_before_the_generic_ones() {
        let sync = workloads_for("syncsnoop.bt");
        assert_eq!(sync[0], &["sync"]);
        assert_eq!(&sync[1..], GENERIC_WORKLOADS);
        assert_eq!(workloads_for("syscount.bt"), GENERIC_WORKLOADS);
        assert_eq!(workload_label(&[]), "the read loop");
        assert_eq!(workload_label(&["sync".into()]), "-- sync");
    }
}
