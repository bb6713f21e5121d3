//! The scenario catalog: the 18 rows of the talk's Benchmark 1 plus probecost's own
//! `per-event-aya-log`. Adding a scenario is one body in ebpf/src/scenarios.rs and one entry here.

use super::{AttachKind, Delivery, Hook, ProgramSpec, Scenario};

/// Attach kinds for the kernel's read path: the talk's kprobe, then the substitutes.
const VFS_READ: &[AttachKind] = &[
    AttachKind::Kprobe,
    AttachKind::Fentry,
    AttachKind::SyscallTracepoint,
];
const SYSCALL: &[AttachKind] = &[AttachKind::SyscallTracepoint];
const LIBC: &[AttachKind] = &[AttachKind::Uprobe];

const fn entry(body: &'static str) -> ProgramSpec {
    ProgramSpec {
        body,
        hook: Hook::ReadEntry,
    }
}

/// A scenario whose one program runs at the entry of the read path.
const fn on_entry(
    row: u32,
    name: &'static str,
    bpftrace: &'static str,
    programs: &'static [ProgramSpec],
    delivery: Delivery,
    dtrace: &'static str,
) -> Scenario {
    Scenario {
        row: Some(row),
        name,
        bpftrace,
        programs,
        attach_preference: VFS_READ,
        delivery,
        dtrace,
    }
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        row: Some(1),
        name: "control",
        bpftrace: "BEGIN {}",
        programs: &[],
        attach_preference: &[],
        delivery: Delivery::None,
        dtrace: "dtrace:::BEGIN {}\n",
    },
    on_entry(2, "kprobe", "kprobe:vfs_read {}", &[entry("probe")], Delivery::None,
        "fbt::dofileread:entry {}\n"),
    Scenario {
        row: Some(3),
        name: "kretprobe",
        bpftrace: "kretprobe:vfs_read {}",
        programs: &[ProgramSpec { body: "retprobe", hook: Hook::ReadReturn }],
        attach_preference: VFS_READ,
        delivery: Delivery::None,
        dtrace: "fbt::dofileread:return {}\n",
    },
    Scenario {
        row: Some(4),
        name: "tracepoint-entry",
        bpftrace: "tracepoint:syscalls:sys_enter_read {}",
        programs: &[entry("probe")],
        attach_preference: SYSCALL,
        delivery: Delivery::None,
        dtrace: "syscall:freebsd:read:entry {}\n",
    },
    Scenario {
        row: Some(5),
        name: "tracepoint-return",
        bpftrace: "tracepoint:syscalls:sys_exit_read {}",
        programs: &[ProgramSpec { body: "retprobe", hook: Hook::ReadReturn }],
        attach_preference: SYSCALL,
        delivery: Delivery::None,
        dtrace: "syscall:freebsd:read:return {}\n",
    },
    Scenario {
        row: Some(6),
        name: "uprobe",
        bpftrace: "uprobe:libc:read {}",
        programs: &[ProgramSpec { body: "libc_read", hook: Hook::LibcReadEntry }],
        attach_preference: LIBC,
        delivery: Delivery::None,
        dtrace: "pid$target:libc.so.7:read:entry {}\n",
    },
    Scenario {
        row: Some(7),
        name: "uretprobe",
        bpftrace: "uretprobe:libc:read {}",
        programs: &[ProgramSpec { body: "libc_read", hook: Hook::LibcReadReturn }],
        attach_preference: LIBC,
        delivery: Delivery::None,
        dtrace: "pid$target:libc.so.7:read:return {}\n",
    },
    on_entry(8, "filter", "kprobe:vfs_read /arg2 > 0/ {}", &[entry("filter")], Delivery::None,
        "fbt::dofileread:entry /args[3]->uio_resid > 0/ {}\n"),
    on_entry(9, "map", "kprobe:vfs_read { @ = count(); }", &[entry("map")], Delivery::None,
        "fbt::dofileread:entry { @ = count(); }\n"),
    on_entry(10, "single-key", "kprobe:vfs_read { @[pid] = count(); }",
        &[entry("single_key")], Delivery::None,
        "fbt::dofileread:entry { @[pid] = count(); }\n"),
    on_entry(11, "string-key", "kprobe:vfs_read { @[comm] = count(); }",
        &[entry("string_key")], Delivery::None,
        "fbt::dofileread:entry { @[execname] = count(); }\n"),
    on_entry(12, "two-keys", "kprobe:vfs_read { @[pid, comm] = count(); }",
        &[entry("two_keys")], Delivery::None,
        "fbt::dofileread:entry { @[pid, execname] = count(); }\n"),
    on_entry(13, "kernel-stack", "kprobe:vfs_read { @[kstack] = count(); }",
        &[entry("kernel_stack")], Delivery::None,
        "fbt::dofileread:entry { @[stack()] = count(); }\n"),
    on_entry(14, "user-stack", "kprobe:vfs_read { @[ustack] = count(); }",
        &[entry("user_stack")], Delivery::None,
        "fbt::dofileread:entry { @[ustack()] = count(); }\n"),
    on_entry(15, "histogram", "kprobe:vfs_read { @ = hist(arg2); }", &[entry("histogram")],
        Delivery::None, "fbt::dofileread:entry { @ = quantize(args[3]->uio_resid); }\n"),
    on_entry(16, "timing",
        "kprobe:vfs_read { @s[tid] = nsecs; } kretprobe:vfs_read /@s[tid]/ { @ = hist(nsecs - @s[tid]); delete(@s[tid]); }",
        &[entry("timing_start"), ProgramSpec { body: "timing_end", hook: Hook::ReadReturn }],
        Delivery::None,
        "fbt::dofileread:entry { self->s = timestamp; }\nfbt::dofileread:return /self->s/ { @ = quantize(timestamp - self->s); self->s = 0; }\n"),
    on_entry(17, "multiple", "kprobe:vfs_read { @[kstack, ustack] = hist(arg2); }",
        &[entry("multiple")], Delivery::None,
        "fbt::dofileread:entry { @[stack(), ustack()] = quantize(args[3]->uio_resid); }\n"),
    on_entry(18, "per-event", "kprobe:vfs_read { printf(\"%d bytes\\n\", arg2); }",
        &[entry("per_event")], Delivery::RingBuf,
        "fbt::dofileread:entry { printf(\"%d bytes\\n\", args[3]->uio_resid); }\n"),
    Scenario {
        row: None,
        name: "per-event-aya-log",
        bpftrace: "kprobe:vfs_read { printf(\"%d bytes\\n\", arg2); }",
        programs: &[entry("per_event_aya_log")],
        attach_preference: VFS_READ,
        delivery: Delivery::AyaLog,
        dtrace: "fbt::dofileread:entry { printf(\"%d bytes\\n\", args[3]->uio_resid); }\n",
    },
];

/// Every scenario probecost knows, in table order.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScenarioCatalog;

impl ScenarioCatalog {
    /// All scenarios, in table order.
    pub fn all(&self) -> &'static [Scenario] {
        SCENARIOS
    }

    /// The scenario called `name`.
    pub fn find(&self, name: &str) -> Option<&'static Scenario> {
        SCENARIOS.iter().find(|s| s.name == name)
    }

    /// The scenarios named in `names` (in catalog order, each once), or the unknown names.
    pub fn select(&self, names: &[String]) -> Result<Vec<&'static Scenario>, Vec<String>> {
        let unknown: Vec<String> = names
            .iter()
            .filter(|n| self.find(n).is_none())
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        Ok(SCENARIOS
            .iter()
            .filter(|s| names.iter().any(|n| n == s.name))
            .collect())
    }

    /// Names of all scenarios, comma-separated, for error messages.
    pub fn names(&self) -> String {
        SCENARIOS
            .iter()
            .map(|s| s.name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_talk() {
        let names: Vec<&str> = SCENARIOS
            .iter()
            .filter(|s| s.row.is_some())
            .map(|s| s.name)
            .collect();
        assert_eq!(
            names,
            [
                "control",
                "kprobe",
                "kretprobe",
                "tracepoint-entry",
                "tracepoint-return",
                "uprobe",
                "uretprobe",
                "filter",
                "map",
                "single-key",
                "string-key",
                "two-keys",
                "kernel-stack",
                "user-stack",
                "histogram",
                "timing",
                "multiple",
                "per-event"
            ]
        );
        for (i, s) in SCENARIOS.iter().filter(|s| s.row.is_some()).enumerate() {
            assert_eq!(s.row, Some(i as u32 + 1));
        }
    }

    #[test]
    fn select_reports_unknown_names() {
        let catalog = ScenarioCatalog;
        let err = catalog.select(&["map".into(), "nope".into()]).unwrap_err();
        assert_eq!(err, vec!["nope".to_string()]);
        let ok = catalog
            .select(&["per-event".into(), "control".into()])
            .unwrap();
        assert_eq!(
            ok.iter().map(|s| s.name).collect::<Vec<_>>(),
            ["control", "per-event"]
        );
    }

    #[test]
    fn program_names_follow_the_ebpf_convention() {
        let timing = ScenarioCatalog.find("timing").unwrap();
        let names: Vec<String> = timing
            .programs
            .iter()
            .map(|p| p.program_name(AttachKind::Kprobe))
            .collect();
        assert_eq!(names, ["timing_start_kprobe", "timing_end_kretprobe"]);
        assert_eq!(
            timing.attach_points(AttachKind::SyscallTracepoint),
            "tracepoint:syscalls:sys_enter_read + tracepoint:syscalls:sys_exit_read"
        );
        let uretprobe = ScenarioCatalog.find("uretprobe").unwrap();
        assert_eq!(
            uretprobe.programs[0].program_name(AttachKind::Uprobe),
            "libc_read_uretprobe"
        );
    }

    #[test]
    fn d_programs_are_the_talks() {
        let d = |name: &str| ScenarioCatalog.find(name).unwrap().dtrace;
        let timing = ScenarioCatalog.find("timing").unwrap();
        assert_eq!(
            timing.dtrace_probes(),
            ["fbt::dofileread:entry", "fbt::dofileread:return"]
        );
        assert_eq!(timing.dtrace_providers(), ["fbt"]);
        assert!(timing
            .dtrace_counting_program()
            .ends_with("fbt::dofileread:return { @probecost_events_1 = count(); }\n"));
        let uretprobe = ScenarioCatalog.find("uretprobe").unwrap();
        assert_eq!(uretprobe.dtrace_providers(), ["pid"]);
        assert!(uretprobe.dtrace_needs_target());
        assert!(!timing.dtrace_needs_target());
        assert_eq!(d("control"), "dtrace:::BEGIN {}\n");
        assert_eq!(d("kprobe"), "fbt::dofileread:entry {}\n");
        assert_eq!(d("uretprobe"), "pid$target:libc.so.7:read:return {}\n");
        assert_eq!(
            d("filter"),
            "fbt::dofileread:entry /args[3]->uio_resid > 0/ {}\n"
        );
        assert_eq!(
            d("multiple"),
            "fbt::dofileread:entry { @[stack(), ustack()] = quantize(args[3]->uio_resid); }\n"
        );
        assert_eq!(
            d("timing"),
            "fbt::dofileread:entry { self->s = timestamp; }\nfbt::dofileread:return /self->s/ { @ = quantize(timestamp - self->s); self->s = 0; }\n"
        );
        assert_eq!(
            d("per-event"),
            "fbt::dofileread:entry { printf(\"%d bytes\\n\", args[3]->uio_resid); }\n"
        );
    }
}
