//! `probecost measure --bpftrace FILE.bt` and `--bpftrace-e PROGRAM`: a user's bpftrace script
//! measured per event with its events verified, and each failure (bpftrace rejects the
//! script, this kernel lacks its probe, its probes never fire) one line that leaves no
//! program and no bpftrace behind.

use std::process::{Command, Output};

use probecost_integration_tests::{
    bpftrace_processes, have_root, interrupted_after, probecost_bin, ProgramCensus,
};

fn measure(args: &[&str]) -> Output {
    Command::new(probecost_bin())
        .arg("measure")
        .args(args)
        .args(["--runs", "2", "--run-time-ms", "100"])
        .output()
        .expect("running probecost")
}

/// Whether a bpftrace process is running.
fn bpftrace_running() -> bool {
    !bpftrace_processes().is_empty()
}

#[test]
fn a_counting_one_liner_is_measured_per_event_with_its_events_verified() {
    if !have_root("a_counting_one_liner_is_measured_per_event_with_its_events_verified") {
        return;
    }
    let before = ProgramCensus::take();
    let json = std::env::temp_dir().join(format!("probecost-bt-{}.json", std::process::id()));
    let output = measure(&[
        "--bpftrace-e",
        "BEGIN { } tracepoint:syscalls:sys_enter_read { @ = count(); } interval:ms:50 { }",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report = probecost_integration_tests::take_report(&json);
    assert_eq!(before.settled(), 0, "programs left loaded");
    assert!(!bpftrace_running(), "bpftrace left running");
    let row = &report["scenarios"][0];
    assert_eq!(row["name"], "bpftrace -e", "{row}");
    let tracer = &row["tracers"][0];
    assert_eq!(tracer["tracer"], "bpftrace", "{row}");
    assert_eq!(tracer["status"], "measured", "{row}");
    assert_eq!(tracer["events_verified"], true, "{row}");
    assert!(tracer["per_event_ns"].as_f64().is_some(), "{row}");
    // The read tracepoint's program alone counts events: BEGIN and the timer do not.
    let counts = tracer["verification"]["run_counts"].as_array().unwrap();
    assert_eq!(counts.len(), 1, "{row}");
    assert!(
        tracer["attach"]
            .as_str()
            .unwrap()
            .contains("tracepoint:syscalls:sys_enter_read"),
        "{row}"
    );
}

#[test]
fn a_script_needs_one_probe_that_fires_not_all() {
    if !have_root("a_script_needs_one_probe_that_fires_not_all") {
        return;
    }
    let before = ProgramCensus::take();
    let json = std::env::temp_dir().join(format!("probecost-bt2-{}.json", std::process::id()));
    // As opensnoop.bt traces open and openat: the read loop fires one of these two.
    let output = measure(&[
        "--bpftrace-e",
        "tracepoint:syscalls:sys_enter_read, tracepoint:syscalls:sys_enter_execve { @ = count(); }",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = probecost_integration_tests::take_report(&json);
    assert_eq!(before.settled(), 0, "programs left loaded");
    let tracer = &report["scenarios"][0]["tracers"][0];
    assert_eq!(tracer["events_verified"], true, "{tracer}");
    // Each probe's count is in the report: one ran, the other did not.
    let counts: Vec<u64> = tracer["verification"]["run_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    assert_eq!(counts.len(), 2, "{tracer}");
    assert!(
        counts.contains(&0) && counts.iter().any(|&c| c > 0),
        "{counts:?}"
    );
}

#[test]
fn every_failure_is_one_line_and_leaves_nothing_behind() {
    if !have_root("every_failure_is_one_line_and_leaves_nothing_behind") {
        return;
    }
    let script = std::env::temp_dir().join(format!("probecost-never-{}.bt", std::process::id()));
    // The in-process loop reads and writes; it never calls execve.
    std::fs::write(
        &script,
        "tracepoint:syscalls:sys_enter_execve { @ = count(); }\n",
    )
    .unwrap();
    let kprobes = std::path::Path::new("/sys/bus/event_source/devices/kprobe").exists();
    let mut cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--bpftrace-e",
                "tracepoint:syscalls:sys_enter_read { @ = count( }",
            ],
            "bpftrace rejected the script",
        ),
        (vec!["--bpftrace", script.to_str().unwrap()], "ran 0 times"),
        (
            vec!["--bpftrace", "/nonexistent.bt"],
            "reading the script /nonexistent.bt",
        ),
        (vec!["--bpftrace-e", "  "], "is empty"),
    ];
    if !kprobes {
        cases.push((
            vec!["--bpftrace-e", "kprobe:vfs_read { @ = count(); }"],
            "bpftrace rejected the script",
        ));
    }
    for (args, expected) in cases {
        let before = ProgramCensus::take();
        let output = measure(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("probecost: error: ") && stderr.contains(expected),
            "{args:?}: expected `{expected}` in:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(before.settled(), 0, "{args:?}: left loaded");
        assert!(!bpftrace_running(), "{args:?}: bpftrace left running");
        assert!(output.stdout.is_empty(), "nothing measured: {args:?}");
    }
    std::fs::remove_file(&script).unwrap();
}

#[test]
fn ctrl_c_mid_measure_exits_130_and_leaves_no_bpftrace() {
    if !have_root("ctrl_c_mid_measure_exits_130_and_leaves_no_bpftrace") {
        return;
    }
    let before = ProgramCensus::take();
    let output = interrupted_after(
        &[
            "measure",
            "--bpftrace-e",
            "tracepoint:syscalls:sys_enter_read { @ = count(); }",
            "--runs",
            "50",
        ],
        std::time::Duration::from_millis(3000),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(before.settled(), 0, "programs left loaded");
    assert!(!bpftrace_running(), "bpftrace left running");
}
