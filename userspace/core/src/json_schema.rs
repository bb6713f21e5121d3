//! docs/json.md against the types: a report of each command, with every field present, emits
//! exactly the fields the page lists.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::{
    attach_scale::{AttachScale, AttachScaleRow, PerEventTrade},
    compare::{
        Agreement, ComparedRow, ControlChange, CostScale, EnvironmentDifference, ReportComparison,
        ReportKind, RunFindings, Verdict,
    },
    complex_workload::{ComplexWorkload, SetUsed, WorkloadResult},
    environment::Environment,
    histogram::Percentiles,
    probe_set::Mechanism,
    report::{suite::tests::sample_report, Measured, Report as _},
    result::{AttachTimes, DeliveryCounts, Verification},
    tracer::Tracer,
};

const JSON_MD: &str = include_str!("../../../docs/json.md");

/// Every field path of `value`: `a.b`, with `[]` for each element of an array of objects.
fn paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                paths(child, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items.iter().filter(|i| i.is_object()) {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// The paths docs/json.md lists under the section whose heading contains `heading`.
fn documented(heading: &str) -> BTreeSet<String> {
    let mut in_section = false;
    let mut out = BTreeSet::new();
    for line in JSON_MD.lines() {
        if let Some(title) = line.strip_prefix("## ") {
            in_section = title.contains(heading);
            continue;
        }
        if in_section {
            if let Some(path) = line
                .strip_prefix("| `")
                .and_then(|rest| rest.split_once('`'))
                .map(|(path, _)| path)
            {
                out.insert(path.to_string());
            }
        }
    }
    out
}

fn emitted(json: &[u8]) -> BTreeSet<String> {
    let value: Value = serde_json::from_slice(json).unwrap();
    let mut out = BTreeSet::new();
    paths(&value, "", &mut out);
    out
}

/// A run's comparison with its baseline has the compare report's fields under this prefix.
const BASELINE_COMPARISON: &str = "baseline_comparison.";

fn check(json: Vec<u8>, heading: &str) {
    let emitted = emitted(&json);
    let mut listed = documented("Every report");
    let own = documented(heading);
    assert!(!own.is_empty(), "docs/json.md has no section {heading}");
    listed.extend(own);
    if emitted.contains("baseline_comparison") {
        let compare = documented("`probecost compare`");
        listed.extend(
            compare
                .iter()
                .filter(|path| {
                    !path.starts_with("environment.")
                        && !["environment", "interrupted"].contains(&path.as_str())
                })
                .map(|path| format!("{BASELINE_COMPARISON}{path}")),
        );
    }
    let undocumented: Vec<_> = emitted.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&emitted).collect();
    assert!(
        undocumented.is_empty() && missing.is_empty(),
        "{heading}: fields not in docs/json.md: {undocumented:?}; listed but not emitted: {missing:?}"
    );
}

fn percentiles() -> Option<Percentiles> {
    Some(Percentiles {
        p50: 1.0,
        p90: 2.0,
        p99: 3.0,
        p99_9: 4.0,
    })
}

fn environment() -> Environment {
    let mut environment = Environment::probe(Some(1), vec!["aya".into()]);
    environment.frequency_governor = Some("performance".into());
    environment.bpf_stats_enabled_before = Some(false);
    environment.virtualization.name = Some("KVM".into());
    environment
}

/// `findings` measured here, not interrupted.
fn measured<T>(findings: T) -> Measured<T> {
    Measured {
        environment: environment(),
        interrupted: false,
        findings,
    }
}

#[test]
fn the_run_report_has_the_documented_fields() {
    let suite = sample_report().findings;
    let mut report = measured(RunFindings {
        suite,
        baseline_comparison: Some(comparison()),
    });
    let scenario = &mut report.findings.suite.scenarios[0];
    scenario.control = percentiles();
    let tracer = &mut scenario.tracers[0];
    tracer.traced = percentiles();
    tracer.verification = Some(Verification {
        ops: 1000,
        run_counts: vec![1000],
        events_verified: true,
        events_per_op_observed: 1.0,
        body_ns: Some(28.0),
        xlated_insns: Some(12),
        verified_insns: Some(14),
    });
    tracer.delivery = Some(DeliveryCounts::default());
    tracer.attach_times = Some(AttachTimes {
        attach_ms: 1.0,
        detach_ms: 2.0,
    });
    check(report.json().unwrap(), "`probecost run`");
}

#[test]
fn the_attach_scale_report_has_the_documented_fields() {
    let report = measured(AttachScale {
        repetitions: 1,
        notes: vec!["left out 2 functions".into()],
        rows: vec![AttachScaleRow {
            tracer: Tracer::Aya,
            set: "syscalls".into(),
            mechanism: Some(Mechanism::RawSyscalls),
            probes: 724,
            links: Some(2),
            attach_ms: 21.0,
            detach_ms: 1.0,
            attach_ms_runs: vec![21.0],
            detach_ms_runs: vec![1.0],
            activations: Some(1315),
        }],
        per_event_trade: Some(PerEventTrade {
            events_per_op: 4.0,
            runs: 5,
            estimator: crate::stats::Estimator::default(),
            perf_event_ns: Some(41.0),
            perf_event_ci95: Some([40.0, 44.0]),
            raw_syscalls_ns: Some(27.0),
            raw_syscalls_ci95: Some([26.0, 29.0]),
        }),
    });
    check(report.json().unwrap(), "`probecost attach-scale`");
}

#[test]
fn the_workload_report_has_the_documented_fields() {
    let report = measured(ComplexWorkload {
        command: vec!["make".into()],
        results: vec![WorkloadResult {
            name: "9".into(),
            sets: vec![SetUsed {
                set: "vfs-all".into(),
                probes: "tracepoint:filemap:*".into(),
                mechanism: "raw-tracepoint".into(),
                count: 64,
                substitution_reason: Some("no kprobes".into()),
                attach_ms: Some(30.0),
                detach_ms: Some(10.0),
                activations: Some(5),
            }],
            probes: 64,
            runs_s: vec![25.0],
            best_s: Some(25.0),
            median_s: Some(25.0),
            slowdown_pct: Some(0.1),
            activations: Some(5),
            ns_per_activation: Some(1.0),
            attach_ms: Some(30.0),
            detach_ms: Some(10.0),
        }],
    });
    check(report.json().unwrap(), "`probecost complex-workload`");
}

#[test]
fn the_compare_report_has_the_documented_fields() {
    let report = measured(comparison());
    check(report.json().unwrap(), "`probecost compare`");
}

fn comparison() -> ReportComparison {
    ReportComparison {
        kind: ReportKind::Run,
        unit: "ns/event",
        noise_threshold_pct: 5.0,
        scale: CostScale::AtBaseSpeed,
        control_changes: vec![ControlChange {
            file: "new.json".into(),
            control_change_pct: 4.3,
        }],
        files: vec!["base.json".into(), "new.json".into()],
        environment_differences: vec![EnvironmentDifference {
            field: "kernel_release",
            values: vec!["6.1".into(), "6.12".into()],
        }],
        rows: vec![ComparedRow {
            row: "map".into(),
            tracer: "aya".into(),
            file: "new.json".into(),
            base: Some(50.0),
            new: Some(60.0),
            change: Some(10.0),
            change_pct: Some(20.0),
            typical_change_pct: Some(25.0),
            change_ci95: Some([8.0, 12.0]),
            control_change_pct: Some(4.1),
            verdict: Verdict::Slower,
            reason: Some("not comparable because".into()),
            measures_a_probe: true,
        }],
        agreement: Some(Agreement {
            rows: 53,
            figures: 265,
            within: 223,
            within_pct: 84.2,
            within_ns: Some(3.0),
        }),
    }
}
