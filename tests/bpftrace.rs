//! bpftrace beside probecost's own programs: both columns and the ratio come out, a broken
//! script is a clear error naming the scenario, and bpftrace is always reaped with its probes
//! gone, also when probecost is interrupted.

use std::{
    process::{Child, Command, Stdio},
    thread::sleep,
    time::{Duration, Instant},
};

use probecost_core::{benchmark::PreparedScenario as _, scenario::ScenarioCatalog};
use probecost_integration_tests::{
    bpftrace_processes, csv_records, exit_code_and_stdout, have_root, probecost_bin, ProgramCensus,
};
use probecost_linux::{
    bpftrace::{AttachedProbes, BpftraceBackend, BpftraceProcess},
    KernelFeatures,
};

fn assert_nothing_left(programs_before: ProgramCensus) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !bpftrace_processes().is_empty() && Instant::now() < deadline {
        sleep(Duration::from_millis(100));
    }
    assert_eq!(
        bpftrace_processes(),
        Vec::<u32>::new(),
        "bpftrace left running"
    );
    assert_eq!(programs_before.settled(), 0, "programs left in the kernel");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn both_tracers_give_a_column_each_and_the_ratio() {
    if !have_root("both_tracers_give_a_column_each_and_the_ratio") {
        return;
    }
    let before = ProgramCensus::take();
    let csv = std::env::temp_dir().join(format!("probecost-bpftrace-{}.csv", std::process::id()));
    let output = Command::new(probecost_bin())
        .args([
            "run",
            "--tracer",
            "aya,bpftrace",
            "--scenario",
            "kprobe,map",
        ])
        .args(["--runs", "2", "--run-time-ms", "100", "--export-csv"])
        .arg(&csv)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("aya ns/ev") && stdout.contains("bpftrace ns/ev"),
        "{stdout}"
    );
    assert!(
        stdout.contains("bpftrace v0."),
        "bpftrace's version is recorded:\n{stdout}"
    );
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    std::fs::remove_file(&csv).unwrap();
    let map_records: Vec<_> = csv_records(&csv_text)
        .into_iter()
        .filter(|r| r["scenario"] == "map")
        .collect();
    assert_eq!(map_records.len(), 2, "{csv_text}");
    for record in map_records {
        let ratio: f64 = record["per_event_ratio_aya_bpftrace"]
            .parse()
            .expect("aya/bpftrace ratio filled in");
        assert!(ratio > 0.0, "{record:?}");
        assert_eq!(record["events_verified"], "true", "{record:?}");
    }
    assert_nothing_left(before);
}

/// The three Linux tracers in the same rounds: a column each, every row's events verified for
/// each, and the instruction counts of the two tracers whose programs are probecost's.
#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn aya_libbpf_and_bpftrace_run_interleaved_with_events_verified() {
    if !have_root("aya_libbpf_and_bpftrace_run_interleaved_with_events_verified") {
        return;
    }
    let before = ProgramCensus::take();
    let json = std::env::temp_dir().join(format!("probecost-three-{}.json", std::process::id()));
    let output = Command::new(probecost_bin())
        .args(["run", "--tracer", "aya,libbpf,bpftrace"])
        .args(["--scenario", "kprobe,map,kernel-stack,per-event"])
        .args(["--runs", "2", "--run-time-ms", "100", "--export-json"])
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("libbpf ns/ev"), "{stdout}");
    let report = probecost_integration_tests::take_report(&json);
    let scenarios = report["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 4);
    for row in scenarios.iter().filter(|r| r["name"] != "control") {
        let tracers: Vec<&str> = row["tracers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["tracer"].as_str().unwrap())
            .collect();
        assert_eq!(tracers, ["aya", "libbpf", "bpftrace"], "{}", row["name"]);
        for tracer in row["tracers"].as_array().unwrap() {
            assert_eq!(tracer["events_verified"], true, "{}: {tracer}", row["name"]);
            assert_eq!(
                tracer["traced_runs"].as_array().unwrap().len(),
                2,
                "{}: {tracer}",
                row["name"]
            );
            let insns = &tracer["verification"]["xlated_insns"];
            if tracer["tracer"] == "bpftrace" {
                assert!(insns.is_null(), "{tracer}");
            } else {
                assert!(insns.as_u64().is_some_and(|n| n > 0), "{tracer}");
            }
        }
    }
    assert_nothing_left(before);
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_broken_script_is_a_clear_error_naming_the_scenario() {
    if !have_root("a_broken_script_is_a_clear_error_naming_the_scenario") {
        return;
    }
    let before = ProgramCensus::take();
    let backend = BpftraceBackend::new(KernelFeatures::detect(), "/dev/null".into(), 0).unwrap();
    let map = ScenarioCatalog.find("map").unwrap();
    let mut broken = backend
        .with_script(
            map,
            "tracepoint:syscalls:sys_enter_read { @ = nosuchfunction(); }".into(),
        )
        .unwrap();
    let error = broken.attach().unwrap_err().to_string();
    assert!(error.contains("scenario `map`"), "{error}");
    assert!(error.contains("bpftrace rejected the script"), "{error}");
    assert!(error.contains("nosuchfunction"), "{error}");
    assert_nothing_left(before);
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn without_bpftrace_the_tracer_is_a_one_line_error() {
    if !have_root("without_bpftrace_the_tracer_is_a_one_line_error") {
        return;
    }
    let output = Command::new(probecost_bin())
        .args(["run", "--tracer", "bpftrace", "--scenario", "map"])
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("bpftrace is not installed"), "{stderr}");
    assert!(stderr.contains("cargo xtask setup"), "{stderr}");
}

/// A long `run --tracer bpftrace`, returned once its bpftrace child is attached; in a process
/// group of its own (as a shell's job) when `own_group`.
fn run_with_bpftrace_attached(own_group: bool) -> Child {
    let mut command = Command::new(probecost_bin());
    if own_group {
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
    }
    let child = command
        .args([
            "run",
            "--tracer",
            "bpftrace",
            "--scenario",
            "map",
            "--runs",
            "40",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while bpftrace_processes().is_empty() {
        assert!(Instant::now() < deadline, "bpftrace never started");
        sleep(Duration::from_millis(20));
    }
    sleep(Duration::from_millis(300));
    child
}

/// Sends `signal` to probecost, or to its whole process group (bpftrace included, as Ctrl-C in
/// a terminal does) when `whole_group`, once bpftrace is attached: exit 130, nothing left.
fn interrupt_mid_run(signal: libc::c_int, name: &str, whole_group: bool) {
    if !have_root(name) {
        return;
    }
    let before = ProgramCensus::take();
    let mut child = run_with_bpftrace_attached(whole_group);
    if whole_group {
        // SAFETY: signalling the process group of a child of this test that is not reaped.
        assert_eq!(
            unsafe { libc::kill(-(child.id() as libc::pid_t), signal) },
            0
        );
    } else {
        probecost_integration_tests::send_signal(&child, signal);
    }
    let (code, stdout) = exit_code_and_stdout(&mut child, Duration::from_secs(30));
    assert_eq!(code, Some(130), "{stdout}");
    assert_nothing_left(before);
}

/// The runner starts the next run once `detach` returns, before bpftrace has exited: by then
/// its probe must be off: the kernel answers for none of its descriptors as an attached probe,
/// bpftrace is not inside the `close` that unhooks one, and reads made right after are not in
/// the count bpftrace prints at exit.
#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_detached_bpftrace_counts_no_more_reads_and_its_output_comes_after() {
    if !have_root("a_detached_bpftrace_counts_no_more_reads_and_its_output_comes_after") {
        return;
    }
    const READS_AFTER: u64 = 200_000;
    let before = ProgramCensus::take();
    let sink = std::env::temp_dir().join(format!("probecost-detach-{}", std::process::id()));
    let script = "tracepoint:syscalls:sys_enter_read { @reads = count(); }";
    let (process, _) = BpftraceProcess::start(script, 1, &sink).expect("bpftrace attaches");
    let pid = process.pid();
    assert!(
        !AttachedProbes::of(pid).is_empty(),
        "the kernel answers for bpftrace's probe while it is attached"
    );
    let detached = process.detach().expect("bpftrace detaches");
    assert!(
        AttachedProbes::of(pid).is_empty(),
        "a probe of bpftrace still attached after detach returned"
    );
    // The kernel unhooks a perf-event probe inside the `close` of its descriptor, after the
    // descriptor has left the table: that close must have returned too.
    let in_close = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .any(|task| {
            std::fs::read_to_string(task.path().join("syscall")).is_ok_and(|text| {
                text.split_whitespace().next() == Some(libc::SYS_close.to_string().as_str())
            })
        });
    assert!(
        !in_close,
        "bpftrace was still closing a descriptor when detach returned"
    );
    let mut zero = std::fs::File::open("/dev/zero").unwrap();
    let mut byte = [0u8; 1];
    for _ in 0..READS_AFTER {
        std::io::Read::read_exact(&mut zero, &mut byte).unwrap();
    }
    assert!(detached.took() > Duration::ZERO);
    let output = detached.finish().expect("bpftrace exits cleanly");
    let printed = std::fs::read_to_string(&sink).unwrap_or_default();
    let _ = std::fs::remove_file(&sink);
    let counted: u64 = printed
        .lines()
        .find_map(|line| line.strip_prefix("@reads: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no @reads line in bpftrace's output: {printed}"));
    assert!(
        counted < READS_AFTER / 4,
        "bpftrace counted {counted} reads: the {READS_AFTER} made after detach were traced"
    );
    assert!(output.lines >= 1, "its map is printed at exit");
    assert_nothing_left(before);
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigint_reaps_bpftrace_and_leaves_no_probe() {
    interrupt_mid_run(
        libc::SIGINT,
        "sigint_reaps_bpftrace_and_leaves_no_probe",
        false,
    );
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigterm_reaps_bpftrace_and_leaves_no_probe() {
    interrupt_mid_run(
        libc::SIGTERM,
        "sigterm_reaps_bpftrace_and_leaves_no_probe",
        false,
    );
}

/// Ctrl-C in a terminal signals the whole job, bpftrace included, which may die of it while it
/// starts or stops: still the interruption, not an error.
#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigint_to_the_whole_process_group_is_an_interruption() {
    interrupt_mid_run(
        libc::SIGINT,
        "sigint_to_the_whole_process_group_is_an_interruption",
        true,
    );
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigkill_takes_bpftrace_down_too() {
    if !have_root("sigkill_takes_bpftrace_down_too") {
        return;
    }
    let before = ProgramCensus::take();
    let mut child = run_with_bpftrace_attached(false);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_nothing_left(before);
}
