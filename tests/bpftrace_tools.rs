//! `probecost bpftrace-tools`: every tool of a directory measured with a workload that fires
//! its probes, or an unsupported row with the reason (bpftrace rejects it; no workload fires
//! it), in one report ranked by per-event cost, with nothing left behind.

use std::process::{Command, Output};

use probecost_integration_tests::{
    bpftrace_processes, have_root, interrupted_after, probecost_bin, ProgramCensus,
};

fn bpftrace_tools(args: &[&str]) -> Output {
    Command::new(probecost_bin())
        .arg("bpftrace-tools")
        .args(args)
        .output()
        .expect("running probecost")
}

/// A directory holding `tools` (name, script), removed when dropped.
struct ToolDir(std::path::PathBuf);

impl ToolDir {
    fn new(name: &str, tools: &[(&str, &str)]) -> Self {
        let dir = std::env::temp_dir().join(format!("probecost-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (tool, script) in tools {
            std::fs::write(dir.join(tool), script).unwrap();
        }
        Self(dir)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for ToolDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn each_tool_is_measured_or_says_why_not_ranked_with_nothing_left() {
    if !have_root("each_tool_is_measured_or_says_why_not_ranked_with_nothing_left") {
        return;
    }
    let dir = ToolDir::new(
        "tools",
        &[
            (
                "count.bt",
                "tracepoint:syscalls:sys_enter_read { @reads = count(); }",
            ),
            ("broken.bt", "tracepoint:syscalls:sys_enter_read { @ = ; }"),
            // Nothing the workloads do reboots the machine.
            (
                "never.bt",
                "tracepoint:syscalls:sys_enter_reboot { @ = count(); }",
            ),
            ("notes.txt", "not a tool"),
        ],
    );
    let json = dir.0.join("report.json");
    let before = ProgramCensus::take();
    let output = bpftrace_tools(&[
        "--dir",
        dir.path(),
        "--runs",
        "2",
        "--run-time-ms",
        "100",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(before.settled(), 0, "programs left loaded");
    assert!(bpftrace_processes().is_empty(), "bpftrace left running");
    let report = probecost_integration_tests::read_report(&json);
    let rows = report["scenarios"].as_array().unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    // Measured first, then the others by name; the text file is no tool.
    assert_eq!(names, ["count.bt", "broken.bt", "never.bt"], "{report}");

    let count = &rows[0];
    assert_eq!(count["workload"], "the read loop", "{count}");
    assert_eq!(count["tracers"][0]["status"], "measured", "{count}");
    assert_eq!(count["tracers"][0]["events_verified"], true, "{count}");
    assert!(
        count["tracers"][0]["per_event_ns"].as_f64().is_some(),
        "{count}"
    );

    let broken = &rows[1]["tracers"][0];
    assert_eq!(broken["status"], "unsupported", "{broken}");
    let why = broken["reason"].as_str().unwrap();
    assert!(
        why.starts_with("bpftrace: ") && why.contains("ERROR"),
        "{why}"
    );

    let never = &rows[2]["tracers"][0];
    assert_eq!(never["status"], "unsupported", "{never}");
    let why = never["reason"].as_str().unwrap();
    assert!(
        why.starts_with("none of the workloads tried makes its events (the read loop; -- true"),
        "{why}"
    );
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("count.bt: timed with the read loop"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn a_directory_without_tools_or_an_unknown_tool_is_one_line() {
    let empty = ToolDir::new("no-tools", &[("notes.txt", "not a tool")]);
    let tools = ToolDir::new("one-tool", &[("count.bt", "BEGIN { exit(); }")]);
    let cases: [(&[&str], &str); 3] = [
        (&["--dir", empty.path()], "no bpftrace tool (*.bt) in"),
        (
            &["--dir", tools.path(), "--tool", "count,nosuch"],
            "--tool nosuch: no nosuch.bt in",
        ),
        (
            &["--dir", "/nonexistent-probecost"],
            "reading /nonexistent-probecost",
        ),
    ];
    for (args, expected) in cases {
        let output = bpftrace_tools(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("probecost: error: ") && stderr.contains(expected),
            "{args:?}: expected `{expected}` in:\n{stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn ctrl_c_mid_suite_exits_130_with_the_tools_so_far_and_nothing_left() {
    if !have_root("ctrl_c_mid_suite_exits_130_with_the_tools_so_far_and_nothing_left") {
        return;
    }
    let script = "tracepoint:syscalls:sys_enter_read { @reads = count(); }";
    let dir = ToolDir::new(
        "tools-interrupted",
        &[("a.bt", script), ("b.bt", script), ("c.bt", script)],
    );
    let json = dir.0.join("report.json");
    let before = ProgramCensus::take();
    let output = interrupted_after(
        &[
            "bpftrace-tools",
            "--dir",
            dir.path(),
            "--rounds",
            "40",
            "--run-time-ms",
            "100",
            "--export-json",
            json.to_str().unwrap(),
        ],
        std::time::Duration::from_millis(3000),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(before.settled(), 0, "programs left loaded");
    assert!(bpftrace_processes().is_empty(), "bpftrace left running");
    let report = probecost_integration_tests::read_report(&json);
    assert_eq!(report["interrupted"], true, "{report}");
    // The first tool was under way: it is reported with the rounds it finished, the last
    // one never started.
    let rows = report["scenarios"].as_array().unwrap();
    assert!(!rows.is_empty() && rows.len() < 3, "{report}");
    assert_eq!(rows[0]["name"], "a.bt", "{report}");
}
