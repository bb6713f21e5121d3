use super::*;
use crate::{
    report::{Findings as _, Report as _},
    stats::{BatchQuantile, BatchQuantiles, Estimator, RunSummary},
};

/// A run whose floor is `floor` ns per operation and whose mean is 10 % above it.
fn run(floor: f64) -> RunSummary {
    RunSummary {
        ops: 1000,
        batches: 100,
        mean_ns_per_op: floor * 1.1,
        batch_ns_per_op: BatchQuantiles {
            min: floor,
            p1: floor,
            p5: floor,
            p10: floor,
            p25: floor,
            p50: floor,
        },
    }
}

/// `run` with every figure changed by `change`, as a slower or faster build would.
fn changed(run: &mut RunSummary, change: impl Fn(f64) -> f64) {
    run.mean_ns_per_op = change(run.mean_ns_per_op);
    let q = &mut run.batch_ns_per_op;
    for value in [
        &mut q.min, &mut q.p1, &mut q.p5, &mut q.p10, &mut q.p25, &mut q.p50,
    ] {
        *value = change(*value);
    }
}

/// A run file with `scenarios`, each with `rounds` control and traced runs around the given
/// costs, with a small deterministic jitter.
fn run_file(kernel: &str, scenarios: &[(&str, f64, f64)], rounds: usize) -> ReportFile {
    ReportFile::from(run_report(kernel, scenarios, rounds))
}

fn run_report(kernel: &str, scenarios: &[(&str, f64, f64)], rounds: usize) -> RunFile {
    let jitter = |i: usize| ((i * 7919) % 11) as f64 * 0.3 - 1.5;
    let scenario = |(name, control, traced): &(&str, f64, f64)| ScenarioFile {
        name: name.to_string(),
        events_per_op: 1.0,
        control_runs: (0..rounds).map(|i| run(control + jitter(i))).collect(),
        tracers: vec![TracerFile {
            tracer: "aya".into(),
            status: "substituted".into(),
            attach: "tracepoint:syscalls:sys_enter_read".into(),
            traced_runs: (0..rounds).map(|i| run(traced + jitter(i + 3))).collect(),
        }],
    };
    RunFile {
        environment: input::EnvironmentFile {
            kernel_release: kernel.into(),
            cpu_model: "AMD EPYC".into(),
            clocksource: "tsc".into(),
            pinned_cpu: Some(1),
            virtualization: input::VirtualizationFile {
                name: Some("KVM".into()),
                emulated_cpu: false,
            },
            tracers: vec!["aya".into()],
            probecost_version: "0.1.0".into(),
        },
        estimator: Estimator::default(),
        scenarios: scenarios.iter().map(scenario).collect(),
    }
}

const ROWS: [(&str, f64, f64); 3] = [
    ("control", 250.0, 250.0),
    ("kprobe", 250.0, 300.0),
    ("map", 250.0, 310.0),
];

/// Compared as measured, with noise threshold `pct`.
fn at(pct: f64) -> CompareSettings {
    CompareSettings {
        noise_threshold_pct: pct,
        scale: CostScale::AsMeasured,
    }
}

fn verdicts(comparison: &ReportComparison) -> Vec<(String, Verdict)> {
    comparison
        .rows
        .iter()
        .map(|r| (r.row.clone(), r.verdict))
        .collect()
}

#[test]
fn the_same_runs_change_nothing() {
    let files = [
        ("a.json".to_string(), run_file("6.18", &ROWS, 7)),
        ("b.json".to_string(), run_file("6.18", &ROWS, 7)),
    ];
    let comparison = compare(&files, at(0.0)).unwrap();
    assert!(comparison.environment_differences.is_empty());
    assert!(
        comparison
            .rows
            .iter()
            .all(|r| r.verdict == Verdict::NoChange),
        "{comparison:?}"
    );
    assert_eq!(comparison.rows[1].change, Some(0.0));
}

#[test]
fn a_slower_row_is_the_only_one_called_slower() {
    let base = run_report("6.18", &ROWS, 7);
    let mut new = base.clone();
    // One row's traced runs 20% slower, as a regression would make them.
    for run in &mut new.scenarios[2].tracers[0].traced_runs {
        changed(run, |v| v * 1.2);
    }
    let comparison = compare(
        &[
            ("base.json".into(), base.into()),
            ("new.json".into(), new.into()),
        ],
        at(0.0),
    )
    .unwrap();
    assert_eq!(
        verdicts(&comparison),
        [
            ("control".to_string(), Verdict::NoChange),
            ("kprobe".to_string(), Verdict::NoChange),
            ("map".to_string(), Verdict::Slower),
        ]
    );
    let map = &comparison.rows[2];
    assert!(map.change.unwrap() > 55.0, "{map:?}");
    assert!(map.change_ci95_low_pct().unwrap() > 50.0, "{map:?}");
}

#[test]
fn a_different_attach_point_is_not_comparable_and_missing_rows_are_named() {
    let base = run_file("6.1", &ROWS, 5);
    let mut new = run_report("6.12", &ROWS[..2], 5);
    new.scenarios[1].tracers[0].status = "measured".into();
    new.scenarios[1].tracers[0].attach = "kprobe:vfs_read".into();
    let comparison = compare(
        &[("6.1.json".into(), base), ("6.12.json".into(), new.into())],
        at(0.0),
    )
    .unwrap();
    assert_eq!(
        comparison.environment_differences,
        [EnvironmentDifference {
            field: "kernel_release",
            values: vec!["6.1".into(), "6.12".into()],
        }]
    );
    let kprobe = &comparison.rows[1];
    assert_eq!(kprobe.verdict, Verdict::NotComparable);
    assert!(kprobe.reason.as_ref().unwrap().contains("kprobe:vfs_read"));
    assert_eq!(comparison.rows[2].verdict, Verdict::OnlyInBase);
    let text = comparison.text();
    assert!(
        text.starts_with("base: 6.1.json\ndiffers: kernel_release: 6.1 | 6.12"),
        "{text}"
    );
}

#[test]
fn a_run_report_reads_back() {
    let report = crate::report::suite::tests::sample_report();
    let file = ReportFile::parse(std::str::from_utf8(&report.json().unwrap()).unwrap()).unwrap();
    assert_eq!(file.kind, ReportKind::Run);
    let keys: Vec<(&str, &str)> = file
        .samples
        .iter()
        .map(|s| (s.row.as_str(), s.tracer.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("kprobe", "aya"),
            ("kprobe", "bpftrace"),
            ("map", "aya"),
            ("map", "bpftrace")
        ]
    );
    assert!(ReportFile::parse(r#"{"rows": []}"#).is_err());
    assert!(ReportFile::parse("not json").is_err());
}

const ATTACH_SCALE: &str = include_str!(
    "../../../../docs/results/2026-11-28-debian12-kvm-amd-epyc/attach-scale-syscalls-raw.json"
);
const WORKLOAD: &str =
    include_str!("../../../../docs/results/2026-11-28-debian12-kvm-amd-epyc/workload.json");

#[test]
fn attach_scale_reports_compare_attach_and_detach_times() {
    let base = ReportFile::parse(ATTACH_SCALE).unwrap();
    assert_eq!(base.kind, ReportKind::AttachScale);
    let mut new = base.clone();
    // Every repetition of one step three times as slow.
    let step = new
        .samples
        .iter_mut()
        .find(|s| s.row == "syscalls x758 attach" && s.tracer == "aya")
        .unwrap();
    let Rounds::Values(values) = &mut step.rounds else {
        panic!("attach-scale rows are values");
    };
    values.iter_mut().for_each(|v| *v *= 3.0);
    let comparison = compare(
        &[("a.json".into(), base.clone()), ("b.json".into(), new)],
        at(0.0),
    )
    .unwrap();
    assert_eq!(comparison.unit, "ms");
    let changed: Vec<&str> = comparison
        .rows
        .iter()
        .filter(|r| r.verdict != Verdict::NoChange)
        .map(|r| r.row.as_str())
        .collect();
    assert_eq!(changed, ["syscalls x758 attach"], "{comparison:?}");
    assert!(comparison.rows.len() >= 8);
}

#[test]
fn workload_reports_compare_wall_times_and_a_different_mechanism_is_not_comparable() {
    let base = ReportFile::parse(WORKLOAD).unwrap();
    assert_eq!(base.kind, ReportKind::Workload);
    let mut new = base.clone();
    new.samples[1].setup = new.samples[1].setup.replace("raw-syscalls", "perf-event");
    let comparison = compare(&[("a.json".into(), base), ("b.json".into(), new)], at(0.0)).unwrap();
    assert_eq!(comparison.unit, "s");
    assert_eq!(comparison.rows[0].row, "baseline");
    assert_eq!(comparison.rows[0].verdict, Verdict::NoChange);
    assert_eq!(comparison.rows[1].verdict, Verdict::NotComparable);
    assert!(comparison.rows[1]
        .reason
        .as_ref()
        .unwrap()
        .contains("perf-event"));
}

#[test]
fn reports_of_different_commands_are_refused_in_one_line() {
    let run = run_file("6.18", &ROWS, 5);
    let workload = ReportFile::parse(WORKLOAD).unwrap();
    let error = compare(
        &[("run.json".into(), run), ("w.json".into(), workload)],
        at(0.0),
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("`workload` report"), "{message}");
    assert!(!message.contains('\n'), "{message}");
}

#[test]
fn a_change_inside_the_noise_threshold_is_no_change() {
    let rows = [("uprobe", 250.0, 10_250.0)];
    let base = run_report("6.18", &rows, 7);
    let slower_by = |factor: f64| {
        let mut new = base.clone();
        for run in &mut new.scenarios[0].tracers[0].traced_runs {
            changed(run, |v| v + 10_000.0 * factor);
        }
        new
    };
    let verdict = |factor: f64, threshold: f64| {
        let files = [
            ("base.json".to_string(), base.clone().into()),
            ("new.json".to_string(), slower_by(factor).into()),
        ];
        compare(&files, at(threshold)).unwrap().rows[0].verdict
    };
    assert_eq!(verdict(0.03, 0.0), Verdict::Slower);
    assert_eq!(verdict(0.03, 5.0), Verdict::NoChange);
    assert_eq!(verdict(0.10, 5.0), Verdict::Slower);
    assert_eq!(verdict(-0.10, 5.0), Verdict::Faster);
}

#[test]
fn several_files_are_one_column_each_against_the_base() {
    let files: Vec<(String, ReportFile)> = ["6.1", "6.12", "6.18"]
        .iter()
        .map(|k| (format!("{k}.json"), run_file(k, &ROWS, 5)))
        .collect();
    let text = compare(&files, at(5.0)).unwrap().text();
    assert!(text.contains("#3: 6.18.json (against the base)"), "{text}");
    let header = text.lines().find(|l| l.starts_with("scenario")).unwrap();
    assert!(header.contains("#2 change % [95% CI]") && header.contains("#3 change %"));
    let kprobe: Vec<&str> = text.lines().filter(|l| l.starts_with("kprobe ")).collect();
    assert_eq!(kprobe.len(), 1, "one line per row: {text}");
    assert_eq!(kprobe[0].matches("+0.0 [").count(), 2, "{text}");
}

#[test]
fn reports_of_different_estimators_are_refused() {
    let base = run_report("6.18", &ROWS, 7);
    let mut other = base.clone();
    other.estimator = Estimator {
        floor_quantile: BatchQuantile::Min,
        ..Estimator::default()
    };
    let files = [
        ("base.json".to_string(), base.into()),
        ("min.json".to_string(), other.into()),
    ];
    let message = compare(&files, at(0.0)).unwrap_err().to_string();
    assert!(
        message.contains("the min floor") && message.contains("the p1 floor"),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");
}

#[test]
fn a_run_report_without_an_estimator_is_named_as_older() {
    let why = ReportFile::parse(r#"{"environment": {}, "scenarios": []}"#).unwrap_err();
    assert!(why.contains("older probecost"), "{why}");
}

#[test]
fn the_typical_change_stands_beside_the_floors() {
    let base = run_report("6.18", &ROWS, 7);
    let mut new = base.clone();
    // Bursts: the means grow by half, the floors stay.
    for run in &mut new.scenarios[2].tracers[0].traced_runs {
        run.mean_ns_per_op *= 1.5;
    }
    let comparison = compare(
        &[
            ("base.json".into(), base.into()),
            ("new.json".into(), new.into()),
        ],
        at(2.0),
    )
    .unwrap();
    let map = &comparison.rows[2];
    assert_eq!(map.verdict, Verdict::NoChange, "{map:?}");
    assert!(map.typical_change_pct.unwrap() > 100.0, "{map:?}");
}

/// Every control and traced run of `report` `factor` times slower, as on a machine that ran
/// slower as a whole.
fn on_a_slower_machine(report: &mut RunFile, factor: f64) {
    for scenario in &mut report.scenarios {
        let tracer_runs = scenario.tracers.iter_mut().flat_map(|t| &mut t.traced_runs);
        for run in scenario.control_runs.iter_mut().chain(tracer_runs) {
            changed(run, |v| v * factor);
        }
    }
}

/// `base` and a copy on a machine `factor` times slower, compared at `scale` with a 2 % noise
/// threshold.
fn machine_slower(factor: f64, scale: CostScale) -> ReportComparison {
    let base = run_report("6.18", &ROWS, 7);
    let mut new = base.clone();
    on_a_slower_machine(&mut new, factor);
    let settings = CompareSettings {
        noise_threshold_pct: 2.0,
        scale,
    };
    compare(
        &[
            ("base.json".into(), base.into()),
            ("new.json".into(), new.into()),
        ],
        settings,
    )
    .unwrap()
}

#[test]
fn a_machine_slower_as_a_whole_is_named_and_at_base_speed_changes_nothing() {
    let measured = machine_slower(1.1, CostScale::AsMeasured);
    assert_eq!(measured.rows[1].verdict, Verdict::Slower, "{measured:?}");
    assert!((measured.control_changes[0].control_change_pct - 10.0).abs() < 1e-9);
    assert!(
        measured.text().contains("--at-base-speed"),
        "{}",
        measured.text()
    );
    let scaled = machine_slower(1.1, CostScale::AtBaseSpeed);
    for row in &scaled.rows[1..] {
        assert_eq!(row.verdict, Verdict::NoChange, "{row:?}");
        assert!(row.change.unwrap().abs() < 1e-9, "{row:?}");
        assert!(row.typical_change_pct.unwrap().abs() < 1e-9, "{row:?}");
    }
}

#[test]
fn at_base_speed_still_sees_a_slower_probe() {
    let base = run_report("6.18", &ROWS, 7);
    let mut new = base.clone();
    // The machine 4 % slower, and the map row's probe 10 % on top of it.
    on_a_slower_machine(&mut new, 1.04);
    for run in &mut new.scenarios[2].tracers[0].traced_runs {
        changed(run, |v| v + 0.1 * 60.0 * 1.04);
    }
    let settings = CompareSettings {
        noise_threshold_pct: 2.0,
        scale: CostScale::AtBaseSpeed,
    };
    let comparison = compare(
        &[
            ("base.json".into(), base.into()),
            ("new.json".into(), new.into()),
        ],
        settings,
    )
    .unwrap();
    assert_eq!(
        verdicts(&comparison)[1..],
        [
            ("kprobe".to_string(), Verdict::NoChange),
            ("map".to_string(), Verdict::Slower)
        ],
        "{comparison:?}"
    );
    assert!((comparison.rows[2].change_pct.unwrap() - 10.0).abs() < 0.5);
}

#[test]
fn at_base_speed_is_refused_for_reports_without_control_runs() {
    let files = [
        (
            "a.json".to_string(),
            ReportFile::parse(ATTACH_SCALE).unwrap(),
        ),
        (
            "b.json".to_string(),
            ReportFile::parse(ATTACH_SCALE).unwrap(),
        ),
    ];
    let settings = CompareSettings {
        noise_threshold_pct: 2.0,
        scale: CostScale::AtBaseSpeed,
    };
    let message = compare(&files, settings).unwrap_err().to_string();
    assert!(message.contains("only `run` reports"), "{message}");
}

/// `base`, its copy and `third`, compared at `scale` (the control row marked as nothing
/// attached in each, as `run` writes it).
fn three_files(third: RunFile, scale: CostScale) -> ReportComparison {
    let base = run_report("6.18", &ROWS, 7);
    let files = [base.clone(), base, third].map(|mut report| {
        report.scenarios[0].tracers[0].attach = "none".into();
        report
    });
    let [a, b, c] = files;
    let settings = CompareSettings {
        noise_threshold_pct: 5.0,
        scale,
    };
    compare(
        &[
            ("a.json".into(), a.into()),
            ("b.json".into(), b.into()),
            ("c.json".into(), c.into()),
        ],
        settings,
    )
    .unwrap()
}

#[test]
fn three_files_say_how_many_figures_agree_and_two_do_not() {
    let mut slower = run_report("6.18", &ROWS, 7);
    // kprobe's traced runs 20 % slower: its cost 50 -> 110 ns in the third file only.
    for run in &mut slower.scenarios[1].tracers[0].traced_runs {
        changed(run, |v| v * 1.2);
    }
    let comparison = three_files(slower, CostScale::AsMeasured);
    let agreement = comparison.agreement.clone().unwrap();
    // The control row is left out; kprobe's third figure is off its median, map agrees.
    assert_eq!(
        (agreement.rows, agreement.figures, agreement.within),
        (2, 6, 5)
    );
    assert!((agreement.within_pct - 500.0 / 6.0).abs() < 1e-9);
    let text = comparison.text();
    assert!(
        text.contains("agreement of the 3 files: 5 of 6 figures (83.3 %) within 3 % (or 3 ns)"),
        "{text}"
    );
    assert!(compare_two_same().agreement.is_none());
}

fn compare_two_same() -> ReportComparison {
    let files = [
        ("a.json".to_string(), run_file("6.18", &ROWS, 7)),
        ("b.json".to_string(), run_file("6.18", &ROWS, 7)),
    ];
    compare(&files, at(5.0)).unwrap()
}

#[test]
fn at_base_speed_the_files_agree_where_only_the_machine_moved() {
    let mut slower = run_report("6.18", &ROWS, 7);
    on_a_slower_machine(&mut slower, 1.1);
    let measured = three_files(slower.clone(), CostScale::AsMeasured);
    assert_eq!(
        measured.agreement.unwrap().within,
        4,
        "the third file's two costs are 10 % off"
    );
    let scaled = three_files(slower, CostScale::AtBaseSpeed);
    assert_eq!(scaled.agreement.clone().unwrap().within, 6);
    assert!(
        scaled.text().contains("at the base's speed)"),
        "{}",
        scaled.text()
    );
}
