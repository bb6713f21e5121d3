//! `probecost measure --tracer-cmd 'CMD ARGS'`: a command that loads BPF programs (bpftrace
//! here) measured per event with its events verified; a command that loads none, only with
//! `--events-per-op` and marked unverified; and a command that exits at once, never becomes
//! ready, or ignores SIGINT, each handled with nothing of it left behind.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use probecost_integration_tests::{have_root, interrupted_after, probecost_bin, ProgramCensus};

fn measure(args: &[&str]) -> Output {
    Command::new(probecost_bin())
        .arg("measure")
        .args(args)
        .args(["--runs", "2", "--run-time-ms", "100"])
        .output()
        .expect("running probecost")
}

/// Whether a process whose command line contains `marker` is running.
fn running(marker: &str) -> bool {
    let status = Command::new("pgrep")
        .args(["-f", marker])
        .status()
        .expect("running pgrep");
    // pgrep exits 0 when something matches, 1 when nothing does, more on a bad pattern.
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "pgrep -f {marker}: {status}"
    );
    status.success()
}

/// The one row of a successful measurement's JSON report.
fn measured_row(args: &[&str], json_name: &str) -> serde_json::Value {
    let json = std::env::temp_dir().join(format!("{json_name}-{}.json", std::process::id()));
    let mut all = args.to_vec();
    all.extend(["--export-json", json.to_str().unwrap()]);
    let output = measure(&all);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = probecost_integration_tests::take_report(&json);
    report["scenarios"][0].clone()
}

#[test]
fn a_command_that_loads_programs_is_measured_with_its_events_verified() {
    if !have_root("a_command_that_loads_programs_is_measured_with_its_events_verified") {
        return;
    }
    let before = ProgramCensus::take();
    let row = measured_row(
        &[
            "--tracer-cmd",
            "bpftrace -e 'tracepoint:syscalls:sys_enter_read { @ = count(); }'",
            "--settle-ms",
            "300",
        ],
        "probecost-cmd",
    );
    assert_eq!(before.settled(), 0, "programs left loaded");
    assert!(
        !running("tracepoint:syscalls:sys_enter_read"),
        "the command outlived the measurement"
    );
    let tracer = &row["tracers"][0];
    assert_eq!(tracer["tracer"], "command", "{row}");
    assert_eq!(tracer["status"], "measured", "{row}");
    assert_eq!(tracer["events_verified"], true, "{row}");
    assert!(tracer["per_event_ns"].as_f64().is_some(), "{row}");
    // One read per operation, counted by the tracepoint's program.
    let per_op = row["events_per_op"].as_f64().unwrap();
    assert!((0.9..1.5).contains(&per_op), "{row}");
}

/// Builds tests/objects/loader.c (a small libbpf-based tool) and sys_enter_read.bpf.c into the
/// temporary directory, and returns their paths.
fn libbpf_tool() -> (PathBuf, PathBuf) {
    let objects = Path::new(env!("CARGO_MANIFEST_DIR")).join("objects");
    let dir = std::env::temp_dir();
    let loader = dir.join(format!("probecost-loader-{}", std::process::id()));
    let object = dir.join(format!("probecost-loader-{}.bpf.o", std::process::id()));
    let built = Command::new("gcc")
        .args(["-O2", "-Wall", "-Werror", "-o"])
        .arg(&loader)
        .arg(objects.join("loader.c"))
        .arg("-l:libbpf.so.1")
        .status()
        .expect("running gcc (cargo xtask setup installs it)");
    assert!(built.success(), "gcc failed on loader.c");
    let built = Command::new("clang-22")
        .args(["-target", "bpf", "-O2", "-g", "-c"])
        .arg(objects.join("sys_enter_read.bpf.c"))
        .arg("-o")
        .arg(&object)
        .status()
        .expect("running clang-22");
    assert!(built.success(), "clang-22 failed on sys_enter_read.bpf.c");
    (loader, object)
}

#[test]
fn a_libbpf_tool_is_measured_with_its_events_verified() {
    if !have_root("a_libbpf_tool_is_measured_with_its_events_verified") {
        return;
    }
    let (loader, object) = libbpf_tool();
    let command = format!("{} {} count_reads", loader.display(), object.display());
    let before = ProgramCensus::take();
    let row = measured_row(
        &["--tracer-cmd", &command, "--ready-line", "^attached$"],
        "probecost-cmd-libbpf",
    );
    assert_eq!(before.settled(), 0, "programs left loaded");
    assert!(
        !running(&format!("probecost-loader-{}", std::process::id())),
        "the tool outlived the measurement"
    );
    let tracer = &row["tracers"][0];
    assert_eq!(tracer["status"], "measured", "{row}");
    assert_eq!(tracer["events_verified"], true, "{row}");
    assert!(tracer["per_event_ns"].as_f64().is_some(), "{row}");
    // The tool holds both programs of the object and attached one: each one's count is there.
    let counts: Vec<u64> = tracer["verification"]["run_counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_u64().unwrap())
        .collect();
    assert_eq!(counts.len(), 2, "{row}");
    assert!(counts.iter().any(|&c| c > 0), "{row}");
    std::fs::remove_file(loader).unwrap();
    std::fs::remove_file(object).unwrap();
}

#[test]
fn a_command_without_programs_needs_its_events_given_and_is_marked_unverified() {
    if !have_root("a_command_without_programs_needs_its_events_given_and_is_marked_unverified") {
        return;
    }
    // It is waited for until the ready timeout: a tool that will load programs holds none
    // while it starts.
    let output = measure(&[
        "--tracer-cmd",
        "sleep 91",
        "--settle-ms",
        "100",
        "--ready-timeout-ms",
        "1500",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("probecost: error: ")
            && stderr.contains("not ready within 1.5s")
            && stderr.contains("--events-per-op"),
        "{stderr}"
    );
    assert!(!running("sleep 91"), "sleep left running");
    let row = measured_row(
        &[
            "--tracer-cmd",
            "sleep 92",
            "--settle-ms",
            "100",
            "--events-per-op",
            "1",
        ],
        "probecost-cmd-given",
    );
    assert!(!running("sleep 92"), "sleep left running");
    let tracer = &row["tracers"][0];
    assert_eq!(tracer["events_verified"], serde_json::Value::Null, "{row}");
    assert_eq!(row["events_per_op"], 1.0, "{row}");
    assert!(
        row["note"].as_str().unwrap().contains("not verified"),
        "{row}"
    );
}

#[test]
fn a_command_that_ignores_sigint_is_stopped_all_the_same() {
    if !have_root("a_command_that_ignores_sigint_is_stopped_all_the_same") {
        return;
    }
    let row = measured_row(
        &[
            "--tracer-cmd",
            "trap '' INT; exec sleep 93",
            "--settle-ms",
            "100",
            "--stop-timeout-ms",
            "200",
            "--events-per-op",
            "1",
        ],
        "probecost-cmd-sigint",
    );
    assert!(!running("sleep 93"), "the command outlived the measurement");
    let detach_ms = row["tracers"][0]["attach_times"]["detach_ms"]
        .as_f64()
        .unwrap();
    // SIGINT was ignored for the stop timeout; SIGTERM ended it.
    assert!(detach_ms >= 150.0, "{row}");
}

#[test]
fn a_command_that_prints_megabytes_is_measured_all_the_same() {
    if !have_root("a_command_that_prints_megabytes_is_measured_all_the_same") {
        return;
    }
    let row = measured_row(
        &[
            "--tracer-cmd",
            "exec yes probecost-yes-96",
            "--settle-ms",
            "100",
            "--events-per-op",
            "1",
        ],
        "probecost-cmd-yes",
    );
    assert_eq!(row["tracers"][0]["status"], "measured", "{row}");
    assert!(
        !running("probecost-yes-96"),
        "the command outlived the measurement"
    );
}

#[test]
fn a_command_that_exits_or_is_never_ready_is_one_line_with_nothing_left() {
    if !have_root("a_command_that_exits_or_is_never_ready_is_one_line_with_nothing_left") {
        return;
    }
    let cases: [(&[&str], &str); 3] = [
        (
            &["--tracer-cmd", "true"],
            "exited (exit status: 0) before it was ready",
        ),
        (
            &["--tracer-cmd", "echo no such tool >&2; exit 3"],
            "no such tool",
        ),
        (
            &[
                "--tracer-cmd",
                "sleep 94",
                "--ready-line",
                "^listening$",
                "--ready-timeout-ms",
                "500",
            ],
            "was not ready within 500ms (waiting for a line matching `^listening$`)",
        ),
    ];
    for (args, expected) in cases {
        let before = ProgramCensus::take();
        let output = measure(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("probecost: error: ") && stderr.contains(expected),
            "{args:?}: expected `{expected}` in:\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(before.settled(), 0, "{args:?}: left loaded");
        assert!(!running("sleep 94"), "sleep left running");
        assert!(output.stdout.is_empty(), "nothing measured: {args:?}");
    }
}

#[test]
fn ctrl_c_mid_measure_exits_130_and_stops_the_command() {
    if !have_root("ctrl_c_mid_measure_exits_130_and_stops_the_command") {
        return;
    }
    let output = interrupted_after(
        &[
            "measure",
            "--tracer-cmd",
            "exec sleep 95",
            "--settle-ms",
            "100",
            "--events-per-op",
            "1",
            "--runs",
            "50",
        ],
        std::time::Duration::from_millis(2500),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!running("sleep 95"), "the command outlived the measurement");
}
