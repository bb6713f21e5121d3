//! `probecost measure --object`: objects the tests compile themselves (tests/objects/, with
//! clang-22 alone) are measured against a control with each workload, and every bad input is
//! one line that leaves nothing loaded.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use probecost_integration_tests::{have_root, probecost_bin, ProgramCensus};

/// Compiles tests/objects/`name`.bpf.c into a fresh temporary file and returns its path.
fn compile(name: &str) -> PathBuf {
    let out = std::env::temp_dir().join(format!("probecost-{name}-{}.bpf.o", std::process::id()));
    compile_to(name, &[], &out);
    out
}

/// Compiles tests/objects/`name`.bpf.c with `defines` (`-D` flags) into `out`.
fn compile_to(name: &str, defines: &[&str], out: &Path) {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("objects/{name}.bpf.c"));
    let status = Command::new("clang-22")
        .args(["-target", "bpf", "-O2", "-g", "-Wall", "-Werror", "-c"])
        .args(defines.iter().map(|d| format!("-D{d}")))
        .arg(&source)
        .arg("-o")
        .arg(out)
        .status()
        .expect("running clang-22 (cargo xtask setup installs it)");
    assert!(status.success(), "clang-22 failed on {}", source.display());
}

fn measure(object: &Path, args: &[&str]) -> Output {
    Command::new(probecost_bin())
        .arg("measure")
        .arg("--object")
        .arg(object)
        .args(["--runs", "2", "--run-time-ms", "100"])
        .args(args)
        .output()
        .expect("running probecost")
}

/// Measures with a JSON export and returns the one row, after checking it was measured with
/// its events verified and left nothing loaded.
fn measured_row(object: &Path, args: &[&str]) -> serde_json::Value {
    let before = ProgramCensus::take();
    let json = object.with_extension("json");
    let mut all = args.to_vec();
    let json_arg = json.to_str().unwrap();
    all.splice(0..0, ["--export-json", json_arg]);
    let output = measure(object, &all);
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report = probecost_integration_tests::take_report(&json);
    assert_eq!(before.settled(), 0, "programs left loaded");
    let row = report["scenarios"][0].clone();
    let tracer = &row["tracers"][0];
    assert_eq!(tracer["tracer"], "libbpf", "{row}");
    assert_eq!(tracer["status"], "measured", "{row}");
    assert_eq!(tracer["events_verified"], true, "{row}");
    assert!(tracer["typical_ns"].as_f64().is_some(), "{row}");
    assert!(
        tracer["body_ns"].as_f64().is_some_and(|ns| ns > 0.0),
        "{row}"
    );
    assert!(
        tracer["verification"]["xlated_insns"]
            .as_u64()
            .is_some_and(|n| n > 0),
        "{row}"
    );
    row
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_tracepoint_object_is_measured_against_the_read_loop() {
    if !have_root("a_tracepoint_object_is_measured_against_the_read_loop") {
        return;
    }
    let object = compile("sys_enter_read");
    let row = measured_row(&object, &["--program", "count_reads"]);
    let events = row["events_per_op"].as_f64().unwrap();
    assert!(
        (1.0..1.1).contains(&events),
        "one read per operation: {row}"
    );
    assert_eq!(
        row["tracers"][0]["attach"], "SEC(\"tp/syscalls/sys_enter_read\")",
        "{row}"
    );
    std::fs::remove_file(object).unwrap();
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_uprobe_object_is_attached_where_attach_says() {
    if !have_root("a_uprobe_object_is_attached_where_attach_says") {
        return;
    }
    let object = compile("uprobe");
    let libc = libc_of_probecost();
    let point = format!("uprobe:{}:read", libc.display());
    let row = measured_row(&object, &["--attach", &point]);
    assert_eq!(row["tracers"][0]["attach"], point, "{row}");
    std::fs::remove_file(object).unwrap();
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_command_is_timed_as_a_whole_process_per_event_counted() {
    if !have_root("a_command_is_timed_as_a_whole_process_per_event_counted") {
        return;
    }
    let object = compile("sys_enter_read");
    let row = measured_row(
        &object,
        &[
            "--program",
            "count_reads",
            "--",
            "dd",
            "if=/dev/zero",
            "of=/dev/null",
            "bs=1",
            "count=5000",
        ],
    );
    // dd's 5000 reads and the few its start-up makes.
    let events = row["events_per_op"].as_f64().unwrap();
    assert!((5000.0..5100.0).contains(&events), "{row}");
    std::fs::remove_file(object).unwrap();
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn every_bad_input_is_one_line_and_leaves_nothing_loaded() {
    if !have_root("every_bad_input_is_one_line_and_leaves_nothing_loaded") {
        return;
    }
    let reads = compile("sys_enter_read");
    let uprobe = compile("uprobe");
    let rejected = compile("rejected");
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md");
    let not_bpf = probecost_bin();
    let cases: [(&Path, &[&str], &str); 6] = [
        (&readme, &[], "is not a BPF object (not an ELF file)"),
        (&not_bpf, &[], "not BPF (247)"),
        (&reads, &["--program", "nope"], "no program `nope` in"),
        (
            &uprobe,
            &[],
            "libbpf cannot attach SEC(\"uprobe\") by itself; give --attach",
        ),
        (
            &rejected,
            &[],
            "the kernel's verifier rejected program `unchecked_lookup`",
        ),
        (&reads, &[], "program `count_syncs` ran 0 times"),
    ];
    for (object, args, expected) in cases {
        let before = ProgramCensus::take();
        let output = measure(object, args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        let first = stderr.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("probecost: error: ") && first.contains(expected),
            "{}: expected `{expected}` in the first line of:\n{stderr}",
            object.display()
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(before.settled(), 0, "{args:?}: left loaded");
        assert!(output.stdout.is_empty(), "nothing measured: {args:?}");
    }
    // The rejection shows the verifier's last lines, not the whole log.
    let output = measure(&rejected, &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("invalid mem access 'map_value_or_null'"),
        "{stderr}"
    );
    assert!(stderr.lines().count() <= 10, "{stderr}");
    for object in [reads, uprobe, rejected] {
        std::fs::remove_file(object).unwrap();
    }
}

/// The libc probecost's `read` goes through.
fn libc_of_probecost() -> PathBuf {
    let output = Command::new("ldd").arg(probecost_bin()).output().unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find(|l| l.contains("libc.so"))
        .and_then(|l| l.split_whitespace().nth(2))
        .map(PathBuf::from)
        .expect("probecost links libc")
}

/// Starts a long `measure` and returns it once its programs are in the kernel.
fn measure_in_flight(object: &Path, before: &ProgramCensus) -> std::process::Child {
    let child = Command::new(probecost_bin())
        .arg("measure")
        .arg("--object")
        .arg(object)
        .args(["--program", "count_reads", "--runs", "40"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while before.loaded_since() == 0 {
        assert!(std::time::Instant::now() < deadline, "nothing was loaded");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Past the check run, into the rounds.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    child
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn sigint_and_sigkill_mid_measure_leave_nothing_loaded() {
    if !have_root("sigint_and_sigkill_mid_measure_leave_nothing_loaded") {
        return;
    }
    let object = compile("sys_enter_read");
    let before = ProgramCensus::take();
    let mut child = measure_in_flight(&object, &before);
    probecost_integration_tests::send_signal(&child, libc::SIGINT);
    let (code, stdout) = probecost_integration_tests::exit_code_and_stdout(
        &mut child,
        std::time::Duration::from_secs(30),
    );
    assert_eq!(code, Some(130), "{stdout}");
    assert!(stdout.contains("(interrupted)"), "{stdout}");
    assert_eq!(before.settled(), 0, "left loaded after SIGINT");

    let mut child = measure_in_flight(&object, &before);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(before.settled(), 0, "left loaded after SIGKILL");

    // Before any round: SIGINT while the command after `--` first runs.
    let mut child = Command::new(probecost_bin())
        .arg("measure")
        .arg("--object")
        .arg(&object)
        .args(["--program", "count_reads", "--", "sleep", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_secs(1));
    probecost_integration_tests::send_signal(&child, libc::SIGINT);
    let (code, stdout) = probecost_integration_tests::exit_code_and_stdout(
        &mut child,
        std::time::Duration::from_secs(30),
    );
    assert_eq!(code, Some(130), "{stdout}");
    assert_eq!(before.settled(), 0, "left loaded after an early SIGINT");
    std::fs::remove_file(object).unwrap();
}

/// One helper call more in the program (a second clock read) is a regression `compare` sees:
/// the same object measured twice is `no change`, the slower build `slower`, and the gate
/// names its row.
#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn compare_sees_one_extra_helper_call() {
    if !have_root("compare_sees_one_extra_helper_call") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("probecost-helper-{}", std::process::id()));
    let (base_dir, slower_dir) = (dir.join("base"), dir.join("slower"));
    std::fs::create_dir_all(&base_dir).unwrap();
    std::fs::create_dir_all(&slower_dir).unwrap();
    // One file name, so the two reports' rows are the same row.
    let (base, slower) = (
        base_dir.join("counter.bpf.o"),
        slower_dir.join("counter.bpf.o"),
    );
    compile_to("sys_enter_read", &[], &base);
    compile_to("sys_enter_read", &["SECOND_CLOCK_READ"], &slower);
    let report = |object: &Path, name: &str| {
        let json = dir.join(name);
        let output = Command::new(probecost_bin())
            .args(["measure", "--object"])
            .arg(object)
            .args([
                "--program",
                "count_reads",
                "--runs",
                "30",
                "--run-time-ms",
                "100",
            ])
            .arg("--export-json")
            .arg(&json)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        json
    };
    let gate = |base: &Path, new: &Path| {
        Command::new(probecost_bin())
            .arg("compare")
            .args([base, new])
            .args(["--fail-if-slower", "5"])
            .output()
            .unwrap()
    };
    let first = report(&base, "base-1.json");
    let again = report(&base, "base-2.json");
    let slower_json = report(&slower, "slower.json");
    let same = gate(&first, &again);
    assert_eq!(
        same.status.code(),
        Some(0),
        "the same object twice: {}{}",
        String::from_utf8_lossy(&same.stdout),
        String::from_utf8_lossy(&same.stderr)
    );
    let mut regressed = gate(&first, &slower_json);
    if regressed.status.code() == Some(0) {
        // This machine kind drifts as a whole over seconds: when it drifted between the base
        // and the slower object, measure the two again, back to back, and gate that pair.
        let slower_again = report(&slower, "slower-2.json");
        let base_again = report(&base, "base-3.json");
        regressed = gate(&base_again, &slower_again);
    }
    let stdout = String::from_utf8_lossy(&regressed.stdout);
    let stderr = String::from_utf8_lossy(&regressed.stderr);
    assert_eq!(regressed.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("slower"), "{stdout}");
    assert!(stderr.contains("counter.bpf.o"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
