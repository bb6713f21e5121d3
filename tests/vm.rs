//! Guest tests: what this machine's kernel cannot run (kprobes, kretprobes, kprobe.multi,
//! fentry/fexit), run inside Debian's 6.1 and 6.12 kernels booted in QEMU, asserting on the
//! JSON and files probecost wrote there. Under TCG the timings are emulated; these tests check
//! that each path runs, counts right and cleans up, never a timing.

use probecost_core::scenario::{ScenarioCatalog, ScenarioSuite};
use probecost_integration_tests::guest::{self, Accel, BootResult, GuestStep, GuestTest};
use serde_json::Value;

/// Short runs: the guest may be emulated.
const QUICK: [&str; 4] = ["--runs", "2", "--run-time-ms", "60"];

fn probecost(args: &[&str]) -> GuestStep {
    let mut all: Vec<&str> = args.to_vec();
    if args[0] == "run" {
        all.extend(QUICK);
    }
    GuestStep::probecost(&all)
}

/// Keeps the VFS busy in the background while `step` runs, so probes on `vfs_*` fire.
fn with_vfs_traffic(step: &str) -> String {
    format!(
        "(while :; do cat /proc/version > /dev/null; done) & traffic=$!\n{step}\nstatus=$?\nkill $traffic\nexit $status"
    )
}

fn exits_zero(result: &BootResult) {
    for (i, exit) in result.step_exits.iter().enumerate() {
        assert_eq!(
            *exit,
            Some(0),
            "step {} exited {exit:?}; console log: {}",
            i + 1,
            result.console_log.display()
        );
    }
}

fn tracers(scenario: &Value) -> &Vec<Value> {
    scenario["tracers"].as_array().expect("tracers")
}

/// The environment block says what ran the guest: emulated under TCG, KVM otherwise.
fn environment_matches(report: &Value, result: &BootResult, accel: Accel) {
    let environment = &report["environment"];
    assert_eq!(
        environment["kernel_release"].as_str(),
        result.facts.release(),
        "the report's kernel is the guest's"
    );
    let virtualization = &environment["virtualization"];
    assert_eq!(virtualization["hypervisor"], true);
    assert_eq!(
        virtualization["emulated_cpu"],
        accel == Accel::Tcg,
        "{virtualization}"
    );
    let expected = if accel == Accel::Tcg {
        "QEMU TCG"
    } else {
        "KVM"
    };
    assert_eq!(virtualization["name"], expected, "{virtualization}");
    // Under TCG a new process per run would cost more than the run; the runs stay forked.
    let workload = report["workload"].as_str().unwrap_or_default();
    if workload.starts_with("in-process loop") {
        let forked = workload.contains("(forked)");
        assert_eq!(forked, accel == Accel::Tcg, "{workload}");
    }
}

fn every_row_measured_at_its_talk_attach_point(kernel: &str, name: &str) {
    let Some((result, accel)) = guest::boot(GuestTest {
        name,
        kernel,
        steps: vec![probecost(&["run", "--export-json", "all.json"])],
        with_bpftrace: false,
        with_bpftool: false,
    }) else {
        return;
    };
    exits_zero(&result);
    let report = guest::json(&result, "all.json");
    environment_matches(&report, &result, accel);
    let scenarios = report["scenarios"].as_array().unwrap();
    assert_eq!(
        scenarios.len(),
        ScenarioCatalog.suite(ScenarioSuite::Talk).len(),
        "every scenario ran"
    );
    let mut at_vfs_read = 0;
    for scenario in scenarios {
        let name = scenario["name"].as_str().unwrap();
        for tracer in tracers(scenario) {
            assert_eq!(tracer["status"], "measured", "{name}: {tracer}");
            assert_eq!(tracer["attach"], scenario["attach_talk"], "{name}");
            if name != "control" {
                assert_eq!(tracer["events_verified"], true, "{name}: {tracer}");
                assert!(tracer["per_event_ns"].is_number(), "{name}: {tracer}");
            }
            if tracer["attach"]
                .as_str()
                .unwrap()
                .contains("probe:vfs_read")
            {
                at_vfs_read += 1;
            }
        }
    }
    // Rows 2, 3 and 8 to 18, and aya-log's row: the talk's kprobe:vfs_read rows.
    assert_eq!(at_vfs_read, 14);
}

fn fentry_when_kprobes_are_hidden(kernel: &str, name: &str) {
    let Some((result, _)) = guest::boot(GuestTest {
        name,
        kernel,
        steps: vec![
            GuestStep::hide_kprobe_pmu(),
            probecost(&[
                "run",
                "--scenario",
                "kprobe,kretprobe,map,timing",
                "--export-json",
                "fentry.json",
            ]),
        ],
        with_bpftrace: false,
        with_bpftool: false,
    }) else {
        return;
    };
    exits_zero(&result);
    let report = guest::json(&result, "fentry.json");
    let release = result.facts.release().unwrap();
    let expected = [
        ("kprobe", "fentry:vfs_read"),
        ("kretprobe", "fexit:vfs_read"),
        ("map", "fentry:vfs_read"),
        ("timing", "fentry:vfs_read + fexit:vfs_read"),
    ];
    for (scenario, (name, attach)) in report["scenarios"].as_array().unwrap().iter().zip(expected) {
        assert_eq!(scenario["name"], name);
        let tracer = &tracers(scenario)[0];
        assert_eq!(tracer["status"], "substituted", "{name}: {tracer}");
        assert_eq!(tracer["attach"], attach, "{name}");
        assert_eq!(tracer["events_verified"], true, "{name}: {tracer}");
        // The kernel's configuration has kprobes: the reason must not blame it.
        let reason = tracer["reason"].as_str().unwrap();
        assert!(
            reason.contains(&format!("CONFIG_KPROBES=y in /boot/config-{release}, yet")),
            "{name}: {reason}"
        );
    }
}

fn attach_scale_kprobe_and_fentry_sets(kernel: &str, name: &str, multi: bool) {
    let scale = |kind: &str, extra: &[&str], file: &str| {
        let mut args = vec![
            "attach-scale",
            "--kind",
            kind,
            "--counts",
            "1,all",
            "--repeat",
            "1",
            "--window-ms",
            "150",
            "--export-json",
            file,
        ];
        args.extend(extra);
        let step = GuestStep::probecost(&args);
        GuestStep::shell(&step.label, &with_vfs_traffic(&step.script))
    };
    let leftovers = GuestStep::shell(
        "what is left in the kernel",
        "bpftool -j prog show > progs.json && bpftool -j link show > links.json \
         && cat /sys/kernel/tracing/kprobe_events > kprobe_events.txt",
    );
    let mut steps = vec![
        scale("kprobe:vfs_*", &[], "kprobe.json"),
        scale(
            "kprobe:vfs_*",
            &["--mechanism", "multi"],
            "kprobe-multi.json",
        ),
        scale("fentry:vfs_*", &[], "fentry.json"),
    ];
    if multi {
        // Benchmark 2's kprobe sets through kprobe.multi, around a command that reads files.
        steps.push(GuestStep::probecost(&[
            "workload",
            "--sets",
            "vfs-all",
            "--kprobe-mechanism",
            "multi",
            "--runs",
            "1",
            "--export-json",
            "workload.json",
            "--",
            "sh",
            "-c",
            "for i in 1 2 3 4 5 6 7 8; do cat /proc/version /proc/cpuinfo; done > /dev/null",
        ]));
    }
    steps.push(leftovers);
    let Some((result, _)) = guest::boot(GuestTest {
        name,
        kernel,
        steps,
        with_bpftrace: false,
        with_bpftool: true,
    }) else {
        return;
    };
    let console = std::fs::read_to_string(&result.console_log).unwrap();
    let mut files = vec!["kprobe.json", "fentry.json"];
    if multi {
        files.push("kprobe-multi.json");
    } else {
        // 6.1 has no CONFIG_FPROBE: one line naming it, a non-zero exit, nothing attached.
        assert_ne!(result.step_exits[1], Some(0));
        assert!(
            console.contains(
                "this kernel cannot attach kprobe.multi links: kprobe.multi: CONFIG_FPROBE not set"
            ),
            "console log: {}",
            result.console_log.display()
        );
    }
    for (i, exit) in result.step_exits.iter().enumerate() {
        if i != 1 || multi {
            assert_eq!(
                *exit,
                Some(0),
                "step {}: {}",
                i + 1,
                result.console_log.display()
            );
        }
    }
    for file in files {
        let report = guest::json(&result, file);
        let rows = report["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{file}: one row per count");
        let whole = &rows[1];
        assert!(whole["probes"].as_u64().unwrap() > 10, "{file}: {whole}");
        assert!(
            whole["activations"].as_u64().unwrap() > 0,
            "{file}: the probes counted nothing: {whole}"
        );
        if file == "kprobe-multi.json" {
            // Entries and returns: two links for however many functions.
            assert_eq!(whole["links"], 2, "{whole}");
            assert_eq!(whole["mechanism"], "kprobe-multi");
        }
        if file == "fentry.json" {
            // Compiler-made copies (.part.N, .isra.N, .constprop.N) have no BTF entry; the
            // glob resolves without them and says so.
            let notes = report["notes"].as_array().unwrap();
            assert!(
                notes
                    .iter()
                    .any(|n| n.as_str().unwrap().contains("that have no BTF entry")),
                "{notes:?}"
            );
        }
    }
    if multi {
        let report = guest::json(&result, "workload.json");
        let traced = &report["results"][1];
        let set = &traced["sets"][0];
        assert_eq!(set["mechanism"], "kprobe-multi", "{set}");
        assert!(
            set["probes"].as_str().unwrap().starts_with("kprobe:vfs_*"),
            "{set}"
        );
        assert!(traced["activations"].as_u64().unwrap() > 0, "{traced}");
    }
    // Nothing of probecost's is left: no programs, links or kprobe events.
    let programs = guest::json(&result, "progs.json");
    let ours: Vec<&Value> = programs
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"].as_str().is_some_and(|n| n.starts_with("count_")))
        .collect();
    assert!(ours.is_empty(), "programs left: {ours:?}");
    assert_eq!(guest::json(&result, "links.json"), serde_json::json!([]));
    let events = std::fs::read_to_string(result.out_dir.join("kprobe_events.txt")).unwrap();
    assert!(events.trim().is_empty(), "kprobe_events: {events}");
}

fn bpftrace_beside_aya_at_kprobe(kernel: &str, name: &str) {
    let Some((result, _)) = guest::boot(GuestTest {
        name,
        kernel,
        steps: vec![probecost(&[
            "run",
            "--tracer",
            "aya,bpftrace",
            "--scenario",
            "kprobe,map",
            "--export-json",
            "bpftrace.json",
        ])],
        with_bpftrace: true,
        with_bpftool: false,
    }) else {
        return;
    };
    exits_zero(&result);
    let report = guest::json(&result, "bpftrace.json");
    for scenario in report["scenarios"].as_array().unwrap() {
        let names: Vec<&str> = tracers(scenario)
            .iter()
            .map(|t| t["tracer"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["aya", "bpftrace"]);
        for tracer in tracers(scenario) {
            assert_eq!(tracer["status"], "measured", "{tracer}");
            assert_eq!(tracer["attach"], "kprobe:vfs_read", "{tracer}");
            assert_eq!(tracer["events_verified"], true, "{tracer}");
        }
    }
}

fn interrupt_leaves_nothing(kernel: &str, name: &str) {
    let run = GuestStep::probecost(&[
        "run",
        "--scenario",
        "map,kernel-stack,timing",
        "--runs",
        "40",
        "--export-json",
        "interrupted.json",
    ]);
    let script = format!(
        "{} & pid=$!\nsleep 8\nkill -INT $pid\nwait $pid\necho $? > interrupted.exit\n\
         bpftool -j prog show > progs.json && bpftool -j link show > links.json \
         && cat /sys/kernel/tracing/kprobe_events > kprobe_events.txt",
        run.script
    );
    let Some((result, _)) = guest::boot(GuestTest {
        name,
        kernel,
        steps: vec![GuestStep::shell("SIGINT during a run", &script)],
        with_bpftrace: false,
        with_bpftool: true,
    }) else {
        return;
    };
    exits_zero(&result);
    let exit = std::fs::read_to_string(result.out_dir.join("interrupted.exit")).unwrap();
    assert_eq!(
        exit.trim(),
        "130",
        "console log: {}",
        result.console_log.display()
    );
    let report = guest::json(&result, "interrupted.json");
    assert_eq!(report["interrupted"], true);
    let ours = probecost_integration_tests::our_program_names();
    let left: Vec<String> = guest::json(&result, "progs.json")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str().map(String::from))
        .filter(|n| ours.contains(n))
        .collect();
    assert!(left.is_empty(), "programs left after SIGINT: {left:?}");
    assert_eq!(guest::json(&result, "links.json"), serde_json::json!([]));
    let events = std::fs::read_to_string(result.out_dir.join("kprobe_events.txt")).unwrap();
    assert!(events.trim().is_empty(), "kprobe_events: {events}");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_1_every_row_measured_at_its_talk_attach_point() {
    every_row_measured_at_its_talk_attach_point("6.1", "debian_6_1_every_row");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_12_every_row_measured_at_its_talk_attach_point() {
    every_row_measured_at_its_talk_attach_point("6.12", "debian_6_12_every_row");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_1_fentry_when_kprobes_are_hidden() {
    fentry_when_kprobes_are_hidden("6.1", "debian_6_1_fentry");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_12_fentry_when_kprobes_are_hidden() {
    fentry_when_kprobes_are_hidden("6.12", "debian_6_12_fentry");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_1_attach_scale_kprobe_and_fentry_sets() {
    attach_scale_kprobe_and_fentry_sets("6.1", "debian_6_1_attach_scale", false);
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_12_attach_scale_kprobe_multi_and_fentry_sets() {
    attach_scale_kprobe_and_fentry_sets("6.12", "debian_6_12_attach_scale", true);
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_1_bpftrace_beside_aya_at_kprobe() {
    bpftrace_beside_aya_at_kprobe("6.1", "debian_6_1_bpftrace");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_12_bpftrace_beside_aya_at_kprobe() {
    bpftrace_beside_aya_at_kprobe("6.12", "debian_6_12_bpftrace");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_1_interrupt_leaves_nothing() {
    interrupt_leaves_nothing("6.1", "debian_6_1_interrupt");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_12_interrupt_leaves_nothing() {
    interrupt_leaves_nothing("6.12", "debian_6_12_interrupt");
}

/// The mechanism matrix in a kernel with kprobes and tracing programs: every row measured,
/// each counting its events.
fn every_mechanism_measured(kernel: &str, name: &str) {
    let Some((result, _)) = guest::boot(GuestTest {
        name,
        kernel,
        steps: vec![probecost(&[
            "run",
            "--suite",
            "mechanisms",
            "--tracer",
            "aya,libbpf",
            "--export-json",
            "mechanisms.json",
        ])],
        with_bpftrace: false,
        with_bpftool: false,
    }) else {
        return;
    };
    exits_zero(&result);
    let report = guest::json(&result, "mechanisms.json");
    let rows = report["scenarios"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        ScenarioCatalog.suite(ScenarioSuite::Mechanisms).len()
    );
    for row in rows {
        let name = row["name"].as_str().unwrap();
        // probecost's Rust programs through aya and its C programs through libbpf alike.
        assert_eq!(tracers(row).len(), 2, "{name}");
        for tracer in tracers(row) {
            assert_eq!(tracer["status"], "measured", "{name}: {tracer}");
            assert_eq!(tracer["events_verified"], true, "{name}: {tracer}");
        }
    }
    let attach = |name: &str| {
        let row = rows.iter().find(|r| r["name"] == name).unwrap();
        assert_eq!(
            tracers(row)[0]["attach"],
            tracers(row)[1]["attach"],
            "{name}"
        );
        tracers(row)[0]["attach"].as_str().unwrap().to_string()
    };
    assert_eq!(attach("kretprobe-count"), "kretprobe:vfs_read");
    assert_eq!(attach("fexit-empty"), "fexit:vfs_read");
    assert_eq!(attach("tp-btf-count"), "tp_btf:sys_enter");
    assert_eq!(attach("kretprobe-multi-count"), "kretprobe.multi:vfs_read");
    assert_eq!(
        attach("fmod-ret-count"),
        "fmod_ret:security_file_permission"
    );
    assert_eq!(attach("uprobe-multi-libc-count"), "uprobe.multi:libc:read");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn debian_6_12_every_mechanism_measured() {
    every_mechanism_measured("6.12", "debian_6_12_mechanisms");
}

/// A guest whose only step never ends.
fn hanging_guest(name: &str) -> GuestTest<'_> {
    GuestTest {
        name,
        kernel: "6.12",
        steps: vec![GuestStep::shell("hang", "sleep 3600")],
        with_bpftrace: false,
        with_bpftool: false,
    }
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn a_guest_that_hangs_is_killed_at_its_time_limit() {
    let stop = std::sync::atomic::AtomicBool::new(false);
    let Some((outcome, _)) = guest::try_boot(
        hanging_guest("vm_time_limit"),
        std::time::Duration::from_secs(20),
        &stop,
    ) else {
        return;
    };
    let error = outcome
        .expect_err("the guest sleeps past its limit")
        .to_string();
    assert!(
        error.contains("ran past its 20 s limit and was killed"),
        "{error}"
    );
    assert!(guest::qemu_processes().is_empty(), "QEMU still running");
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn stopping_the_runner_stops_the_guest() {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = std::sync::Arc::clone(&stop);
    // What the runner's SIGINT handler does, a few seconds into the guest's run.
    let signal = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs(8));
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let Some((outcome, _)) = guest::try_boot(
        hanging_guest("vm_interrupted"),
        std::time::Duration::from_secs(120),
        &stop,
    ) else {
        return;
    };
    signal.join().unwrap();
    let error = outcome.expect_err("the guest was stopped");
    assert!(
        matches!(error, probecost_vm::VmError::Interrupted),
        "{error}"
    );
    assert!(guest::qemu_processes().is_empty(), "QEMU still running");
}
