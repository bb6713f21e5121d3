//! bpftrace's side of the talk's Benchmark 1: one one-liner per scenario, as the talk ran them
//! (written on the talk's attach points; `script.rs` moves them where this kernel attaches).
//! A scenario without a script here is one bpftrace does not run.

/// The one-liner of scenario `name`, if bpftrace runs it.
pub fn talk_script(name: &str) -> Option<&'static str> {
    SCRIPTS
        .iter()
        .find(|(scenario, _)| *scenario == name)
        .map(|(_, script)| *script)
}

const SCRIPTS: &[(&str, &str)] = &[
    ("control", "BEGIN {}"),
    ("kprobe", "kprobe:vfs_read {}"),
    ("kretprobe", "kretprobe:vfs_read {}"),
    ("tracepoint-entry", "tracepoint:syscalls:sys_enter_read {}"),
    ("tracepoint-return", "tracepoint:syscalls:sys_exit_read {}"),
    ("uprobe", "uprobe:libc:read {}"),
    ("uretprobe", "uretprobe:libc:read {}"),
    ("filter", "kprobe:vfs_read /arg2 > 0/ {}"),
    ("map", "kprobe:vfs_read { @ = count(); }"),
    ("single-key", "kprobe:vfs_read { @[pid] = count(); }"),
    ("string-key", "kprobe:vfs_read { @[comm] = count(); }"),
    ("two-keys", "kprobe:vfs_read { @[pid, comm] = count(); }"),
    ("kernel-stack", "kprobe:vfs_read { @[kstack] = count(); }"),
    ("user-stack", "kprobe:vfs_read { @[ustack] = count(); }"),
    ("histogram", "kprobe:vfs_read { @ = hist(arg2); }"),
    ("timing", "kprobe:vfs_read { @s[tid] = nsecs; } kretprobe:vfs_read /@s[tid]/ { @ = hist(nsecs - @s[tid]); delete(@s[tid]); }"),
    ("multiple", "kprobe:vfs_read { @[kstack, ustack] = hist(arg2); }"),
    ("per-event", "kprobe:vfs_read { printf(\"%d bytes\\n\", arg2); }"),
    ("per-event-aya-log", "kprobe:vfs_read { printf(\"%d bytes\\n\", arg2); }"),
];

#[cfg(test)]
mod tests {
    use probecost_core::scenario::{ScenarioCatalog, ScenarioSuite};

    #[test]
    fn every_script_is_a_talk_scenarios_and_every_talk_row_has_one() {
        for (name, _) in super::SCRIPTS {
            assert!(ScenarioCatalog.find(name).is_some(), "no scenario {name}");
        }
        for scenario in ScenarioCatalog.suite(ScenarioSuite::Talk) {
            assert!(
                super::talk_script(scenario.name).is_some(),
                "{}",
                scenario.name
            );
        }
    }
}
