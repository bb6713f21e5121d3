//! Many-probe sets: `attach-scale` and `workload` count activations, leave no program behind,
//! and refuse an unknown glob or a set the kernel cannot attach before anything runs.

use std::process::Command;

use probecost_integration_tests::{have_root, probecost_bin, ProgramCensus};

fn run(args: &[&str]) -> std::process::Output {
    Command::new(probecost_bin()).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn the_fast_syscall_set_attaches_and_detaches_all_syscalls_quickly() {
    if !have_root("the_fast_syscall_set_attaches_and_detaches_all_syscalls_quickly") {
        return;
    }
    let before = ProgramCensus::take();
    let json = std::env::temp_dir().join(format!("probecost-scale-{}.json", std::process::id()));
    let output = run(&[
        "attach-scale",
        "--kind",
        "syscalls",
        "--mechanism",
        "raw",
        "--counts",
        "all",
        "--repeat",
        "1",
        "--no-trade",
        "--export-json",
        json.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    std::fs::remove_file(&json).unwrap();
    let row = &report["rows"][0];
    assert_eq!(row["mechanism"], "raw-syscalls");
    assert_eq!(row["links"], 2, "two raw tracepoints cover every syscall");
    assert!(row["probes"].as_u64().unwrap() > 400, "{row}");
    assert!(row["activations"].as_u64().unwrap() > 0, "{row}");
    assert_eq!(before.settled(), 0, "programs left in the kernel");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn per_probe_tracepoints_count_activations_and_leave_nothing() {
    if !have_root("per_probe_tracepoints_count_activations_and_leave_nothing") {
        return;
    }
    let before = ProgramCensus::take();
    let output = run(&[
        "attach-scale",
        "--kind",
        "tracepoint:sched:sched_switch",
        "--counts",
        "1",
        "--repeat",
        "2",
    ]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let row = stdout
        .lines()
        .find(|l| l.starts_with("aya ") && l.contains("perf-event"))
        .unwrap_or_else(|| panic!("no row:\n{stdout}"));
    let activations: u64 = row.split_whitespace().last().unwrap().parse().unwrap();
    assert!(activations > 0, "sched_switch fired while attached: {row}");
    assert_eq!(before.settled(), 0, "programs left in the kernel");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_workload_scenario_counts_activations_of_a_short_command() {
    if !have_root("a_workload_scenario_counts_activations_of_a_short_command") {
        return;
    }
    let before = ProgramCensus::take();
    let json = std::env::temp_dir().join(format!("probecost-wl-{}.json", std::process::id()));
    let output = run(&[
        "workload",
        "--sets",
        "sched-all+syscall-all",
        "--runs",
        "1",
        "--export-json",
        json.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        "ls / > /dev/null; sleep 0.2",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    std::fs::remove_file(&json).unwrap();
    let traced = &report["results"][1];
    assert_eq!(traced["name"], "sched-all+syscall-all");
    assert!(traced["activations"].as_u64().unwrap() > 0, "{traced}");
    assert!(traced["attach_ms"].as_f64().is_some() && traced["detach_ms"].as_f64().is_some());
    assert!(report["results"][0]["best_s"].as_f64().unwrap() >= 0.2);
    assert_eq!(before.settled(), 0, "programs left in the kernel");
}

/// Neither the command nor anything else runs when a set cannot be attached.
fn refused_before_running(set: &str, expected: &[&str]) {
    let marker = std::env::temp_dir().join(format!("probecost-ran-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let before = ProgramCensus::take();
    let output = run(&[
        "workload",
        "--sets",
        set,
        "--runs",
        "1",
        "--",
        "touch",
        marker.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        expected.iter().any(|e| stderr.contains(e)),
        "{stderr} (expected one of {expected:?})"
    );
    assert!(!marker.exists(), "the command ran");
    assert_eq!(before.settled(), 0, "programs left in the kernel");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn an_unknown_tracepoint_glob_is_refused_before_anything_runs() {
    if !have_root("an_unknown_tracepoint_glob_is_refused_before_anything_runs") {
        return;
    }
    refused_before_running(
        "sched-all+tracepoint:no_such_category:*",
        &["no tracepoint matches `no_such_category:*`"],
    );
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_set_the_kernel_cannot_attach_is_refused_before_anything_runs() {
    if !have_root("a_set_the_kernel_cannot_attach_is_refused_before_anything_runs") {
        return;
    }
    // Without kprobes the kernel cannot attach it; with them, no function matches.
    refused_before_running(
        "kprobe:probecost_no_such_function_*",
        &[
            "this kernel cannot attach kprobes",
            "no probeable kernel function matches",
        ],
    );
}
