//! What a user sees on bad input: one clear line and a non-zero exit, never a panic.

use std::process::Command;

use probecost_integration_tests::{
    csv_records, have_root, probecost_bin, short_run_with_baselines,
};

fn stderr_lines(output: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn unknown_scenario_is_one_line_listing_valid_names() {
    let output = Command::new(probecost_bin())
        .args(["run", "--scenario", "map,no-such-scenario"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("unknown scenario `no-such-scenario`"),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("valid scenarios: control, kprobe"),
        "{}",
        lines[0]
    );
    assert!(!lines[0].contains("panicked"));
}

#[test]
fn without_privileges_run_says_so_in_one_line() {
    let mut command = if have_root("(as root: the check runs as nobody through setpriv)") {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(probecost_bin());
        c
    } else {
        Command::new(probecost_bin())
    };
    let output = command.args(["run", "--scenario", "map"]).output().unwrap();
    assert!(!output.status.success());
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("needs root (or CAP_BPF and CAP_PERFMON)"),
        "{}",
        lines[0]
    );
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn list_names_every_scenario_and_its_support() {
    if !have_root("list_names_every_scenario_and_its_support") {
        return;
    }
    let output = Command::new(probecost_bin()).arg("list").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The support column starts where its header does.
    let header = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("row"))
        .unwrap_or_else(|| panic!("no header in:\n{stdout}"));
    let column = header.find("this kernel").expect("a support column");
    for scenario in probecost_core::scenario::ScenarioCatalog.every() {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(scenario.name))
            .unwrap_or_else(|| panic!("{} missing from:\n{stdout}", scenario.name));
        let support = &line[column..];
        assert!(
            support == "yes"
                || support.starts_with("yes (")
                || support.starts_with("substituted: ")
                || support.starts_with("unsupported: "),
            "{line}"
        );
        if scenario.is_control() {
            assert_eq!(support, "yes", "{line}");
        }
    }
}

/// On Linux the measuring commands make each run of the loop a new process of probecost
/// (`workload-child --wait-for-start`): it is started and ready before the tracer attaches and
/// runs nothing until told to; what comes back is the child's own sample; a process never
/// told to run is gone once dropped; an executable that is not probecost is one error naming
/// it.
#[cfg(target_os = "linux")]
#[test]
fn each_run_of_the_loop_can_be_a_new_probecost_process_started_ahead() {
    use probecost_core::workload::{PinnedWorkload, Workload};
    use std::sync::atomic::AtomicBool;

    let stop = AtomicBool::new(false);
    let workload = PinnedWorkload::new(0)
        .unwrap()
        .in_new_processes_of(probecost_bin());
    assert!(workload.description().contains("new process"));
    let ready = workload.ready(3000, &stop).unwrap();
    // Ready and waiting: the loop has not started, so the time spent here is no run's.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let sample = ready.go().unwrap();
    assert_eq!(sample.ops, 3000);
    assert!(!sample.histogram.is_empty());
    assert!(
        sample.elapsed < std::time::Duration::from_millis(250),
        "{sample:?}"
    );
    assert_eq!(workload.run(2000, &stop).unwrap().ops, 2000);
    let with_sites = PinnedWorkload::new(0)
        .unwrap()
        .with_uprobe_sites()
        .in_new_processes_of(probecost_bin());
    assert_eq!(with_sites.run(2000, &stop).unwrap().ops, 2000);

    // An operation count no other test uses names this test's process.
    let standing_by = || {
        let out = Command::new("pgrep")
            .args(["-f", "workload-child --cpu 0 --ops 1237 "])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    let never_run = workload.ready(1237, &stop).unwrap();
    assert_eq!(standing_by(), 1);
    drop(never_run);
    assert_eq!(standing_by(), 0);

    for exe in ["/bin/false", "/no/such/probecost"] {
        let wrong = PinnedWorkload::new(0)
            .unwrap()
            .in_new_processes_of(exe.into());
        let error = wrong.run(10, &stop).unwrap_err().to_string();
        assert!(error.contains(exe), "{error}");
    }
}

#[test]
fn the_workload_child_reports_its_own_timing_on_the_inherited_descriptor() {
    // The FreeBSD backend runs pid$target scenarios this way; the child side is the same here.
    let report = std::env::temp_dir().join(format!("probecost-child-{}", std::process::id()));
    let output = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "exec \"$0\" workload-child --cpu 0 --ops 3000 --report-fd 3 3>{}",
            report.display()
        ))
        .arg(probecost_bin())
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let text = std::fs::read_to_string(&report).unwrap();
    std::fs::remove_file(&report).unwrap();
    let sample = probecost_core::workload_child::decode(&text).unwrap();
    assert_eq!(sample.ops, 3000);
    assert!(!sample.histogram.is_empty());

    let bad = Command::new(probecost_bin())
        .args([
            "workload-child",
            "--cpu",
            "0",
            "--ops",
            "10",
            "--report-fd",
            "1",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert_eq!(stderr_lines(&bad).len(), 1);
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn the_real_dd_workload_and_every_export_work_end_to_end() {
    if !have_root("the_real_dd_workload_and_every_export_work_end_to_end") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("probecost-exports-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let output = Command::new(probecost_bin())
        .args(["run", "--scenario", "tracepoint-entry", "--runs", "2"])
        .args(["--run-time-ms", "150", "--workload", "dd"])
        .args([
            "--export-json",
            &path("r.json"),
            "--export-markdown",
            &path("r.md"),
        ])
        .args(["--export-csv", &path("r.csv"), "--plot", &path("r.svg")])
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("workload: dd if=/dev/zero of=/dev/null bs=1"),
        "{stdout}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(path("r.json")).unwrap()).unwrap();
    let tracer = &json["scenarios"][0]["tracers"][0];
    assert_eq!(tracer["tracer"], "aya");
    // A number, not a verdict: 150 ms runs of a ~50 ns probe are too short to rule out noise.
    assert!(tracer["per_event_ns"].as_f64().is_some(), "{tracer}");
    assert_eq!(tracer["events_verified"], true, "{tracer}");
    assert!(std::fs::read_to_string(path("r.md"))
        .unwrap()
        .contains("| 4 | `tracepoint-entry` |"));
    let records = csv_records(&std::fs::read_to_string(path("r.csv")).unwrap());
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["scenario"], "tracepoint-entry");
    assert_eq!(records[0]["tracer"], "aya");
    assert_eq!(records[0]["events_verified"], "true");
    assert!(std::fs::read_to_string(path("r.svg"))
        .unwrap()
        .contains("4 tracepoint-entry"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn target_ci_adds_rounds_until_each_row_is_precise_enough_or_the_maximum() {
    if !have_root("target_ci_adds_rounds_until_each_row_is_precise_enough_or_the_maximum") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("probecost-target-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("r.json");
    // A loose target the bare tracepoint reaches in a few rounds, and one no row can reach.
    for (target, max) in [("60", 8), ("0.01", 4)] {
        let output = Command::new(probecost_bin())
            .args(["run", "--scenario", "control,tracepoint-entry"])
            .args(["--run-time-ms", "100", "--no-verify", "--runs", "3"])
            .args(["--target-ci", target, "--max-runs", &max.to_string()])
            .arg("--export-json")
            .arg(&json)
            .output()
            .unwrap();
        assert!(output.status.success(), "{:?}", stderr_lines(&output));
        let report: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        assert_eq!(report["target_ci_pct"], target.parse::<f64>().unwrap());
        assert_eq!(report["max_runs"], max);
        let control = &report["scenarios"][0];
        assert_eq!(control["runs"], 3, "the control row runs the minimum");
        let row = &report["scenarios"][1];
        let rounds = row["runs"].as_u64().unwrap();
        let precision = row["tracers"][0]["ci95_half_width_pct"].as_f64().unwrap();
        assert!((3..=max).contains(&rounds), "{row}");
        if precision > target.parse().unwrap() {
            assert_eq!(
                rounds, max,
                "stopped before the target or the maximum: {row}"
            );
        } else if target == "0.01" {
            panic!("a 0.01 % interval from 4 rounds: {row}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn max_time_stops_rows_that_cannot_reach_the_target_at_the_budget() {
    if !have_root("max_time_stops_rows_that_cannot_reach_the_target_at_the_budget") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("probecost-budget-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("r.json");
    let started = std::time::Instant::now();
    // A target no row reaches and a maximum no row could get to in the budget.
    let output = Command::new(probecost_bin())
        .args(["run", "--scenario", "control,tracepoint-entry"])
        .args(["--run-time-ms", "100", "--no-verify", "--rounds", "3"])
        .args([
            "--target-ci",
            "0.01",
            "--max-rounds",
            "1000",
            "--max-time",
            "3",
        ])
        .arg("--export-json")
        .arg(&json)
        .output()
        .unwrap();
    let took = started.elapsed();
    assert!(output.status.success(), "{:?}", stderr_lines(&output));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["max_time_s"], 3);
    let row = &report["scenarios"][1];
    let rounds = row["runs"].as_u64().unwrap();
    assert!(
        (3..=40).contains(&rounds),
        "{rounds} rounds in a 3 s budget"
    );
    assert!(took.as_secs() < 60, "took {took:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(
            "target ±0.01 %: 0 of 1 rows reached it; the others stopped at 1000 rounds or the 3 s \
             budget (--max-time)"
        ),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--max-time spent"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_reader_that_goes_away_ends_probecost_quietly() {
    use std::os::fd::{FromRawFd as _, OwnedFd};

    // A pipe whose read end is already closed: the first write gets EPIPE.
    let mut fds = [0; 2];
    // SAFETY: pipe fills two descriptors that this test then owns.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: both descriptors are fresh from pipe().
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    let output = Command::new(probecost_bin())
        .arg("list")
        .stdout(write)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

#[test]
fn inputs_are_checked_before_anything_is_measured() {
    let started = std::time::Instant::now();
    let output = Command::new(probecost_bin())
        .args(["run", "--export-json", "/nonexistent/dir/r.json"])
        .output()
        .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert!(!output.status.success());
    let lines = stderr_lines(&output);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("--export-json /nonexistent/dir/r.json: cannot create it"),
        "{}",
        lines[0]
    );
    for (args, expected) in [
        (&["run", "--ops", "0"][..], "invalid value '0' for '--ops"),
        (
            &["run", "--rounds", "0"][..],
            "invalid value '0' for '--rounds",
        ),
        // The old name is still taken, and refused the same way.
        (
            &["run", "--runs", "0"][..],
            "invalid value '0' for '--rounds",
        ),
        (
            &["run", "--scenario", ""][..],
            "--scenario needs at least one name",
        ),
        (
            &["run", "--cpu", "100000"][..],
            "--cpu 100000: not a CPU this process may use",
        ),
        (
            &["run", "--target-ci", "0"][..],
            "0 is not a percentage above 0",
        ),
        (
            &["run", "--max-runs", "9"][..],
            "required arguments were not provided:\n  --target-ci",
        ),
    ] {
        let output = Command::new(probecost_bin()).args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?}");
        let text = String::from_utf8_lossy(&output.stderr);
        assert!(text.contains(expected), "{args:?}: {text}");
        assert!(!text.contains("panicked"), "{args:?}: {text}");
    }
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_second_measurement_refuses_naming_the_first() {
    if !have_root("a_second_measurement_refuses_naming_the_first") {
        return;
    }
    let mut first = Command::new(probecost_bin())
        .args(["run", "--scenario", "tracepoint-entry", "--runs", "40"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The first holds the lock once it prints its environment block (stderr progress starts
    // after); give it a moment.
    let mut refused = None;
    for _ in 0..50 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        let second = Command::new(probecost_bin())
            .args(["run", "--scenario", "tracepoint-entry", "--runs", "1"])
            .output()
            .unwrap();
        if !second.status.success() {
            refused = Some(stderr_lines(&second));
            break;
        }
    }
    let _ = first.kill();
    let _ = first.wait();
    let lines = refused.expect("the second run was never refused");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains(&format!(
            "another probecost is measuring on this machine (PID {},",
            first.id()
        )),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("--allow-concurrent"), "{}", lines[0]);
}

/// A `probecost run` report measured on this machine kind (docs/results), as a comparison's base.
fn measured_report() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/results/2026-11-30-estimator/benchmark1-run-1.json"
    );
    probecost_integration_tests::read_report(path)
}

/// Asserts that the comparison exported to `csv` found no change on any measured row; an
/// unsupported one (aya-log through libbpf) has nothing to compare.
fn assert_no_change(csv: &std::path::Path) {
    let records = csv_records(&std::fs::read_to_string(csv).unwrap());
    assert!(
        records.iter().all(|r| r["verdict"] == "no change"
            || (r["verdict"] == "not comparable" && r["base ns/event"].is_empty())),
        "{records:?}"
    );
}

/// Asserts that the command exited with `code`, showing its stderr otherwise.
fn assert_exits(output: &std::process::Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "{:?}",
        stderr_lines(output)
    );
}

/// Asserts that `compare --fail-if-slower` exited 1 with one line naming `row`.
fn assert_gate_names(output: &std::process::Output, row: &str) {
    assert_exits(output, 1);
    let stderr = stderr_lines(output);
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].contains(row), "{stderr:?}");
}

/// Every figure of `run` (a report's control or traced run) times `factor`.
fn scaled_run(run: &mut serde_json::Value, factor: f64) {
    let scale = |v: &mut serde_json::Value| *v = (v.as_f64().unwrap() * factor).into();
    scale(&mut run["mean_ns_per_op"]);
    for (_, quantile) in run["batch_ns_per_op"].as_object_mut().unwrap() {
        scale(quantile);
    }
}

#[test]
fn compare_at_base_speed_sees_through_a_machine_slower_as_a_whole() {
    let dir = std::env::temp_dir().join(format!("probecost-speed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A report of the current estimator, whose rows are within about ±2 %.
    let base = probecost_integration_tests::read_report(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/results/2026-12-03-shorter-runs/benchmark1-run-3.json"
    ));
    // The machine 8 % slower as a whole: every run of every row, control and traced.
    let mut machine = base.clone();
    for scenario in machine["scenarios"].as_array_mut().unwrap() {
        for run in scenario["control_runs"].as_array_mut().unwrap() {
            scaled_run(run, 1.08);
        }
        for tracer in scenario["tracers"].as_array_mut().unwrap() {
            for run in tracer["traced_runs"].as_array_mut().unwrap() {
                scaled_run(run, 1.08);
            }
        }
    }
    // ... and, on top of it, one row's probe 10 % dearer (its traced runs' cost above the
    // control's).
    let mut regressed = machine.clone();
    for scenario in regressed["scenarios"].as_array_mut().unwrap() {
        if scenario["name"] == "kernel-stack" {
            let control = scenario["control_runs"][0]["batch_ns_per_op"]["p1"]
                .as_f64()
                .unwrap();
            let traced = &scenario["tracers"][0]["traced_runs"][0]["batch_ns_per_op"]["p1"];
            let factor =
                1.0 + 0.1 * (traced.as_f64().unwrap() - control) / traced.as_f64().unwrap();
            for run in scenario["tracers"][0]["traced_runs"]
                .as_array_mut()
                .unwrap()
            {
                scaled_run(run, factor);
            }
        }
    }
    let write = |name: &str, value: &serde_json::Value| {
        let path = dir.join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        path
    };
    let base_path = write("base.json", &base);
    let compared = dir.join("compared.csv");
    let gate = |new: &serde_json::Value, name: &str, at_base_speed: bool| {
        let mut command = Command::new(probecost_bin());
        command
            .arg("compare")
            .arg(&base_path)
            .arg(write(name, new))
            .args([
                "--noise-threshold",
                "2",
                "--fail-if-slower",
                "2",
                "--export-csv",
            ])
            .arg(&compared);
        if at_base_speed {
            command.arg("--at-base-speed");
        }
        command.output().unwrap()
    };

    let as_measured = gate(&machine, "machine.json", false);
    assert_exits(&as_measured, 1);
    let stdout = String::from_utf8_lossy(&as_measured.stdout);
    assert!(
        stdout.contains("machine.json: +8.0 % against the base")
            && stdout.contains("--at-base-speed"),
        "{stdout}"
    );

    let at_base_speed = gate(&machine, "machine.json", true);
    assert_exits(&at_base_speed, 0);
    assert_no_change(&compared);

    assert_gate_names(
        &gate(&regressed, "regressed.json", true),
        "kernel-stack (aya",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compare_finds_an_injected_regression_and_only_it() {
    let dir = std::env::temp_dir().join(format!("probecost-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = measured_report();
    let mut slower = base.clone();
    // One row's traced batches 10 % slower (every figure of every traced run): the
    // regression the gate must catch.
    for scenario in slower["scenarios"].as_array_mut().unwrap() {
        if scenario["name"] == "kernel-stack" {
            let runs = scenario["tracers"][0]["traced_runs"]
                .as_array_mut()
                .unwrap();
            for run in runs {
                scaled_run(run, 1.1);
            }
        }
    }
    let write = |name: &str, value: &serde_json::Value| {
        let path = dir.join(name);
        std::fs::write(&path, value.to_string()).unwrap();
        path
    };
    let (base_path, slower_path) = (write("base.json", &base), write("slower.json", &slower));
    let compared = dir.join("compared.csv");
    let gate = |new: &std::path::Path| {
        Command::new(probecost_bin())
            .arg("compare")
            .args([&base_path, new])
            .args(["--fail-if-slower", "5", "--export-csv"])
            .arg(&compared)
            .output()
            .unwrap()
    };
    let unchanged = gate(&base_path);
    assert_exits(&unchanged, 0);
    assert_no_change(&compared);

    assert_gate_names(&gate(&slower_path), "kernel-stack (aya");
    let records = csv_records(&std::fs::read_to_string(&compared).unwrap());
    let slower_rows: Vec<_> = records
        .iter()
        .filter(|r| r["verdict"] == "slower")
        .collect();
    assert_eq!(slower_rows.len(), 1, "{records:?}");
    assert_eq!(
        slower_rows[0]["scenario"], "kernel-stack",
        "the run's row heading"
    );
    assert_eq!(slower_rows[0]["tracer"], "aya");

    let not_a_report = write("not-a-report.json", &serde_json::json!({ "rows": [] }));
    let refused = gate(&not_a_report);
    assert_eq!(refused.status.code(), Some(1));
    let stderr = stderr_lines(&refused);
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].contains("not a probecost report"), "{stderr:?}");

    // A workload report against a run report: one line naming both kinds.
    let workload = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/results/2026-11-28-debian12-kvm-amd-epyc/workload.json"
    );
    let mixed = gate(std::path::Path::new(workload));
    assert_eq!(mixed.status.code(), Some(1));
    let stderr = stderr_lines(&mixed);
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].contains("`workload` report"), "{stderr:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_saved_baseline_is_compared_with_the_next_run() {
    if !have_root("a_saved_baseline_is_compared_with_the_next_run") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("probecost-baseline-{}", std::process::id()));
    let run = |extra: &[&str]| short_run_with_baselines(&dir, extra);
    // A missing baseline stops the run before anything is measured.
    let missing = run(&["--baseline", "before"]);
    assert_eq!(missing.status.code(), Some(1));
    let stderr = stderr_lines(&missing);
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].contains("no baseline `before`"), "{stderr:?}");

    let saved = run(&["--save-baseline", "before"]);
    assert!(saved.status.success(), "{:?}", stderr_lines(&saved));
    assert!(dir.join("before.json").exists());
    let compared = run(&["--baseline", "before"]);
    assert!(compared.status.success(), "{:?}", stderr_lines(&compared));
    let stdout = String::from_utf8_lossy(&compared.stdout);
    assert!(stdout.contains("base: baseline before"), "{stdout}");
    assert!(stdout.contains("this run against the base:"), "{stdout}");
    let row = stdout
        .lines()
        .find(|l| l.starts_with("tracepoint-entry  aya"))
        .unwrap_or_else(|| panic!("no compared row in:\n{stdout}"));
    assert!(
        ["faster", "slower", "no change"]
            .iter()
            .any(|v| row.ends_with(v)),
        "{row}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
