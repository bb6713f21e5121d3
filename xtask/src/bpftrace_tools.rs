//! `cargo xtask bpftrace-tools`: every bpftrace tool the distribution ships (`/usr/sbin/*.bt`)
//! measured per event with `probecost measure --bpftrace`, each with the first of a few
//! workloads that fires its probes, and the others listed with bpftrace's (or probecost's)
//! reason. The table, ranked by per-event cost with the kernel's body time beside it, goes to
//! the terminal and to `target/bpftrace-tools.md`.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context as _, Result};

/// Where the distribution's bpftrace tools are.
const TOOLS_DIR: &str = "/usr/sbin";

/// The workloads tried, in order, until one fires the tool's probes: the read loop (read and
/// write syscalls), then commands whose process makes the events most tools trace (fork, exec,
/// open, stat, exit, scheduler switches).
const WORKLOADS: [(&str, &[&str]); 4] = [
    ("read loop", &[]),
    ("-- /bin/true", &["--", "/bin/true"]),
    ("-- cat /etc/hostname", &["--", "cat", "/etc/hostname"]),
    ("-- stat /etc/hostname", &["--", "stat", "/etc/hostname"]),
];

/// One tool's outcome.
enum ToolResult {
    Measured {
        workload: &'static str,
        per_event_ns: f64,
        ci95: [f64; 2],
        typical_ns: f64,
        body_ns: Option<f64>,
        events_per_op: f64,
    },
    Unsupported(String),
}

/// Measures every tool with `rounds` rounds each and writes the table.
pub fn run(rounds: u32) -> Result<()> {
    let mut tools: Vec<PathBuf> = std::fs::read_dir(TOOLS_DIR)
        .with_context(|| format!("reading {TOOLS_DIR}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "bt"))
        .collect();
    tools.sort();
    if tools.is_empty() {
        anyhow::bail!("no bpftrace tools in {TOOLS_DIR}: `cargo xtask setup` installs bpftrace");
    }
    let out_dir = Path::new("target/bpftrace-tools");
    std::fs::create_dir_all(out_dir)?;
    let mut results = Vec::new();
    for tool in &tools {
        let name = tool.file_name().unwrap().to_string_lossy().into_owned();
        eprintln!("xtask: {name}");
        let result = measure_tool(tool, &out_dir.join(format!("{name}.json")), rounds)?;
        results.push((name, result));
    }
    let table = table(&results);
    print!("{table}");
    std::fs::write("target/bpftrace-tools.md", &table)?;
    eprintln!(
        "xtask: the table is in target/bpftrace-tools.md, each report in {}",
        out_dir.display()
    );
    Ok(())
}

/// The first workload that fires `tool`'s probes, or why none is measured.
fn measure_tool(tool: &Path, json: &Path, rounds: u32) -> Result<ToolResult> {
    let mut reason = String::new();
    for (workload, args) in WORKLOADS {
        let output = Command::new("target/release/probecost")
            .arg("measure")
            .arg("--bpftrace")
            .arg(tool)
            .args(["--runs", &rounds.to_string(), "--export-json"])
            .arg(json)
            .args(args)
            .output()
            .context("running target/release/probecost")?;
        if output.status.success() {
            return parse(json, workload);
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        reason = why(&stderr);
        // A workload that does not fire the probes: try the next; anything else ends here.
        if !stderr.contains("ran 0 times") {
            break;
        }
    }
    Ok(ToolResult::Unsupported(reason))
}

/// The one-line reason of a failed measurement: bpftrace's own error where it gave one.
fn why(stderr: &str) -> String {
    let error = stderr
        .lines()
        .find(|line| line.contains("ERROR:") && !line.contains("RLIMIT_MEMLOCK"));
    let warning = stderr.lines().find(|line| {
        line.contains("WARNING:") && line.contains("attaching to it will likely fail")
    });
    let bpftrace_said = error.or(warning);
    let line = bpftrace_said
        .or_else(|| stderr.lines().find(|l| l.starts_with("probecost: error:")))
        .unwrap_or("no output")
        .trim();
    let line = line.strip_prefix("probecost: error: ").unwrap_or(line);
    if line.contains("ran 0 times") {
        "no workload tried fires its probes".to_string()
    } else {
        line.chars().take(160).collect()
    }
}

fn parse(json: &Path, workload: &'static str) -> Result<ToolResult> {
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json)?)?;
    let row = &report["scenarios"][0];
    let tracer = &row["tracers"][0];
    let number = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::NAN);
    Ok(ToolResult::Measured {
        workload,
        per_event_ns: number(&tracer["per_event_ns"]),
        ci95: [
            number(&tracer["per_event_ns_ci95"][0]),
            number(&tracer["per_event_ns_ci95"][1]),
        ],
        typical_ns: number(&tracer["typical_ns"]),
        body_ns: tracer["body_ns"].as_f64(),
        events_per_op: number(&row["events_per_op"]),
    })
}

/// The Markdown table: measured tools ranked by per-event cost, then the others.
fn table(results: &[(String, ToolResult)]) -> String {
    let mut measured: Vec<_> = results
        .iter()
        .filter_map(|(name, r)| match r {
            ToolResult::Measured { per_event_ns, .. } => Some((name, r, *per_event_ns)),
            ToolResult::Unsupported(_) => None,
        })
        .collect();
    measured.sort_by(|a, b| a.2.total_cmp(&b.2));
    let mut out = String::from(
        "| tool | workload | ns/event (floor) | 95% CI | typical | body ns | events/op |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for (name, result, _) in &measured {
        if let ToolResult::Measured {
            workload,
            per_event_ns,
            ci95,
            typical_ns,
            body_ns,
            events_per_op,
        } = result
        {
            let body = body_ns.map_or("-".to_string(), |b| format!("{b:.1}"));
            let _ = writeln!(
                out,
                "| `{name}` | {workload} | {per_event_ns:.1} | [{:.1}, {:.1}] | {typical_ns:.1} | {body} | {events_per_op:.2} |",
                ci95[0], ci95[1]
            );
        }
    }
    out.push_str("\n| tool | not measured: why |\n|---|---|\n");
    for (name, result) in results {
        if let ToolResult::Unsupported(reason) = result {
            let _ = writeln!(out, "| `{name}` | {} |", reason.replace('|', "\\|"));
        }
    }
    out
}
