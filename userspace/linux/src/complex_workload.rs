//! Benchmark 2's sets on Linux: the talk's probe sets resolved for this kernel (kprobes on the
//! build's file system and VFS as in the talk where the kernel has them, the nearest
//! tracepoint sets otherwise, labelled as substitutes), attached with probecost's counting
//! programs around each run of the command.

use std::path::Path;

use super::{
    file_system::FileSystem,
    probe_sets::{resolve, AttachedSet},
    KernelFeatures, Support,
};
use probecost_core::{
    complex_workload::{
        AttachedProbes, ComplexWorkloadBackend, SetUsed, TalkSet, WorkloadScenario, WorkloadSet,
    },
    error::{Error, Result},
    probe_set::{Mechanism, Probe, ProbeSet, ProbeSetKind},
    scenario::AttachKind,
};

/// `workload` on Linux: the sets attached with probecost's counting programs.
pub struct LinuxComplexWorkload {
    features: KernelFeatures,
    /// Each prepared scenario's sets, resolved.
    prepared: Vec<Vec<ProbeSet>>,
}

impl LinuxComplexWorkload {
    /// A backend for the kernel `features` describe.
    pub fn new(features: KernelFeatures) -> Self {
        Self {
            features,
            prepared: Vec::new(),
        }
    }
}

impl ComplexWorkloadBackend for LinuxComplexWorkload {
    /// Resolves every scenario and attaches and detaches each of its sets once. Kprobe sets
    /// attach through `kprobe_mechanism`: one perf event per function, or kprobe.multi links.
    fn prepare(
        &mut self,
        scenarios: &[WorkloadScenario],
        dir: &Path,
        kprobe_mechanism: Mechanism,
    ) -> Result<Vec<Vec<SetUsed>>> {
        let fs = FileSystem::of(dir)?;
        let mut described = Vec::new();
        self.prepared.clear();
        for scenario in scenarios {
            let mut used = Vec::new();
            let mut sets = Vec::new();
            for asked in &scenario.sets {
                let in_set = |e: Error| {
                    Error::Input(format!(
                        "scenario {}: set `{}`: {e}",
                        scenario.name,
                        asked.name()
                    ))
                };
                let (set_used, set) =
                    resolve_set(asked, &self.features, &fs, kprobe_mechanism).map_err(in_set)?;
                AttachedSet::attach(&set)
                    .and_then(AttachedSet::detach)
                    .map_err(in_set)?;
                used.push(set_used);
                sets.push(set);
            }
            described.push(used);
            self.prepared.push(sets);
        }
        Ok(described)
    }

    fn attach(&mut self, scenario: usize, set: usize) -> Result<Box<dyn AttachedProbes>> {
        Ok(Box::new(AttachedSet::attach(
            &self.prepared[scenario][set],
        )?))
    }
}

impl AttachedProbes for AttachedSet {
    fn activations(&self) -> Result<u64> {
        Ok(AttachedSet::activations(self)?.total)
    }

    fn detach(self: Box<Self>) -> Result<()> {
        AttachedSet::detach(*self)
    }
}

/// Entry and exit of the syscalls `names` this architecture has (aarch64 has no `creat`),
/// by the syscall table compiled into probecost.
fn syscall_set(names: &[&str]) -> ProbeSet {
    ProbeSet {
        kind: ProbeSetKind::Syscalls { entry_only: false },
        mechanism: Mechanism::RawSyscalls,
        probes: names
            .iter()
            .filter_map(|name| name.parse::<syscalls::Sysno>().ok())
            .flat_map(|sysno| {
                [false, true].map(|exit| Probe::Syscall {
                    nr: sysno.id() as u32,
                    exit,
                })
            })
            .collect(),
        notes: Vec::new(),
    }
}

fn kprobe_functions(
    functions: &[String],
    features: &KernelFeatures,
    mechanism: Mechanism,
) -> Result<ProbeSet> {
    let mut probes = Vec::new();
    for function in functions {
        probes.extend(
            resolve(
                &ProbeSetKind::Kprobes {
                    glob: function.clone(),
                },
                Some(mechanism),
                features,
            )?
            .probes,
        );
    }
    Ok(ProbeSet {
        kind: ProbeSetKind::Kprobes {
            glob: functions.join(","),
        },
        mechanism,
        probes,
        notes: Vec::new(),
    })
}

fn tracepoint_globs(globs: &[&str], features: &KernelFeatures) -> Result<ProbeSet> {
    let kind = ProbeSetKind::Tracepoints {
        globs: globs.iter().map(|g| g.to_string()).collect(),
    };
    let mut set = resolve(&kind, Some(Mechanism::RawTracepoint), features)?;
    // Syscall and ftrace events have no raw tracepoint; name globs across categories skip them.
    set.probes.retain(|p| {
        !matches!(p, Probe::Tracepoint { category, .. } if category == "syscalls" || category == "ftrace")
    });
    Ok(set)
}

/// Resolves one set of a scenario: a block name of the talk, or any probe-set kind.
fn resolve_set(
    asked: &WorkloadSet,
    features: &KernelFeatures,
    fs: &FileSystem,
    kprobe_mechanism: Mechanism,
) -> Result<(SetUsed, ProbeSet)> {
    let kprobes = match features.support(AttachKind::Kprobe) {
        Support::Yes => None,
        Support::No(reason) => Some(reason.clone()),
    };
    let substitute = |what: &str| {
        kprobes
            .as_ref()
            .map(|why| format!("{why}; nearest tracepoint set instead: {what}"))
    };
    let fs_functions = |fs: &str, extra: &[&str]| -> Vec<String> {
        std::iter::once(format!("{fs}_*"))
            .chain(extra.iter().map(|e| e.to_string()))
            .collect()
    };
    let talk = match asked {
        WorkloadSet::Talk(set) => *set,
        WorkloadSet::Kind(kind) => {
            let mechanism = match kind {
                ProbeSetKind::Tracepoints { .. } => Some(Mechanism::RawTracepoint),
                ProbeSetKind::Syscalls { .. } => Some(Mechanism::RawSyscalls),
                ProbeSetKind::Kprobes { .. } => Some(kprobe_mechanism),
                _ => None,
            };
            return described(asked, resolve(kind, mechanism, features)?, None);
        }
    };
    let (set, reason) = match talk {
        TalkSet::FbtFs | TalkSet::FbtFsA | TalkSet::FbtFsAbv => {
            let prefixes: &[&str] = match talk {
                TalkSet::FbtFs => &[],
                TalkSet::FbtFsA => &["a*"],
                _ => &["a*", "b*", "v*"],
            };
            let fs = fs.probe_prefix()?;
            if kprobes.is_none() {
                (
                    kprobe_functions(&fs_functions(fs, prefixes), features, kprobe_mechanism)?,
                    None,
                )
            } else {
                let fs_glob = format!("{fs}:*");
                let mut globs = vec![fs_glob.as_str()];
                let named: Vec<String> = prefixes.iter().map(|p| format!("*:{p}")).collect();
                globs.extend(named.iter().map(String::as_str));
                (
                    tracepoint_globs(&globs, features)?,
                    substitute(&format!("tracepoints {}", globs.join(" "))),
                )
            }
        }
        TalkSet::FbtFsOcc => {
            if kprobes.is_none() {
                let fs = fs.probe_prefix()?;
                let functions = [
                    format!("{fs}_file_open"),
                    format!("{fs}_release_file"),
                    format!("{fs}_create"),
                    "fput".to_string(),
                ];
                (
                    kprobe_functions(&functions, features, kprobe_mechanism)?,
                    None,
                )
            } else {
                (
                    syscall_set(&["openat", "close", "creat"]),
                    substitute("openat, close, creat syscall entry and exit"),
                )
            }
        }
        TalkSet::SyscallAll | TalkSet::SyscallEntry => (
            resolve(
                &ProbeSetKind::Syscalls {
                    entry_only: talk == TalkSet::SyscallEntry,
                },
                Some(Mechanism::RawSyscalls),
                features,
            )?,
            None,
        ),
        TalkSet::VfsAll => {
            if kprobes.is_none() {
                (
                    kprobe_functions(&["vfs_*".into()], features, kprobe_mechanism)?,
                    None,
                )
            } else {
                let globs = ["filemap:*", "writeback:*", "block:*"];
                (
                    tracepoint_globs(&globs, features)?,
                    substitute("tracepoints filemap:* writeback:* block:*"),
                )
            }
        }
        TalkSet::VfsWroc => {
            if kprobes.is_none() {
                let functions =
                    ["vfs_write", "vfs_read", "vfs_open", "filp_close"].map(String::from);
                (
                    kprobe_functions(&functions, features, kprobe_mechanism)?,
                    None,
                )
            } else {
                (
                    syscall_set(&["read", "write", "openat", "close"]),
                    substitute("read, write, openat, close syscall entry and exit"),
                )
            }
        }
        TalkSet::SchedAll => (tracepoint_globs(&["sched:*"], features)?, None),
    };
    described(asked, set, reason)
}

/// The set as it will attach, described for the report; a set with no probe here is an error.
fn described(
    asked: &WorkloadSet,
    set: ProbeSet,
    reason: Option<String>,
) -> Result<(SetUsed, ProbeSet)> {
    if set.probes.is_empty() {
        return Err(Error::Input(format!(
            "set `{}` resolved to no probe on this machine",
            asked.name()
        )));
    }
    let used = SetUsed {
        set: asked.name(),
        probes: set.kind.describe(),
        mechanism: set.mechanism.name().to_string(),
        count: set.probes.len(),
        substitution_reason: reason,
        attach_ms: None,
        detach_ms: None,
        activations: None,
    };
    Ok((used, set))
}
