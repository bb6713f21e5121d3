//! `probecost run`'s result as a [`Report`]: the Markdown summary (a column per tracer), the
//! tidy CSV (a line per scenario and tracer) and the bar chart (per-event cost per scenario and
//! tracer, the published figures as hollow bars).

use std::fmt::Write as _;

use super::{cell, render_table, table::ratio_pair, Findings, Table};
use crate::{
    reference::PublishedFigures,
    report::chart::{BarSeries, Chart, ChartKind, Palette},
    result::{ScenarioStatus, Suite},
    stats::ControlSpread,
    tracer::Tracer,
};

impl Suite {
    /// How far the control's floor moved over every scenario's rounds.
    fn control_spread(&self) -> Option<ControlSpread> {
        ControlSpread::of(
            self.scenarios.iter().flat_map(|s| &s.control_runs),
            self.estimator.floor_quantile,
        )
    }
}

impl Suite {
    /// With a target precision: how many measured rows reached it, and what stopped the
    /// others.
    fn target_outcome(&self) -> Option<String> {
        let pct = self.target_ci_pct?;
        let floor_ns = self.ci_floor_ns.unwrap_or(0.0);
        let (mut rows, mut reached) = (0, 0);
        for scenario in self.scenarios.iter().filter(|s| !s.is_control()) {
            for tracer in &scenario.tracers {
                if let (Some(ns), Some([lo, hi])) = (tracer.per_event_ns, tracer.per_event_ns_ci95)
                {
                    rows += 1;
                    reached += usize::from((hi - lo) / 2.0 <= pct / 100.0 * ns.abs().max(floor_ns));
                }
            }
        }
        let stopped_by = match (self.max_runs, self.max_time_s) {
            (Some(max), Some(secs)) => format!("{max} rounds or the {secs} s budget (--max-time)"),
            (Some(max), None) => format!("{max} rounds"),
            (None, Some(secs)) => format!("the {secs} s budget (--max-time)"),
            (None, None) => "their last round".into(),
        };
        Some(if reached == rows {
            format!("target ±{pct} %: every row of {rows} reached it")
        } else {
            format!(
                "target ±{pct} %: {reached} of {rows} rows reached it; the others stopped at \
                 {stopped_by}, with the interval shown"
            )
        })
    }
}

impl Findings for Suite {
    fn text(&self) -> String {
        let mut out = format!("workload: {}\n\n", self.workload);
        out.push_str(&render_table(&self.scenarios, &self.estimator));
        if let Some(spread) = self.control_spread() {
            let _ = writeln!(out, "\n{}", spread.describe());
        }
        if let Some(target) = self.target_outcome() {
            let _ = writeln!(out, "{target}");
        }
        out
    }

    fn summary(&self) -> String {
        let budget = match self.max_time_s {
            Some(secs) => format!(", or until {secs} s had passed"),
            None => String::new(),
        };
        match (self.target_ci_pct, self.max_runs) {
            (Some(pct), Some(max)) => format!(
                "Workload: {}. Rounds per scenario until its 95% interval is within ±{pct}% \
                 ({} to {max} rounds{budget}; the rounds column says how many each got).",
                self.workload, self.runs_requested
            ),
            _ => format!(
                "Workload: {}. {} rounds per scenario.",
                self.workload, self.runs_requested
            ),
        }
    }

    fn markdown_table(&self) -> Table {
        let tracers = tracer_names(self);
        let pair = ratio_pair(&self.scenarios);
        let mut header = vec!["row".to_string(), "scenario".to_string()];
        for t in &tracers {
            header.push(format!("{t} ns/event (floor [95% CI]; typical)"));
        }
        if let Some([ours, theirs]) = pair {
            header.extend([format!("{ours}/{theirs}"), format!("added {ours}/{theirs}")]);
        }
        header.extend(["Gregg bpftrace", "talk bpftrace", "talk DTrace"].map(String::from));
        let rows = self
            .scenarios
            .iter()
            .map(|r| {
                let mut row = vec![
                    r.row.map_or("+".into(), |n| n.to_string()),
                    match &r.workload {
                        Some(workload) => format!("`{}` ({workload})", r.name),
                        None => format!("`{}`", r.name),
                    },
                ];
                for t in &tracers {
                    row.push(match r.tracer(*t) {
                        None => String::new(),
                        Some(t) if t.status == ScenarioStatus::Unsupported => "unsupported".into(),
                        Some(t) => {
                            let mut text = cell(t.per_event_ns, 1);
                            if let Some([lo, hi]) = t.per_event_ns_ci95 {
                                let _ = write!(text, " [{lo:.1}, {hi:.1}]");
                            }
                            if let Some(typical) = t.typical_ns {
                                let _ = write!(text, "; {typical:.1}");
                            }
                            if t.bursty {
                                text.push_str(" †");
                            }
                            if t.status == ScenarioStatus::Substituted {
                                text.push_str(" *");
                            }
                            text
                        }
                    });
                }
                if pair.is_some() {
                    let c = r.tracer_ratio.as_ref();
                    row.push(cell(c.and_then(|c| c.per_event_ratio), 2));
                    row.push(cell(c.and_then(|c| c.added_ratio), 2));
                }
                row.extend(published_cells(r.published.as_ref()));
                if r.interrupted {
                    row[1].push_str(" (interrupted)");
                }
                row
            })
            .collect();
        Table { header, rows }
    }

    fn notes(&self) -> Vec<String> {
        vec![format!(
            "ns/event: the floor, {}, with its {}; typical: the median over rounds of (traced \
             run's mean - control run's) per event, bursts included. `†`: bursty, the typical \
             cost is beyond the floor by more than the control's own gap and the noise. `*`: on \
             a substitute attach point (see the JSON `reason`). Published columns: other \
             machines, for reference. The interval is this run's precision; how far runs of \
             one build differ, only repeated runs show (`probecost compare`).",
            self.estimator.floor_in_words(),
            self.estimator.interval_in_words()
        )]
        .into_iter()
        .chain(self.control_spread().map(|s| format!("{}.", s.describe())))
        .chain(self.target_outcome().map(|t| format!("{t}.")))
        .collect()
    }

    fn csv_table(&self) -> Table {
        let [ours, theirs] = ratio_pair(&self.scenarios).unwrap_or([Tracer::Aya, Tracer::Bpftrace]);
        let header = [
            "row",
            "scenario",
            "tracer",
            "status",
            "attach",
            "ops",
            "runs",
            "per_event_ns",
            "ci95_low",
            "ci95_high",
            "typical_ns",
            "typical_ci95_low",
            "typical_ci95_high",
            "bursty",
            "slowdown_pct",
            "body_ns",
            "events_verified",
            "attach_ms",
            "detach_ms",
            &format!("per_event_ratio_{ours}_{theirs}"),
            &format!("added_ratio_{ours}_{theirs}"),
            "published_gregg_bpftrace_ns",
            "published_talk_bpftrace_ns",
            "published_talk_dtrace_ns",
            "interrupted",
            "workload",
        ]
        .map(String::from)
        .to_vec();
        let mut rows = Vec::new();
        for r in &self.scenarios {
            let c = r.tracer_ratio.as_ref();
            for t in &r.tracers {
                let [lo, hi] = t
                    .per_event_ns_ci95
                    .map_or([None, None], |[l, h]| [Some(l), Some(h)]);
                let mut row = vec![
                    r.row.map_or(String::new(), |n| n.to_string()),
                    r.name.to_string(),
                    t.tracer.to_string(),
                    t.status.to_string(),
                    t.attach.clone(),
                    r.ops.to_string(),
                    r.runs.to_string(),
                    cell(t.per_event_ns, 3),
                    cell(lo, 3),
                    cell(hi, 3),
                    cell(t.typical_ns, 3),
                    cell(t.typical_ns_ci95.map(|c| c[0]), 3),
                    cell(t.typical_ns_ci95.map(|c| c[1]), 3),
                    t.bursty.to_string(),
                    cell(t.slowdown_pct, 3),
                    cell(t.body_ns, 3),
                    t.events_verified.map_or(String::new(), |v| v.to_string()),
                    cell(t.attach_times.map(|a| a.attach_ms), 3),
                    cell(t.attach_times.map(|a| a.detach_ms), 3),
                    cell(c.and_then(|c| c.per_event_ratio), 4),
                    cell(c.and_then(|c| c.added_ratio), 4),
                ];
                row.extend(published_cells(r.published.as_ref()));
                row.push(r.interrupted.to_string());
                row.push(r.workload.clone().unwrap_or_default());
                rows.push(row);
            }
        }
        Table { header, rows }
    }

    fn chart(&self) -> Chart {
        // The control row measures noise, not a probe: it has no bar.
        let rows: Vec<_> = self.scenarios.iter().filter(|r| !r.is_control()).collect();
        let mut series: Vec<BarSeries> = tracer_names(self)
            .into_iter()
            .map(|t| BarSeries {
                label: format!("{}, measured", t.label()),
                color: Tracer::color(t),
                hollow: false,
                values: rows
                    .iter()
                    .map(|r| r.tracer(t).and_then(|t| t.per_event_ns))
                    .collect(),
            })
            .collect();
        type Figure = fn(&PublishedFigures) -> f64;
        let published: [(&str, Palette, Figure); 3] = [
            ("Gregg bpftrace, published", Palette::Red, |p| {
                p.gregg_bpftrace_ns
            }),
            ("talk bpftrace, published", Palette::Orange, |p| {
                p.talk_bpftrace_ns
            }),
            ("talk DTrace, published", Palette::Green, |p| {
                p.talk_dtrace_ns
            }),
        ];
        // Published figures exist for the talk's rows only.
        let any_published = rows.iter().any(|r| r.published.is_some());
        for (label, color, figure) in published.into_iter().filter(|_| any_published) {
            series.push(BarSeries {
                label: label.into(),
                color,
                hollow: true,
                values: rows
                    .iter()
                    .map(|r| r.published.as_ref().map(figure))
                    .collect(),
            });
        }
        Chart {
            title: "Per-event cost of tracing, by scenario and tracer".into(),
            subtitle: String::new(),
            x_label: if any_published {
                "scenario (row of the talk's Benchmark 1)".into()
            } else {
                "scenario".into()
            },
            y_label: "per-event cost (ns per event, log scale)".into(),
            kind: ChartKind::Bars {
                categories: rows
                    .iter()
                    .map(|r| match r.row {
                        Some(n) => format!("{n} {}", r.name),
                        None => format!("+ {}", r.name),
                    })
                    .collect(),
                series,
                log_scale: true,
            },
        }
    }
}

/// The tracers of a report, in their order.
fn tracer_names(report: &Suite) -> Vec<Tracer> {
    super::tracer_names(&report.scenarios)
}

fn published_cells(p: Option<&PublishedFigures>) -> [String; 3] {
    [
        cell(p.map(|p| p.gregg_bpftrace_ns), 0),
        cell(p.map(|p| p.talk_bpftrace_ns), 0),
        cell(p.map(|p| p.talk_dtrace_ns), 0),
    ]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::{
        benchmark::tracer_ratio,
        environment::Environment,
        reference,
        report::Measured,
        result::{ScenarioResult, TracerResult},
        stats::{Estimator, RunSummary},
    };

    fn tracer(tracer: Tracer, ns: f64) -> TracerResult {
        TracerResult {
            tracer,
            status: ScenarioStatus::Substituted,
            attach: "tracepoint:syscalls:sys_enter_read".into(),
            reason: Some("no kprobes, here".into()),
            per_event_ns: Some(ns),
            per_event_ns_ci95: Some([ns - 1.0, ns + 2.0]),
            ci95_half_width_pct: Some(1.5 / ns * 100.0),
            typical_ns: Some(ns + 10.0),
            typical_ns_ci95: Some([ns + 5.0, ns + 20.0]),
            bursty: false,
            slowdown_pct: Some(20.0),
            body_ns: Some(ns / 2.0),
            events_verified: Some(true),
            verification: None,
            traced: None,
            traced_runs: vec![RunSummary::new(1000, 300_000.0, &Default::default())],
            delivery: None,
            attach_times: None,
        }
    }

    fn scenario(row: u32, name: &'static str, aya: f64, bpftrace: f64) -> ScenarioResult {
        ScenarioResult {
            row: Some(row),
            name: name.to_string(),
            attach_talk: "kprobe:vfs_read".into(),
            ops: 1000,
            runs: 1,
            events_per_op: 1.0,
            control: None,
            control_runs: vec![RunSummary::new(1000, 250_000.0, &Default::default())],
            tracers: vec![tracer(Tracer::Aya, aya), tracer(Tracer::Bpftrace, bpftrace)],
            tracer_ratio: None,
            interrupted: false,
            published: reference::published(name),
            note: Some("a note"),
            workload: None,
        }
    }

    /// Two rows measured by two tracers, compared.
    pub(crate) fn sample_report() -> Measured<Suite> {
        let mut scenarios = vec![
            scenario(2, "kprobe", 50.0, 60.0),
            scenario(9, "map", 55.0, 75.0),
        ];
        tracer_ratio::fill_ratios(&mut scenarios, Default::default());
        Measured {
            environment: Environment::probe(Some(0), vec!["aya".into(), "bpftrace v0.17.0".into()]),
            interrupted: false,
            findings: Suite {
                runs_requested: 1,
                target_ci_pct: Some(5.0),
                ci_floor_ns: Some(100.0),
                max_runs: Some(30),
                max_time_s: Some(240),
                workload: "in-process loop".into(),
                estimator: Estimator::default(),
                scenarios,
            },
        }
    }

    #[test]
    fn the_report_says_how_many_rows_reached_the_target() {
        let mut report = sample_report();
        // Each row is within 1.5 ns: within 5 % of the 100 ns floor; within 2 % of itself only
        // at 75 ns.
        assert_eq!(
            report.findings.target_outcome().unwrap(),
            "target ±5 %: every row of 4 reached it"
        );
        report.findings.ci_floor_ns = Some(0.0);
        report.findings.target_ci_pct = Some(2.0);
        assert_eq!(
            report.findings.target_outcome().unwrap(),
            "target ±2 %: 1 of 4 rows reached it; the others stopped at 30 rounds or the 240 s \
             budget (--max-time), with the interval shown"
        );
        report.findings.target_ci_pct = None;
        assert_eq!(report.findings.target_outcome(), None);
    }

    #[test]
    fn the_comparison_subtracts_each_tracers_bare_probe() {
        let report = sample_report();
        let map = report.findings.scenarios[1].tracer_ratio.as_ref().unwrap();
        assert_eq!(map.per_event_ratio, Some(55.0 / 75.0));
        assert_eq!(map.added_ns, [Some(5.0), Some(15.0)]);
        assert_eq!(map.added_ratio, Some(5.0 / 15.0));
        let bare = report.findings.scenarios[0].tracer_ratio.as_ref().unwrap();
        assert_eq!(
            bare.added_ratio, None,
            "a bare row adds nothing over itself"
        );
    }
}
