//! The terminal table, laid out like the talk's Benchmark 1 table with probecost's
//! uncertainty and kernel-measured program time beside it.

use std::fmt::Write as _;

use crate::{
    environment::Environment,
    result::{ScenarioResult, ScenarioStatus},
};

fn num(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "-".into(),
    }
}

/// The environment as a few `key: value` lines.
pub fn render_environment(env: &Environment) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "kernel {} | {} | CPUs {} (SMT {}) | clocksource {} | governor {} | workload on CPU {}",
        env.kernel_release,
        env.cpu_model,
        env.online_cpus,
        env.smt,
        env.clocksource,
        env.frequency_governor.as_deref().unwrap_or("none"),
        env.pinned_cpu
    );
    let _ = writeln!(
        out,
        "tracer: {} | probecost {}",
        env.tracer, env.probecost_version
    );
    if env.bpf_stats_enabled_before == Some(true) {
        let _ = writeln!(
            out,
            "warning: kernel.bpf_stats_enabled was already 1: every traced run pays for BPF statistics"
        );
    }
    out
}

/// The results table, then one note per substituted or unsupported scenario.
pub fn render_table(results: &[ScenarioResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>3}  {:<17} {:<11} {:<48} {:>9} {:>22} {:>9} {:>8} {:>6}   {:>6} {:>6} {:>6}",
        "row",
        "scenario",
        "status",
        "attach point used",
        "ns/event",
        "median [95% CI]",
        "slowdown",
        "body ns",
        "events",
        "Gregg",
        "talk",
        "talk"
    );
    let _ = writeln!(
        out,
        "{:>3}  {:<17} {:<11} {:<48} {:>9} {:>22} {:>9} {:>8} {:>6}   {:>6} {:>6} {:>6}",
        "", "", "", "", "(fastest)", "", "%", "(kernel)", "", "bpftr.", "bpftr.", "DTrace"
    );
    for r in results {
        let status = match r.status {
            ScenarioStatus::Measured => "measured",
            ScenarioStatus::Substituted => "substituted",
            ScenarioStatus::Unsupported => "unsupported",
        };
        let median = match (r.per_event_ns_median, r.per_event_ns_ci95) {
            (Some(m), Some([lo, hi])) => format!("{m:.1} [{lo:.1}, {hi:.1}]"),
            _ => "-".into(),
        };
        let events = match r.events_verified {
            Some(true) => "ok",
            Some(false) => "SHORT",
            None => "-",
        };
        let published = r.published.as_ref();
        let _ = writeln!(
            out,
            "{:>3}  {:<17} {:<11} {:<48} {:>9} {:>22} {:>9} {:>8} {:>6}   {:>6} {:>6} {:>6}{}",
            r.row.map_or("+".to_string(), |n| n.to_string()),
            r.name,
            status,
            truncate(&r.attach, 48),
            num(r.per_event_ns, 1),
            median,
            num(r.slowdown_pct, 1),
            num(r.body_ns, 1),
            events,
            num(published.map(|p| p.gregg_bpftrace_ns), 0),
            num(published.map(|p| p.talk_bpftrace_ns), 0),
            num(published.map(|p| p.talk_dtrace_ns), 0),
            if r.interrupted { "  (interrupted)" } else { "" },
        );
    }
    let _ = writeln!(
        out,
        "\nns/event = (fastest traced run - fastest control run) per event; median and 95% bootstrap CI over the paired runs."
    );
    let _ = writeln!(
        out,
        "body ns = the kernel's run_time/run_count for the program(s), from a separate run with BPF statistics on."
    );
    let _ = writeln!(
        out,
        "Gregg / talk columns: published figures from other machines (BPF Performance Tools ch. 18; BSDCan 2023), for reference only."
    );
    for r in results {
        if let Some(d) = &r.delivery {
            let _ = writeln!(
                out,
                "{}: {} events seen, {} lines delivered, {} lost",
                r.name, d.seen, d.delivered, d.lost
            );
        }
    }
    for r in results.iter().filter(|r| r.reason.is_some()) {
        let _ = writeln!(
            out,
            "{} ({}): {}",
            r.name,
            match r.status {
                ScenarioStatus::Unsupported => "unsupported",
                _ => "substituted",
            },
            r.reason.as_deref().unwrap_or_default()
        );
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
