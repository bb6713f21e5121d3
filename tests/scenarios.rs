//! Each scenario this kernel supports loads, attaches, runs a short workload, and the kernel
//! counts at least one event per operation; substitution follows what the kernel offers.

use std::sync::atomic::AtomicBool;

use probecost_core::{
    benchmark::{PreparedScenario, TracerBackend},
    scenario::{AttachKind, Delivery, ScenarioCatalog, ScenarioSuite},
    workload::{Interruptible, PinnedWorkload},
};
use probecost_integration_tests::have_root;
use probecost_linux::{libbpf::LibbpfBackend, AyaBackend, DrainSettings, KernelFeatures};

fn backend(cpu: usize) -> AyaBackend {
    AyaBackend::new(drain(cpu))
}

fn drain(cpu: usize) -> DrainSettings {
    DrainSettings {
        sink: "/dev/null".into(),
        workload_cpu: cpu,
    }
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn every_supported_scenario_counts_one_event_per_operation() {
    if !have_root("every_supported_scenario_counts_one_event_per_operation") {
        return;
    }
    let cpu = probecost_core::cpu::default_workload_cpu().unwrap();
    let ran = every_scenario_counts_its_events(&mut backend(cpu), cpu);
    // Tracepoint, raw tracepoint and uprobe rows run on every kernel probecost supports.
    assert!(ran >= 18, "only {ran} scenarios ran");
}

/// The same for the C programs through libbpf: every scenario but the aya-log one.
#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn every_supported_c_scenario_counts_one_event_per_operation() {
    if !have_root("every_supported_c_scenario_counts_one_event_per_operation") {
        return;
    }
    let cpu = probecost_core::cpu::default_workload_cpu().unwrap();
    let mut backend = LibbpfBackend::with_features(KernelFeatures::detect(), drain(cpu));
    let ran = every_scenario_counts_its_events(&mut backend, cpu);
    assert!(ran >= 17, "only {ran} scenarios ran");
}

/// Verifies every scenario `backend` can run here; returns how many ran.
fn every_scenario_counts_its_events(backend: &mut dyn TracerBackend, cpu: usize) -> usize {
    // The mechanism matrix's uprobe sites fire only when the workload calls them.
    let workload = PinnedWorkload::new(cpu).unwrap().with_uprobe_sites();
    // Each test runs on a thread of its own: pinning it pins only this test.
    workload.pin().unwrap();
    let stop = AtomicBool::new(false);
    let mut ran = 0;
    for scenario in ScenarioCatalog.every().filter(|s| !s.is_control()) {
        let mut probe: Box<dyn PreparedScenario> = match backend.prepare(scenario) {
            Ok(prepared) => prepared.programs,
            Err(probecost_core::error::Error::Unsupported { reason }) => {
                assert!(
                    !reason.is_empty(),
                    "{}: unsupported without a reason",
                    scenario.name
                );
                eprintln!("{}: unsupported here: {reason}", scenario.name);
                continue;
            }
            Err(e) => panic!("{}: {e}", scenario.name),
        };
        // uprobes cost ~10 us per event here: keep their run short.
        let ops = if scenario.attach_preference == [AttachKind::Uprobe] {
            5_000
        } else {
            50_000
        };
        // The runner enters a scenario before its runs (a per-event drain starts there).
        probe
            .enter()
            .unwrap_or_else(|e| panic!("{}: {e}", scenario.name));
        let stats = probe
            .verify(
                Interruptible {
                    workload: &workload,
                    stop: &stop,
                },
                ops,
            )
            .unwrap_or_else(|e| panic!("{}: {e:?}", scenario.name));
        assert_eq!(stats.programs.len(), scenario.programs.len());
        for program in &stats.programs {
            assert!(
                program.count >= ops,
                "{}: kernel counted {} events for {ops} ops",
                scenario.name,
                program.count
            );
            assert!(
                program.time_ns.is_some_and(|t| t > 0),
                "{}: no run time recorded",
                scenario.name
            );
            assert!(
                program.xlated_insns.is_some_and(|n| n > 0),
                "{}: no instruction count",
                scenario.name
            );
        }
        if scenario.delivery != Delivery::None {
            let delivery = probe
                .delivery()
                .unwrap()
                .expect("per-event scenarios count delivery");
            assert!(delivery.seen >= ops, "{}: {delivery:?}", scenario.name);
            assert_eq!(
                delivery.delivered + delivery.lost,
                delivery.seen,
                "{}",
                scenario.name
            );
            assert!(
                delivery.delivered > 0,
                "{}: nothing delivered",
                scenario.name
            );
        }
        probe.leave();
        ran += 1;
    }
    ran
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn substitution_follows_the_kernel() {
    if !have_root("substitution_follows_the_kernel") {
        return;
    }
    let cpu = probecost_core::cpu::default_workload_cpu().unwrap();
    let mut backend = backend(cpu);
    // What this kernel offers, read here apart from probecost's own detection: the kprobe
    // PMU in sysfs, and whether bpftool can load a tracing (fentry) program.
    let kprobes = std::path::Path::new("/sys/bus/event_source/devices/kprobe").exists();
    let probe_output = std::process::Command::new("bpftool")
        .args(["feature", "probe", "kernel"])
        .output()
        .expect("bpftool runs (cargo xtask setup installs it)");
    let features = String::from_utf8_lossy(&probe_output.stdout);
    let fentry = features
        .lines()
        .any(|l| l.trim() == "eBPF program_type tracing is available");
    let scenario = ScenarioCatalog.find("kprobe").unwrap();
    let prepared = backend
        .prepare(scenario)
        .unwrap_or_else(|e| panic!("the kprobe row runs somewhere: {e}"));
    let choice = &prepared.choice;
    let reason = choice.substitution_reason.clone().unwrap_or_default();
    match (kprobes, fentry) {
        (true, _) => {
            assert_eq!(choice.attach, "kprobe:vfs_read");
            assert!(choice.substitution_reason.is_none(), "{reason}");
        }
        (false, true) => {
            assert_eq!(choice.attach, "fentry:vfs_read");
            assert!(reason.contains("kprobe"), "{reason}");
        }
        (false, false) => {
            assert_eq!(choice.attach, "tracepoint:syscalls:sys_enter_read");
            assert!(
                reason.contains("kprobe") && reason.contains("fentry"),
                "{reason}"
            );
        }
    }
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn tracepoint_rows_are_never_substituted() {
    if !have_root("tracepoint_rows_are_never_substituted") {
        return;
    }
    let mut backend = backend(probecost_core::cpu::default_workload_cpu().unwrap());
    for name in ["tracepoint-entry", "tracepoint-return"] {
        let prepared = backend
            .prepare(ScenarioCatalog.find(name).unwrap())
            .unwrap_or_else(|e| panic!("syscall tracepoints exist on this kernel: {e}"));
        assert!(prepared.choice.substitution_reason.is_none());
        assert!(prepared
            .choice
            .attach
            .starts_with("tracepoint:syscalls:sys_"));
    }
}

#[cfg_attr(probecost_not_root, ignore = "needs root")]
#[test]
fn the_mechanism_matrix_measures_what_the_kernel_offers_and_says_why_not_the_rest() {
    if !have_root("the_mechanism_matrix_measures_what_the_kernel_offers_and_says_why_not_the_rest")
    {
        return;
    }
    let dir = std::env::temp_dir().join(format!("probecost-mechanisms-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("m.json");
    let output = std::process::Command::new(probecost_integration_tests::probecost_bin())
        .args([
            "run",
            "--suite",
            "mechanisms",
            "--runs",
            "2",
            "--run-time-ms",
            "60",
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
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let rows = report["scenarios"].as_array().unwrap();
    let matrix = ScenarioCatalog.suite(ScenarioSuite::Mechanisms);
    assert_eq!(
        rows.len(),
        matrix.len(),
        "every row of the matrix is reported"
    );
    // What this kernel offers, read apart from probecost's detection.
    let kprobes = std::path::Path::new("/sys/bus/event_source/devices/kprobe").exists();
    let uprobes = std::path::Path::new("/sys/bus/event_source/devices/uprobe").exists();
    let mut measured = 0;
    for row in rows {
        let name = row["name"].as_str().unwrap();
        let tracer = &row["tracers"][0];
        let status = tracer["status"].as_str().unwrap();
        assert_ne!(
            status, "substituted",
            "{name}: the matrix never substitutes"
        );
        if status == "unsupported" {
            let reason = tracer["reason"].as_str().unwrap_or_default();
            assert!(!reason.is_empty(), "{name}: unsupported without a reason");
        } else {
            assert_eq!(tracer["events_verified"], true, "{name}: {tracer}");
            assert!(tracer["per_event_ns"].as_f64().is_some(), "{name}");
            measured += 1;
        }
        let expected = if name.starts_with("uprobe-multi-") {
            None // uprobe.multi links: Linux 6.6 and later
        } else if name.starts_with("tracepoint-") || name.starts_with("raw-tracepoint-") {
            Some(cfg!(target_arch = "x86_64"))
        } else if name.starts_with("uprobe-") || name.starts_with("uretprobe-") {
            Some(uprobes && cfg!(target_arch = "x86_64"))
        } else if name.starts_with("kprobe-") || name.starts_with("kretprobe-") {
            Some(kprobes)
        } else {
            None // tp_btf, fentry, fexit, fmod_ret: tracing programs, which a kernel may refuse
        };
        if let Some(expected) = expected {
            assert_eq!(status == "measured", expected, "{name}: {tracer}");
        }
    }
    if cfg!(target_arch = "x86_64") && uprobes {
        assert!(measured >= 14, "only {measured} mechanisms measured");
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("sys_enter fires for every syscall"),
        "the sys_enter rows say what they count:\n{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
