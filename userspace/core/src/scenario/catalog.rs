//! The scenario catalog: the 18 rows of the talk's Benchmark 1 plus probecost's own
//! `per-event-aya-log`, and, from `mechanism_matrix.rs`, the mechanism matrix (`--suite
//! mechanisms`). Adding a scenario is one body in ebpf/src/scenarios.rs (and its C twin) and
//! one entry here.

use super::{
    mechanism_matrix::MECHANISMS, Delivery, Hook, ProgramSpec, Scenario, ScenarioSuite, LIBC,
    SYSCALL, VFS_READ,
};

/// A scenario whose one program runs at the entry of the read path.
const fn on_entry(
    row: u32,
    name: &'static str,
    description: &'static str,
    programs: &'static [ProgramSpec],
    delivery: Delivery,
) -> Scenario {
    Scenario {
        row: Some(row),
        name,
        description,
        programs,
        attach_preference: VFS_READ,
        delivery,
        suite: ScenarioSuite::Talk,
        note: "",
    }
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        row: Some(1),
        name: "control",
        description: "no program attached",
        programs: &[],
        attach_preference: &[],
        delivery: Delivery::None,
        suite: ScenarioSuite::Talk,
        note: "",
    },
    on_entry(2, "kprobe", "kprobe on vfs_read, empty body", &[ProgramSpec::entry("probe")], Delivery::None),
    Scenario {
        row: Some(3),
        name: "kretprobe",
        description: "kretprobe on vfs_read, empty body",
        programs: &[ProgramSpec { body: "retprobe", hook: Hook::ReadReturn }],
        attach_preference: VFS_READ,
        delivery: Delivery::None,
        suite: ScenarioSuite::Talk,
        note: "",
    },
    Scenario {
        row: Some(4),
        name: "tracepoint-entry",
        description: "tracepoint syscalls:sys_enter_read, empty body",
        programs: &[ProgramSpec::entry("probe")],
        attach_preference: SYSCALL,
        delivery: Delivery::None,
        suite: ScenarioSuite::Talk,
        note: "",
    },
    Scenario {
        row: Some(5),
        name: "tracepoint-return",
        description: "tracepoint syscalls:sys_exit_read, empty body",
        programs: &[ProgramSpec { body: "retprobe", hook: Hook::ReadReturn }],
        attach_preference: SYSCALL,
        delivery: Delivery::None,
        suite: ScenarioSuite::Talk,
        note: "",
    },
    Scenario {
        row: Some(6),
        name: "uprobe",
        description: "uprobe on libc's read (file-based), empty body",
        programs: &[ProgramSpec { body: "libc_read", hook: Hook::LibcReadEntry }],
        attach_preference: LIBC,
        delivery: Delivery::None,
        suite: ScenarioSuite::Talk,
        note: "",
    },
    Scenario {
        row: Some(7),
        name: "uretprobe",
        description: "uretprobe on libc's read, empty body",
        programs: &[ProgramSpec { body: "libc_read", hook: Hook::LibcReadReturn }],
        attach_preference: LIBC,
        delivery: Delivery::None,
        suite: ScenarioSuite::Talk,
        note: "",
    },
    on_entry(8, "filter", "kprobe on vfs_read with the predicate count > 0", &[ProgramSpec::entry("filter")], Delivery::None),
    on_entry(9, "map", "kprobe on vfs_read counting into a one-slot map", &[ProgramSpec::entry("map")], Delivery::None),
    on_entry(10, "single-key", "kprobe on vfs_read counting by pid",
        &[ProgramSpec::entry("single_key")], Delivery::None),
    on_entry(11, "string-key", "kprobe on vfs_read counting by comm",
        &[ProgramSpec::entry("string_key")], Delivery::None),
    on_entry(12, "two-keys", "kprobe on vfs_read counting by pid and comm",
        &[ProgramSpec::entry("two_keys")], Delivery::None),
    on_entry(13, "kernel-stack", "kprobe on vfs_read counting by kernel stack",
        &[ProgramSpec::entry("kernel_stack")], Delivery::None),
    on_entry(14, "user-stack", "kprobe on vfs_read counting by user stack",
        &[ProgramSpec::entry("user_stack")], Delivery::None),
    on_entry(15, "histogram", "kprobe on vfs_read adding the requested size to a log2 histogram", &[ProgramSpec::entry("histogram")],
        Delivery::None),
    on_entry(16, "timing", "vfs_read's entry stores the time by thread; its return adds the latency to a histogram and deletes the entry",
        &[ProgramSpec::entry("timing_start"), ProgramSpec { body: "timing_end", hook: Hook::ReadReturn }],
        Delivery::None),
    on_entry(17, "multiple", "kprobe on vfs_read: a log2 histogram of the requested size by kernel and user stack",
        &[ProgramSpec::entry("multiple")], Delivery::None),
    on_entry(18, "per-event", "kprobe on vfs_read sending one formatted line per event to user space (ring buffer)",
        &[ProgramSpec::entry("per_event")], Delivery::RingBuf),
    Scenario {
        row: None,
        name: "per-event-aya-log",
        description: "row 18 through aya-log's ring buffer and formatter instead of probecost's own",
        programs: &[ProgramSpec::entry("per_event_aya_log")],
        attach_preference: VFS_READ,
        delivery: Delivery::AyaLog,
        suite: ScenarioSuite::Talk,
        note: "",
    },
];

/// Every scenario probecost knows, in table order.
#[derive(Clone, Copy, Debug, Default)]
pub struct ScenarioCatalog;

impl ScenarioCatalog {
    /// The talk's scenarios, in table order.
    pub fn all(&self) -> &'static [Scenario] {
        SCENARIOS
    }

    /// The scenarios of `suite`, in table order.
    pub fn suite(&self, suite: ScenarioSuite) -> &'static [Scenario] {
        match suite {
            ScenarioSuite::Talk => SCENARIOS,
            ScenarioSuite::Mechanisms => MECHANISMS,
        }
    }

    /// Every scenario of every suite.
    pub fn every(&self) -> impl Iterator<Item = &'static Scenario> {
        SCENARIOS.iter().chain(MECHANISMS)
    }

    /// The scenario called `name`, in any suite.
    pub fn find(&self, name: &str) -> Option<&'static Scenario> {
        self.every().find(|s| s.name == name)
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
        Ok(self
            .every()
            .filter(|s| names.iter().any(|n| n == s.name))
            .collect())
    }

    /// Names of all scenarios, comma-separated, for error messages.
    pub fn names(&self) -> String {
        self.every().map(|s| s.name).collect::<Vec<_>>().join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::AttachKind;

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
    fn the_mechanism_matrix_has_both_bodies_on_every_mechanism_once() {
        let catalog = ScenarioCatalog;
        let rows = catalog.suite(ScenarioSuite::Mechanisms);
        // Every attach kind has an empty and a counting row on the read path's event.
        for kind in AttachKind::ALL {
            assert!(
                rows.iter().any(|r| r.attach_preference == [kind]),
                "{kind:?} has no row"
            );
        }
        for row in rows {
            assert_eq!(
                row.attach_preference.len(),
                1,
                "{}: no substitutes",
                row.name
            );
            assert!(row.row.is_none(), "{}", row.name);
            let twin = if let Some(mechanism) = row.name.strip_suffix("-empty") {
                format!("{mechanism}-count")
            } else {
                format!("{}-empty", row.name.strip_suffix("-count").unwrap())
            };
            assert!(catalog.find(&twin).is_some(), "{} has no {twin}", row.name);
        }
        let nop5 = catalog.find("uprobe-nop5-count").unwrap();
        assert_eq!(
            nop5.attach_points(AttachKind::Uprobe),
            "uprobe:probecost:probecost_site_nop5"
        );
        assert_eq!(
            nop5.programs[0].program_name(AttachKind::Uprobe),
            "map_uprobe"
        );
        assert_eq!(
            catalog.find("tp-btf-count").unwrap().programs[0].program_name(AttachKind::TpBtf),
            "map_tpbtf"
        );
        // Names are unique across both suites, so `--scenario` can take either.
        let mut names: Vec<&str> = catalog.every().map(|s| s.name).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count);
    }
}
