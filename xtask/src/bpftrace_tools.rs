//! `cargo xtask bpftrace-tools`: `probecost bpftrace-tools` (every bpftrace tool the
//! distribution ships, each measured with a workload that fires its probes) here, or in a
//! guest kernel with `--kernel`, and the table, ranked by per-event cost with the kernel's body
//! time beside it, to the terminal and to `target/bpftrace-tools[-KERNEL].md`.

use std::{
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context as _, Result};

/// `cargo xtask bpftrace-tools` arguments.
#[derive(clap::Args, Debug)]
pub struct BpftraceToolsArgs {
    /// Rounds per tool.
    #[arg(long, visible_alias = "runs", default_value_t = 5)]
    rounds: u32,
    /// Runs the suite in this kernel in QEMU (`cargo xtask vm --kernel`: a Debian series such
    /// as 6.12, a package or an image), with the host's tools packed in.
    #[arg(long)]
    kernel: Option<String>,
}

/// Runs the suite and writes the table.
pub fn run(args: &BpftraceToolsArgs) -> Result<()> {
    let rounds = args.rounds.to_string();
    let suite = ["bpftrace-tools", "--rounds", &rounds, "--export-json"];
    let (json, table_path) = match &args.kernel {
        None => {
            let json = PathBuf::from("target/bpftrace-tools.json");
            let status = Command::new("target/release/probecost")
                .args(suite)
                .arg(&json)
                .status()
                .context("running target/release/probecost")?;
            anyhow::ensure!(status.success(), "probecost bpftrace-tools: {status}");
            (json, PathBuf::from("target/bpftrace-tools.md"))
        }
        Some(kernel) => {
            // The guest writes relative paths to target/vm/<kernel>/.
            let status = Command::new(std::env::current_exe()?)
                .args(["vm", "--kernel", kernel, "--timeout", "3600", "--"])
                .args(suite)
                .arg("bpftrace-tools.json")
                .status()
                .context("running cargo xtask vm")?;
            anyhow::ensure!(status.success(), "the guest's bpftrace-tools: {status}");
            let label = Path::new(kernel)
                .file_name()
                .map_or_else(|| kernel.clone(), |n| n.to_string_lossy().into_owned());
            (
                Path::new(crate::vm::VM_DIR)
                    .join(&label)
                    .join("bpftrace-tools.json"),
                PathBuf::from(format!("target/bpftrace-tools-{label}.md")),
            )
        }
    };
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&json).with_context(|| format!("reading {}", json.display()))?,
    )?;
    let table = table(&report);
    print!("{table}");
    std::fs::write(&table_path, &table)?;
    eprintln!(
        "xtask: the table is in {}, the report in {}",
        table_path.display(),
        json.display()
    );
    Ok(())
}

/// The Markdown table of a `probecost bpftrace-tools` report: measured tools by per-event
/// cost (the report's order), then the others with their reason.
fn table(report: &serde_json::Value) -> String {
    let rows = report["scenarios"].as_array().cloned().unwrap_or_default();
    let number = |v: &serde_json::Value, decimals: usize| {
        v.as_f64()
            .map_or("-".to_string(), |x| format!("{x:.decimals$}"))
    };
    let mut out = String::from(
        "| tool | workload | ns/event (floor) | 95% CI | typical | body ns | events/op |\n\
         |---|---|---|---|---|---|---|\n",
    );
    let mut unsupported = String::from("\n| tool | not measured: why |\n|---|---|\n");
    for row in &rows {
        let tool = &row["tracers"][0];
        let name = row["name"].as_str().unwrap_or("?");
        if tool["status"] == "unsupported" {
            let reason = tool["reason"].as_str().unwrap_or("").replace('|', "\\|");
            let _ = writeln!(unsupported, "| `{name}` | {reason} |");
            continue;
        }
        let ci = &tool["per_event_ns_ci95"];
        let _ = writeln!(
            out,
            "| `{name}` | {} | {} | [{}, {}] | {} | {} | {} |",
            row["workload"].as_str().unwrap_or("-"),
            number(&tool["per_event_ns"], 1),
            number(&ci[0], 1),
            number(&ci[1], 1),
            number(&tool["typical_ns"], 1),
            number(&tool["body_ns"], 1),
            number(&row["events_per_op"], 2),
        );
    }
    out.push_str(&unsupported);
    out
}
