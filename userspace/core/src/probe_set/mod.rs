//! Many-probe sets (`attach-scale`, `workload`): what a user names (`syscalls`,
//! `tracepoint:sched:*`, `uprobe-libc`, `kprobe:vfs_*`...), the probes it resolves to, and the
//! mechanism that attaches them. Resolution and attachment live in the OS backend; this module
//! is the part that needs no kernel.

mod glob;

pub use glob::{compile_all, ProbeGlob};

use serde::Serialize;

/// What a probe set names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeSetKind {
    /// Every syscall's entry (and exit unless `entry_only`).
    Syscalls {
        /// Only the entries.
        entry_only: bool,
    },
    /// Tracepoints matching `category:name` globs (`sched:*`).
    Tracepoints {
        /// `category:name` globs, any of which selects a tracepoint.
        globs: Vec<String>,
    },
    /// Functions of the libc probecost runs on.
    LibcUprobes,
    /// Kernel functions matching a glob, entry and return.
    Kprobes {
        /// Function-name glob.
        glob: String,
    },
    /// Kernel functions matching a glob, through fentry.
    Fentry {
        /// Function-name glob.
        glob: String,
    },
}

impl ProbeSetKind {
    /// Parses `syscalls`, `syscalls-entry`, `tracepoint:CAT:NAME` (globs; `CAT:NAME` too),
    /// `uprobe-libc`, `kprobe:GLOB`, `fentry:GLOB`.
    pub fn parse(text: &str) -> crate::error::Result<Self> {
        let text = text.trim();
        match text {
            "syscalls" => return Ok(Self::Syscalls { entry_only: false }),
            "syscalls-entry" => return Ok(Self::Syscalls { entry_only: true }),
            "uprobe-libc" | "uprobe:libc" => return Ok(Self::LibcUprobes),
            _ => {}
        }
        let bad = || {
            format!(
                "unknown probe set `{text}`: use syscalls, syscalls-entry, tracepoint:CATEGORY:NAME \
                 (globs, e.g. tracepoint:sched:*), uprobe-libc, kprobe:GLOB or fentry:GLOB"
            )
        };
        if let Some(glob) = text.strip_prefix("kprobe:") {
            return non_empty(glob)
                .map(|glob| Self::Kprobes { glob })
                .ok_or_else(|| crate::error::Error::Input(bad()));
        }
        if let Some(glob) = text.strip_prefix("fentry:") {
            return non_empty(glob)
                .map(|glob| Self::Fentry { glob })
                .ok_or_else(|| crate::error::Error::Input(bad()));
        }
        let tracepoint = text.strip_prefix("tracepoint:").unwrap_or(text);
        match tracepoint.split_once(':') {
            Some((category, name)) if !category.is_empty() && !name.is_empty() => {
                Ok(Self::Tracepoints {
                    globs: vec![tracepoint.to_string()],
                })
            }
            _ => Err(crate::error::Error::Input(bad())),
        }
    }

    /// How the set is written back (`tracepoint:sched:*`).
    pub fn describe(&self) -> String {
        match self {
            Self::Syscalls { entry_only: false } => "syscalls".into(),
            Self::Syscalls { entry_only: true } => "syscalls-entry".into(),
            Self::Tracepoints { globs } => globs
                .iter()
                .map(|g| format!("tracepoint:{g}"))
                .collect::<Vec<_>>()
                .join(","),
            Self::LibcUprobes => "uprobe-libc".into(),
            Self::Kprobes { glob } => format!("kprobe:{glob}"),
            Self::Fentry { glob } => format!("fentry:{glob}"),
        }
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// How a set's probes are attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mechanism {
    /// One perf event per tracepoint (what bpftrace does): detaching each waits for RCU
    /// grace periods inside a kernel lock.
    PerfEvent,
    /// One BPF raw-tracepoint link per tracepoint: no perf event.
    RawTracepoint,
    /// Two raw tracepoints, `raw_syscalls:sys_enter` and `sys_exit`, with a per-syscall map
    /// saying which syscalls count: every syscall for the price of two attachments.
    RawSyscalls,
    /// One kprobe (PMU perf event) per function.
    Kprobe,
    /// One `kprobe.multi` BPF link for all the entries and one for all the returns (fprobe,
    /// Linux 5.18+ with CONFIG_FPROBE): what bpftrace uses for `kprobe:` wildcards.
    KprobeMulti,
    /// One uprobe (PMU perf event) per function.
    Uprobe,
    /// One fentry program and trampoline per function.
    Fentry,
}

impl Mechanism {
    /// The mechanism's name in tables and `--mechanism`.
    pub fn name(self) -> &'static str {
        match self {
            Self::PerfEvent => "perf-event",
            Self::RawTracepoint => "raw-tracepoint",
            Self::RawSyscalls => "raw-syscalls",
            Self::Kprobe => "kprobe",
            Self::KprobeMulti => "kprobe-multi",
            Self::Uprobe => "uprobe",
            Self::Fentry => "fentry",
        }
    }
}

/// One probe of a resolved set.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Probe {
    /// A tracepoint (`category:name`).
    Tracepoint {
        /// Its category (`sched`).
        category: String,
        /// Its name (`sched_switch`).
        name: String,
    },
    /// A syscall's entry or exit, counted by the raw syscall programs.
    Syscall {
        /// Syscall number.
        nr: u32,
        /// The exit rather than the entry.
        exit: bool,
    },
    /// A function of a user-space library.
    Uprobe {
        /// The library.
        path: String,
        /// The function.
        symbol: String,
    },
    /// A kernel function's entry or return.
    Kprobe {
        /// The function.
        function: String,
        /// The return rather than the entry.
        ret: bool,
    },
    /// A kernel function through fentry.
    Fentry {
        /// The function.
        function: String,
    },
}

impl Probe {
    /// The probe as bpftrace names it.
    pub fn bpftrace_name(&self) -> String {
        match self {
            Self::Tracepoint { category, name } => format!("tracepoint:{category}:{name}"),
            Self::Syscall { .. } => "tracepoint:raw_syscalls:sys_enter".into(),
            Self::Uprobe { path, symbol } => format!("uprobe:{path}:{symbol}"),
            Self::Kprobe {
                function,
                ret: false,
            } => format!("kprobe:{function}"),
            Self::Kprobe {
                function,
                ret: true,
            } => format!("kretprobe:{function}"),
            Self::Fentry { function } => format!("kfunc:{function}"),
        }
    }
}

/// A set resolved against this machine: its probes, in a stable order, and how they attach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeSet {
    /// What was asked for.
    pub kind: ProbeSetKind,
    /// How the probes attach.
    pub mechanism: Mechanism,
    /// The probes.
    pub probes: Vec<Probe>,
    /// What resolution left out, and why (functions fentry cannot attach to, say).
    pub notes: Vec<String>,
}

impl ProbeSet {
    /// The first `count` probes (all when `count` is larger).
    pub fn first(&self, count: usize) -> Self {
        Self {
            kind: self.kind.clone(),
            mechanism: self.mechanism,
            probes: self.probes.iter().take(count).cloned().collect(),
            notes: self.notes.clone(),
        }
    }

    /// A bpftrace script attaching to the same probes and counting each; `whole` says the
    /// set is all its kind resolved to (so a glob can stand for it).
    pub fn bpftrace_script(&self, whole: bool) -> String {
        if self.mechanism == Mechanism::RawSyscalls {
            let exits = self
                .probes
                .iter()
                .any(|p| matches!(p, Probe::Syscall { exit: true, .. }));
            let mut script =
                "tracepoint:raw_syscalls:sys_enter { @enter[args->id] = count(); }".to_string();
            if exits {
                script.push_str(" tracepoint:raw_syscalls:sys_exit { @exit[args->id] = count(); }");
            }
            return script;
        }
        if let (Mechanism::KprobeMulti, ProbeSetKind::Kprobes { glob }) =
            (self.mechanism, &self.kind)
        {
            // bpftrace attaches a wildcard through kprobe.multi where the kernel has it; a
            // list of names it attaches one perf event at a time.
            if whole {
                return format!("kprobe:{glob},kretprobe:{glob} {{ @[probe] = count(); }}");
            }
        }
        let names: Vec<String> = self.probes.iter().map(Probe::bpftrace_name).collect();
        format!("{} {{ @[probe] = count(); }}", names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_and_rejects_the_rest() {
        assert_eq!(
            ProbeSetKind::parse("syscalls").unwrap(),
            ProbeSetKind::Syscalls { entry_only: false }
        );
        assert_eq!(
            ProbeSetKind::parse("tracepoint:sched:*").unwrap(),
            ProbeSetKind::Tracepoints {
                globs: vec!["sched:*".into()]
            }
        );
        assert_eq!(
            ProbeSetKind::parse("ext4:*").unwrap(),
            ProbeSetKind::Tracepoints {
                globs: vec!["ext4:*".into()]
            }
        );
        assert_eq!(
            ProbeSetKind::parse("kprobe:vfs_*").unwrap(),
            ProbeSetKind::Kprobes {
                glob: "vfs_*".into()
            }
        );
        assert_eq!(
            ProbeSetKind::parse("uprobe-libc").unwrap(),
            ProbeSetKind::LibcUprobes
        );
        for bad in ["", "sched", "tracepoint:sched", "kprobe:", "tracepoint::x"] {
            let error = ProbeSetKind::parse(bad).unwrap_err().to_string();
            assert!(error.starts_with("unknown probe set"), "{bad:?}: {error}");
        }
    }

    #[test]
    fn bpftrace_scripts_list_the_same_probes() {
        let set = ProbeSet {
            kind: ProbeSetKind::parse("sched:*").unwrap(),
            mechanism: Mechanism::PerfEvent,
            probes: vec![
                Probe::Tracepoint {
                    category: "sched".into(),
                    name: "sched_switch".into(),
                },
                Probe::Tracepoint {
                    category: "sched".into(),
                    name: "sched_wakeup".into(),
                },
            ],
            notes: Vec::new(),
        };
        assert_eq!(
            set.bpftrace_script(false),
            "tracepoint:sched:sched_switch,tracepoint:sched:sched_wakeup { @[probe] = count(); }"
        );
        assert_eq!(set.first(1).probes.len(), 1);
    }
}
