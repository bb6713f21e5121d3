//! The terminal table, laid out like the talk's Benchmark 1 table with probecost's
//! uncertainty and kernel-measured program time beside it.

use std::fmt::Write as _;

use super::number_or_dash as num;
use crate::{
    environment::Environment,
    result::{ScenarioResult, ScenarioStatus},
    stats::Estimator,
    tracer::Tracer,
};

/// The environment as a few `key: value` lines.
pub fn render_environment(env: &Environment) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "kernel {} | {} | CPUs {} (SMT {}) | clocksource {} | governor {} | workload {}",
        env.kernel_release,
        env.cpu_model,
        env.online_cpus,
        env.smt,
        env.clocksource,
        env.frequency_governor.as_deref().unwrap_or("none"),
        env.pinned_cpu
            .map_or("unpinned".into(), |cpu| format!("on CPU {cpu}"))
    );
    let _ = writeln!(out, "virtualization: {}", env.virtualization.summary());
    for warning in env.virtualization.warnings() {
        let _ = writeln!(out, "{warning}");
    }
    let _ = writeln!(
        out,
        "tracers: {} | probecost {}",
        env.tracers.join(", "),
        env.probecost_version
    );
    if env.bpf_stats_enabled_before == Some(true) {
        let _ = writeln!(
            out,
            "warning: kernel.bpf_stats_enabled was already 1: every traced run pays for BPF statistics"
        );
    }
    out
}

/// The tracers that appear in `results`, in their order.
pub fn tracer_names(results: &[ScenarioResult]) -> Vec<Tracer> {
    let mut names: Vec<Tracer> = Vec::new();
    for t in results.iter().flat_map(|r| &r.tracers) {
        if !names.contains(&t.tracer) {
            names.push(t.tracer);
        }
    }
    names
}

/// The two tracers of the rows' ratio columns, when any row has them.
pub fn ratio_pair(results: &[ScenarioResult]) -> Option<[Tracer; 2]> {
    results
        .iter()
        .find_map(|r| r.tracer_ratio.as_ref().map(|c| c.tracers))
}

/// The summary (one ns/event column per tracer, the probecost/bpftrace ratios, the published
/// figures), the detail per tracer, then notes on delivery and substitutions; `estimator` is
/// how the results' figures were made.
pub fn render_table(results: &[ScenarioResult], estimator: &Estimator) -> String {
    let mut out = String::new();
    let tracers = tracer_names(results);
    let pair = ratio_pair(results);
    // Rows of the mechanism matrix and users' objects have no published figures.
    let published_shown = results.iter().any(|r| r.published.is_some());
    let width = results
        .iter()
        .map(|r| r.name.len())
        .max()
        .unwrap_or(0)
        .max(17);

    // Two header lines: the column names, then what each column's figure is.
    let short = |tracer: Tracer, len: usize| tracer.name().chars().take(len).collect::<String>();
    let [ours, theirs] = pair.unwrap_or([Tracer::Aya, Tracer::Bpftrace]);
    let headers = [
        (
            ["row", "scenario"],
            [
                "ratio".to_string(),
                format!("{} +ns", short(ours, 5)),
                format!("{} +ns", short(theirs, 5)),
                "+ratio".into(),
            ],
            ["Gregg", "talk", "talk"],
        ),
        (
            ["", ""],
            [
                format!("{}/{}", short(ours, 3), short(theirs, 3)),
                "over bare".into(),
                "over bare".into(),
                String::new(),
            ],
            ["bpftr.", "bpftr.", "DTrace"],
        ),
    ];
    for (line, ([row, scenario], comparison, published)) in headers.into_iter().enumerate() {
        let _ = write!(out, "{row:>3}  {scenario:<width$}");
        for t in &tracers {
            let label = if line == 0 {
                format!("{t} ns/ev")
            } else {
                "(floor)".into()
            };
            let _ = write!(out, " {label:>12}");
        }
        if pair.is_some() {
            let [a, b, c, d] = comparison;
            let _ = write!(out, " {a:>7} {b:>9} {c:>9} {d:>7}");
        }
        if published_shown {
            let [gregg, talk_bpftrace, talk_dtrace] = published;
            let _ = write!(out, "   {gregg:>6} {talk_bpftrace:>6} {talk_dtrace:>6}");
        }
        out.push('\n');
    }
    for r in results {
        let _ = write!(
            out,
            "{:>3}  {:<width$}",
            r.row.map_or("+".to_string(), |n| n.to_string()),
            r.name
        );
        for t in &tracers {
            let value = r.tracer(*t).map_or("-".into(), |t| match t.status {
                ScenarioStatus::Unsupported => "unsupported".into(),
                _ if t.bursty => format!("{} †", num(t.per_event_ns, 1)),
                _ => num(t.per_event_ns, 1),
            });
            let _ = write!(out, " {value:>12}");
        }
        if pair.is_some() {
            let c = r.tracer_ratio.as_ref();
            let ratio = num(c.and_then(|c| c.per_event_ratio), 2);
            let ours = num(c.and_then(|c| c.added_ns[0]), 1);
            let theirs = num(c.and_then(|c| c.added_ns[1]), 1);
            let added = num(c.and_then(|c| c.added_ratio), 2);
            let _ = write!(out, " {ratio:>7} {ours:>9} {theirs:>9} {added:>7}");
        }
        if published_shown {
            let p = r.published.as_ref();
            let gregg = num(p.map(|p| p.gregg_bpftrace_ns), 0);
            let talk_bpftrace = num(p.map(|p| p.talk_bpftrace_ns), 0);
            let talk_dtrace = num(p.map(|p| p.talk_dtrace_ns), 0);
            let _ = write!(out, "   {gregg:>6} {talk_bpftrace:>6} {talk_dtrace:>6}");
        }
        let mark = if r.interrupted { "  (interrupted)" } else { "" };
        let _ = writeln!(out, "{mark}");
    }

    let _ = writeln!(
        out,
        "\n{:>3}  {:<width$} {:<8} {:<11} {:<44} {:>9} {:>18} {:>5} {:>24} {:>6} {:>8} {:>8} {:>6} {:>9} {:>9}",
        "row",
        "scenario",
        "tracer",
        "status",
        "attach point used",
        "ns/event",
        "[95% CI]",
        "±%",
        "typical [95% CI]",
        "rounds",
        "slowdown",
        "body ns",
        "events",
        "attach ms",
        "detach ms"
    );
    for r in results {
        for t in &r.tracers {
            let floor_ci = match t.per_event_ns_ci95 {
                Some([lo, hi]) => format!("[{lo:.1}, {hi:.1}]"),
                None => "-".into(),
            };
            let typical = match (t.typical_ns, t.typical_ns_ci95) {
                (Some(m), Some([lo, hi])) => {
                    let mark = if t.bursty { " †" } else { "" };
                    format!("{m:.1} [{lo:.1}, {hi:.1}]{mark}")
                }
                _ => "-".into(),
            };
            let events = match t.events_verified {
                Some(true) => "ok",
                Some(false) => "SHORT",
                None => "-",
            };
            let times = t.attach_times.as_ref();
            let _ = writeln!(
                out,
                "{:>3}  {:<width$} {:<8} {:<11} {:<44} {:>9} {:>18} {:>5} {:>24} {:>6} {:>8} {:>8} {:>6} {:>9} {:>9}",
                r.row.map_or("+".to_string(), |n| n.to_string()),
                r.name,
                t.tracer,
                t.status,
                truncate(&t.attach, 44),
                num(t.per_event_ns, 1),
                floor_ci,
                num(t.ci95_half_width_pct, 1),
                typical,
                if t.traced_runs.is_empty() { "-".to_string() } else { r.runs.to_string() },
                num(t.slowdown_pct, 1),
                num(t.body_ns, 1),
                events,
                num(times.map(|a| a.attach_ms), 1),
                num(times.map(|a| a.detach_ms), 1),
            );
        }
    }
    let _ = writeln!(
        out,
        "\nns/event = the floor: {}; its {} (±% = half its width, % of ns/event; rounds = run pairs). The interval is this run's precision; how far runs of one build differ, only repeated runs show (compare them with `probecost compare`).\ntypical = the median over rounds of (traced run's mean - control run's mean) per event, bursts included; † = bursty: typical beyond the floor by more than the control's own gap and the noise.",
        estimator.floor_in_words(),
        estimator.interval_in_words()
    );
    let _ = writeln!(
        out,
        "body ns = the kernel's run_time/run_count for the program(s), from a separate run with BPF statistics on."
    );
    if pair.is_some() {
        let _ = writeln!(
            out,
            "ratio = {ours} / {theirs} per event; +ns = cost over the tracer's own bare probe row (kprobe/kretprobe) on the same attach point; +ratio = {ours} +ns / {theirs} +ns."
        );
    }
    if published_shown {
        let _ = writeln!(
            out,
            "Gregg / talk columns: published figures from other machines (BPF Performance Tools ch. 18; BSDCan 2023), for reference only."
        );
    }
    for r in results {
        for t in &r.tracers {
            if let Some(d) = &t.delivery {
                let _ = writeln!(
                    out,
                    "{} ({}): {} events seen, {} lines delivered, {} lost",
                    r.name, t.tracer, d.seen, d.delivered, d.lost
                );
            }
        }
    }
    // One note per distinct reason, naming every scenario it applies to.
    let mut notes: Vec<(String, Vec<String>)> = Vec::new();
    for r in results {
        for t in r.tracers.iter().filter(|t| t.reason.is_some()) {
            let key = format!("{}: {}", t.status, t.reason.as_deref().unwrap_or_default());
            let who = format!("{} ({})", r.name, t.tracer);
            match notes.iter_mut().find(|(k, _)| *k == key) {
                Some((_, names)) => names.push(who),
                None => notes.push((key, vec![who])),
            }
        }
    }
    for (reason, names) in notes {
        let _ = writeln!(out, "{}: {reason}", names.join(", "));
    }
    // What a mechanism row's reader needs to know, once per distinct note.
    let mut mechanism_notes: Vec<(&str, Vec<&str>)> = Vec::new();
    for r in results {
        if let Some(note) = r.note {
            match mechanism_notes.iter_mut().find(|(n, _)| *n == note) {
                Some((_, names)) => names.push(&r.name),
                None => mechanism_notes.push((note, vec![&r.name])),
            }
        }
    }
    for (note, names) in mechanism_notes {
        let _ = writeln!(out, "{}: {note}", names.join(", "));
    }
    for r in results {
        if let Some(workload) = &r.workload {
            let _ = writeln!(out, "{}: timed with {workload}", r.name);
        }
    }
    out
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}
