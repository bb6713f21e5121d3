//! What `workload --sets` names: the talk's scenarios (benchmark2.csv rows 1-9), each a
//! combination of the talk's probe sets ([`TalkSet`]), or any combination of probe-set kinds.

use crate::{
    error::{Error, Result},
    probe_set::ProbeSetKind,
};

/// One of the talk's probe sets (SCENARIOS.md, Benchmark 2), by the name probecost uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TalkSet {
    /// Every function of the build's file system (`fbt:zfs::`).
    FbtFs,
    /// The file system's open, close and create functions.
    FbtFsOcc,
    /// The file system's functions and every function starting with `a`.
    FbtFsA,
    /// The file system's functions and every function starting with `a`, `b` or `v`.
    FbtFsAbv,
    /// Every syscall's entry and exit.
    SyscallAll,
    /// Every syscall's entry.
    SyscallEntry,
    /// Every VFS function.
    VfsAll,
    /// vfs_write, vfs_read, vfs_open and the close path.
    VfsWroc,
    /// Every scheduler probe.
    SchedAll,
}

impl TalkSet {
    /// Every set, in the talk's order.
    pub const ALL: [TalkSet; 9] = [
        Self::FbtFs,
        Self::FbtFsOcc,
        Self::FbtFsA,
        Self::FbtFsAbv,
        Self::SyscallAll,
        Self::SyscallEntry,
        Self::VfsAll,
        Self::VfsWroc,
        Self::SchedAll,
    ];

    /// The name `--sets` and the reports use.
    pub fn name(self) -> &'static str {
        match self {
            Self::FbtFs => "fbt-fs",
            Self::FbtFsOcc => "fbt-fs-occ",
            Self::FbtFsA => "fbt-fs-a",
            Self::FbtFsAbv => "fbt-fs-abv",
            Self::SyscallAll => "syscall-all",
            Self::SyscallEntry => "syscall-entry",
            Self::VfsAll => "vfs-all",
            Self::VfsWroc => "vfs-wroc",
            Self::SchedAll => "sched-all",
        }
    }
}

/// One set of a scenario: one of the talk's, or any probe-set kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkloadSet {
    /// A set of the talk, resolved for this kernel and file system by the backend.
    Talk(TalkSet),
    /// A probe-set kind (`tracepoint:ext4:*`, `kprobe:vfs_*`, `syscalls`...).
    Kind(ProbeSetKind),
}

impl WorkloadSet {
    /// A talk set by its name, else a probe-set kind.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        match TalkSet::ALL.into_iter().find(|set| set.name() == text) {
            Some(set) => Ok(Self::Talk(set)),
            None => ProbeSetKind::parse(text).map(Self::Kind),
        }
    }

    /// The name as asked for: the talk's name, or the kind as written back.
    pub fn name(&self) -> String {
        match self {
            Self::Talk(set) => set.name().to_string(),
            Self::Kind(kind) => kind.describe(),
        }
    }
}

/// The talk's nine scenarios (benchmark2.csv rows 1-9) as combinations of sets; row 0 is the
/// untraced baseline.
pub const TALK_SCENARIOS: [(u32, &[TalkSet]); 9] = {
    use TalkSet::*;
    [
        (1, &[FbtFs, SyscallAll, VfsAll]),
        (2, &[FbtFsOcc, SyscallEntry, VfsWroc]),
        (3, &[FbtFsOcc, SyscallAll, VfsWroc]),
        (4, &[FbtFs, SyscallAll, VfsAll, SchedAll]),
        (5, &[FbtFsOcc, SyscallEntry, VfsWroc, SchedAll]),
        (6, &[FbtFsOcc, SyscallAll, VfsWroc, SchedAll]),
        (7, &[FbtFsA, SyscallAll]),
        (8, &[FbtFsAbv, SyscallAll]),
        (9, &[VfsAll]),
    ]
};

/// One scenario to run: a name and its sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadScenario {
    /// `1`..`9` for the talk's, or the sets joined with `+`.
    pub name: String,
    /// Its sets.
    pub sets: Vec<WorkloadSet>,
}

impl WorkloadScenario {
    fn talk(row: u32, sets: &[TalkSet]) -> Self {
        Self {
            name: row.to_string(),
            sets: sets.iter().copied().map(WorkloadSet::Talk).collect(),
        }
    }
}

/// Parses `--sets`: each item is a talk scenario number (`1`..`9`), `all` (the nine), or
/// sets joined with `+` (`sched-all+tracepoint:ext4:*`).
pub fn parse_scenarios(items: &[String]) -> Result<Vec<WorkloadScenario>> {
    let mut scenarios = Vec::new();
    for item in items {
        let item = item.trim();
        if item == "all" {
            scenarios.extend(
                TALK_SCENARIOS
                    .iter()
                    .map(|(row, sets)| WorkloadScenario::talk(*row, sets)),
            );
            continue;
        }
        if let Ok(n) = item.parse::<u32>() {
            let (row, sets) = TALK_SCENARIOS
                .iter()
                .find(|(row, _)| *row == n)
                .ok_or_else(|| {
                    Error::Input(format!("no talk scenario {n}: they are numbered 1 to 9"))
                })?;
            scenarios.push(WorkloadScenario::talk(*row, sets));
            continue;
        }
        let names: Vec<&str> = item.split('+').map(str::trim).collect();
        if names.iter().any(|name| name.is_empty()) {
            return Err(Error::Input(format!("empty set in `{item}`")));
        }
        scenarios.push(WorkloadScenario {
            name: item.to_string(),
            sets: names
                .into_iter()
                .map(WorkloadSet::parse)
                .collect::<Result<_>>()?,
        });
    }
    Ok(scenarios)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenarios_by_number_by_sets_and_all() {
        let parsed = parse_scenarios(&["2".into(), "sched-all+tracepoint:ext4:*".into()]).unwrap();
        let names = |s: &WorkloadScenario| s.sets.iter().map(WorkloadSet::name).collect::<Vec<_>>();
        assert_eq!(
            names(&parsed[0]),
            ["fbt-fs-occ", "syscall-entry", "vfs-wroc"]
        );
        assert_eq!(names(&parsed[1]), ["sched-all", "tracepoint:ext4:*"]);
        assert_eq!(parsed[1].sets[0], WorkloadSet::Talk(TalkSet::SchedAll));
        assert_eq!(parse_scenarios(&["all".into()]).unwrap().len(), 9);
        assert!(parse_scenarios(&["10".into()])
            .unwrap_err()
            .to_string()
            .contains("1 to 9"));
        assert!(parse_scenarios(&["a++b".into()]).is_err());
        assert!(parse_scenarios(&["no-such-set".into()]).is_err());
    }
}
