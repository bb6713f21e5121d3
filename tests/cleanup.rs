//! Every way out of a run leaves none of probecost's programs in the kernel.

use std::{
    io::Read as _,
    process::{Child, Command, Stdio},
    thread::sleep,
    time::{Duration, Instant},
};

use probecost_integration_tests::{
    exit_code_and_stdout, have_root, probecost_bin, wait_with_timeout, ProgramCensus,
};

fn start_long_run() -> Child {
    Command::new(probecost_bin())
        .args(["run", "--scenario", "map,per-event", "--runs", "40"])
        // Both of probecost's program sets: Rust through aya, C through libbpf.
        .args(["--tracer", "aya,libbpf"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the child has its programs loaded (so the signal lands mid-run).
fn wait_until_loaded(before: &ProgramCensus) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while before.loaded_since() == 0 {
        assert!(
            Instant::now() < deadline,
            "probecost never loaded its programs"
        );
        sleep(Duration::from_millis(50));
    }
    sleep(Duration::from_millis(700));
}

fn signal_mid_run(signal: libc::c_int, name: &str) {
    if !have_root(name) {
        return;
    }
    let before = ProgramCensus::take();
    let mut child = start_long_run();
    wait_until_loaded(&before);
    probecost_integration_tests::send_signal(&child, signal);
    let status = wait_with_timeout(&mut child, Duration::from_secs(30));
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(status.code(), Some(130), "stdout:\n{stdout}");
    assert!(
        stdout.contains("(interrupted)"),
        "the partial table is printed:\n{stdout}"
    );
    assert_eq!(before.settled(), 0, "programs left behind");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigint_mid_run_reports_and_leaves_nothing() {
    signal_mid_run(libc::SIGINT, "sigint_mid_run_reports_and_leaves_nothing");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigterm_mid_run_reports_and_leaves_nothing() {
    signal_mid_run(libc::SIGTERM, "sigterm_mid_run_reports_and_leaves_nothing");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigkill_leaves_nothing_either() {
    if !have_root("sigkill_leaves_nothing_either") {
        return;
    }
    let before = ProgramCensus::take();
    let mut child = start_long_run();
    wait_until_loaded(&before);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(before.settled(), 0, "programs left behind");
}

/// Runs probecost with `args`, sends SIGINT `delay` after `marker` appears on its stderr,
/// checks that it said it was interrupted (exit 130, `(interrupted)` on its table and in the
/// JSON report at `json`), and returns that report.
fn interrupt_after(
    args: &[&str],
    marker: &str,
    delay: Duration,
    json: &std::path::Path,
) -> serde_json::Value {
    let before = ProgramCensus::take();
    let mut child = Command::new(probecost_bin())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    while !seen.contains(marker) {
        let n = stderr.read(&mut buf).unwrap();
        assert!(n > 0, "probecost ended before `{marker}`: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    sleep(delay);
    probecost_integration_tests::send_signal(&child, libc::SIGINT);
    let (code, stdout) = exit_code_and_stdout(&mut child, Duration::from_secs(30));
    assert_eq!(code, Some(130), "{stdout}");
    assert!(stdout.contains("(interrupted)"), "{stdout}");
    let report = probecost_integration_tests::read_report(json);
    assert_eq!(report["interrupted"], true, "{report}");
    assert_eq!(before.settled(), 0, "programs left in the kernel");
    report
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigint_during_attach_scales_trade_keeps_the_rows() {
    if !have_root("sigint_during_attach_scales_trade_keeps_the_rows") {
        return;
    }
    let json = std::env::temp_dir().join(format!("probecost-trade-{}.json", std::process::id()));
    let json_arg = json.to_string_lossy().into_owned();
    // The attach row comes first; the per-event trade follows it.
    let report = interrupt_after(
        &[
            "attach-scale",
            "--kind",
            "syscalls-entry",
            "--counts",
            "1",
            "--repeat",
            "1",
            "--window-ms",
            "10",
            "--export-json",
            &json_arg,
        ],
        "probes: attach",
        Duration::from_millis(500),
        &json,
    );
    std::fs::remove_file(&json).unwrap();
    assert_eq!(report["rows"].as_array().unwrap().len(), 1, "{report}");
    assert!(report["per_event_trade"].is_null(), "{report}");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigint_during_workloads_make_clean_keeps_the_runs() {
    if !have_root("sigint_during_workloads_make_clean_keeps_the_runs") {
        return;
    }
    // A build tree whose `make clean` takes seconds, so the signal lands inside it.
    let dir = std::env::temp_dir().join(format!("probecost-clean-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Makefile"),
        "check:\n\t@sleep 0.2\nclean:\n\t@sleep 4\n",
    )
    .unwrap();
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let (json, csv, build_dir) = (path("r.json"), path("r.csv"), path(""));
    // The first timed run (the baseline) ends; the next reset's `make clean` starts at once.
    let report = interrupt_after(
        &[
            "workload",
            "--sets",
            "sched-all",
            "--runs",
            "3",
            "--build-dir",
            &build_dir,
            "--export-json",
            &json,
            "--export-csv",
            &csv,
        ],
        "baseline",
        Duration::from_millis(1000),
        std::path::Path::new(&json),
    );
    let results = report["results"].as_array().unwrap();
    assert_eq!(results[0]["name"], "baseline");
    assert_eq!(
        results[0]["runs_s"].as_array().unwrap().len(),
        1,
        "{report}"
    );
    // The CSV export was written with the same rows.
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        csv_text.lines().nth(1).unwrap().starts_with("baseline,"),
        "{csv_text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigint_mid_suite_keeps_the_rows_with_rounds() {
    if !have_root("sigint_mid_suite_keeps_the_rows_with_rounds") {
        return;
    }
    let json = std::env::temp_dir().join(format!("probecost-rounds-{}.json", std::process::id()));
    let json_arg = json.to_string_lossy().into_owned();
    // The first round has ended for every row; the second is under way.
    let report = interrupt_after(
        &[
            "run",
            "--scenario",
            "map,kernel-stack",
            "--tracer",
            "aya,libbpf",
            "--runs",
            "40",
            "--export-json",
            &json_arg,
        ],
        "[round 1/",
        Duration::from_millis(300),
        &json,
    );
    std::fs::remove_file(&json).unwrap();
    let scenarios = report["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 2, "{report}");
    for row in scenarios {
        assert!(row["runs"].as_u64().unwrap() >= 1, "{row}");
        assert_eq!(row["interrupted"], true, "{row}");
        assert!(row["tracers"][0]["per_event_ns"].is_number(), "{row}");
    }
}
