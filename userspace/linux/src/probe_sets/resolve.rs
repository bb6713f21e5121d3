//! Resolving a probe set against this machine: tracefs for tracepoints and kernel functions,
//! the uapi header for syscall numbers, libc's dynamic symbols for uprobes.

use std::{collections::BTreeSet, fs, path::Path};

use crate::{btf_functions::BtfFunctions, programs::libc_path, KernelFeatures, Support};
use probecost_core::error::Error;
use probecost_core::{
    probe_set::{compile_all, Mechanism, Probe, ProbeGlob, ProbeSet, ProbeSetKind},
    scenario::AttachKind,
};

/// The tracefs mount probecost uses (mounted when missing).
fn tracefs() -> probecost_core::error::Result<&'static Path> {
    crate::kernel_support::tracefs().map(Path::new)
}

/// Resolves `kind` for `mechanism` (the kind's usual one when `None`). Errors name what is
/// missing: an unknown glob, a kernel without the feature.
pub fn resolve(
    kind: &ProbeSetKind,
    mechanism: Option<Mechanism>,
    features: &KernelFeatures,
) -> probecost_core::error::Result<ProbeSet> {
    let mut notes = Vec::new();
    let (mechanism, probes) = match kind {
        ProbeSetKind::Syscalls { entry_only } => match mechanism.unwrap_or(Mechanism::PerfEvent) {
            Mechanism::PerfEvent => (Mechanism::PerfEvent, syscall_tracepoints(*entry_only)?),
            Mechanism::RawSyscalls | Mechanism::RawTracepoint => {
                (Mechanism::RawSyscalls, raw_syscalls(*entry_only)?)
            }
            other => return Err(Error::Operation(mismatch(kind, other))),
        },
        ProbeSetKind::Tracepoints { globs } => {
            let mechanism = match mechanism.unwrap_or(Mechanism::PerfEvent) {
                m @ (Mechanism::PerfEvent | Mechanism::RawTracepoint) => m,
                other => return Err(Error::Operation(mismatch(kind, other))),
            };
            let probes = tracepoints(globs)?;
            if mechanism == Mechanism::RawTracepoint {
                if let Some(Probe::Tracepoint { category, name }) = probes.iter().find(
                    |p| matches!(p, Probe::Tracepoint { category, .. } if category == "syscalls"),
                ) {
                    return Err(Error::Operation(format!(
                        "{category}:{name} has no raw tracepoint (syscall events are built on \
                         raw_syscalls): use the syscalls set with --mechanism raw"
                    )));
                }
            }
            (mechanism, probes)
        }
        ProbeSetKind::LibcUprobes => {
            require(features, AttachKind::Uprobe, "uprobes")?;
            (Mechanism::Uprobe, libc_functions()?)
        }
        ProbeSetKind::Kprobes { glob } => {
            require(features, AttachKind::Kprobe, "kprobes")?;
            let mechanism = match mechanism.unwrap_or(Mechanism::Kprobe) {
                Mechanism::Kprobe => Mechanism::Kprobe,
                Mechanism::KprobeMulti => {
                    if let Support::No(reason) = features.support(AttachKind::KprobeMulti) {
                        return Err(Error::Operation(format!(
                            "this kernel cannot attach kprobe.multi links: {reason}"
                        )));
                    }
                    Mechanism::KprobeMulti
                }
                other => return Err(Error::Operation(mismatch(kind, other))),
            };
            let probes = kernel_functions(glob, true, &mut notes)?
                .into_iter()
                .flat_map(|function| {
                    [false, true].map(|ret| Probe::Kprobe {
                        function: function.clone(),
                        ret,
                    })
                })
                .collect();
            (mechanism, probes)
        }
        ProbeSetKind::Fentry { glob } => {
            require(features, AttachKind::Fentry, "fentry")?;
            let (functions, dropped) = btf_functions(kernel_functions(glob, false, &mut notes)?)?;
            if functions.is_empty() {
                return Err(Error::Operation(format!(
                    "no function matching `{glob}` has a BTF entry, which fentry needs \
                     (without one: {})",
                    dropped.join(", ")
                )));
            }
            if !dropped.is_empty() {
                notes.push(format!(
                    "left out {} of {} functions matching `{glob}` that have no BTF entry \
                     (compiler-made copies such as {}): fentry attaches by BTF id",
                    dropped.len(),
                    dropped.len() + functions.len(),
                    dropped
                        .iter()
                        .take(3)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let probes = functions
                .into_iter()
                .map(|function| Probe::Fentry { function })
                .collect();
            (Mechanism::Fentry, probes)
        }
    };
    Ok(ProbeSet {
        kind: kind.clone(),
        mechanism,
        probes,
        notes,
    })
}

/// Splits `functions` into those with a BTF entry and those without.
fn btf_functions(
    functions: Vec<String>,
) -> probecost_core::error::Result<(Vec<String>, Vec<String>)> {
    let btf = BtfFunctions::kernel()?;
    Ok(functions.into_iter().partition(|f| btf.contains(f)))
}

fn mismatch(kind: &ProbeSetKind, mechanism: Mechanism) -> String {
    format!(
        "probe set {} cannot attach with mechanism {}",
        kind.describe(),
        mechanism.name()
    )
}

fn require(
    features: &KernelFeatures,
    kind: AttachKind,
    what: &str,
) -> probecost_core::error::Result<()> {
    match features.support(kind) {
        Support::Yes => Ok(()),
        Support::No(reason) => Err(Error::Operation(format!(
            "this kernel cannot attach {what}: {reason}"
        ))),
    }
}

/// Every `syscalls:sys_enter_*` (and `sys_exit_*`) tracepoint, entry and exit of each syscall
/// side by side, so the first N are N/2 whole syscalls.
fn syscall_tracepoints(entry_only: bool) -> probecost_core::error::Result<Vec<Probe>> {
    let dir = tracefs()?.join("events/syscalls");
    let entries = fs::read_dir(&dir)
        .map_err(|e| Error::operation(format!("reading {}: {e}", dir.display())))?;
    let syscalls: BTreeSet<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_prefix("sys_enter_")
                .map(String::from)
        })
        .collect();
    if syscalls.is_empty() {
        return Err(Error::Operation(format!(
            "no syscall tracepoints in {}: the kernel lacks CONFIG_FTRACE_SYSCALLS",
            dir.display()
        )));
    }
    Ok(syscalls
        .iter()
        .flat_map(|s| {
            let mut pair = vec![format!("sys_enter_{s}")];
            if !entry_only && dir.join(format!("sys_exit_{s}")).exists() {
                pair.push(format!("sys_exit_{s}"));
            }
            pair
        })
        .map(|name| Probe::Tracepoint {
            category: "syscalls".into(),
            name,
        })
        .collect())
}

/// This architecture's syscall numbers, from the table compiled into probecost (the
/// `syscalls` crate's, for x86_64, aarch64 and the other architectures Linux has).
fn syscall_numbers() -> Vec<u32> {
    let mut numbers: Vec<u32> = syscalls::Sysno::iter().map(|s| s.id() as u32).collect();
    numbers.sort_unstable();
    numbers.dedup();
    numbers
}

fn raw_syscalls(entry_only: bool) -> probecost_core::error::Result<Vec<Probe>> {
    Ok(syscall_numbers()
        .into_iter()
        .flat_map(|nr| {
            let mut probes = vec![Probe::Syscall { nr, exit: false }];
            if !entry_only {
                probes.push(Probe::Syscall { nr, exit: true });
            }
            probes
        })
        .collect())
}

/// Tracepoints whose `category:name` matches any glob, sorted.
fn tracepoints(patterns: &[String]) -> probecost_core::error::Result<Vec<Probe>> {
    let globs = compile_all(patterns)?;
    let events = tracefs()?.join("events");
    let categories = fs::read_dir(&events)
        .map_err(|e| Error::operation(format!("reading {}: {e}", events.display())))?;
    let mut probes = Vec::new();
    for category in categories.filter_map(Result::ok) {
        let Some(category_name) = category.file_name().to_str().map(String::from) else {
            continue;
        };
        if !category.path().is_dir() {
            continue;
        }
        let Ok(names) = fs::read_dir(category.path()) else {
            continue;
        };
        for name in names.filter_map(Result::ok) {
            let Some(event) = name.file_name().to_str().map(String::from) else {
                continue;
            };
            if !name.path().join("id").exists() {
                continue;
            }
            let full = format!("{category_name}:{event}");
            if globs.iter().any(|g| g.matches(&full)) {
                probes.push(Probe::Tracepoint {
                    category: category_name.clone(),
                    name: event,
                });
            }
        }
    }
    if probes.is_empty() {
        return Err(Error::Operation(format!(
            "no tracepoint matches {} (see {})",
            probecost_core::report::backquoted(patterns),
            events.display()
        )));
    }
    probes.sort();
    Ok(probes)
}

/// Kernel functions matching `glob` that a probe set can attach to, sorted. Left out, each
/// with a note: names several functions share (probes attach by name, and the kernel refuses
/// an ambiguous one with EADDRNOTAVAIL); for kprobes also the kernel's kprobe blacklist and the
/// compiler's copies (`.part.N`, `.isra.N`, `.constprop.N`, `.cold`), which bpftrace cannot
/// name, so that every tracer attaches the same set.
fn kernel_functions(
    glob: &str,
    kprobes: bool,
    notes: &mut Vec<String>,
) -> probecost_core::error::Result<Vec<String>> {
    let path = tracefs()?.join("available_filter_functions");
    let listed = fs::read_to_string(&path)
        .map_err(|e| Error::operation(format!("reading {}: {e}", path.display())))?;
    let (kallsyms, blacklist) = if kprobes {
        let debugfs = "/sys/kernel/debug/kprobes/blacklist";
        (
            fs::read_to_string("/proc/kallsyms").ok(),
            fs::read_to_string(debugfs).ok(),
        )
    } else {
        (None, None)
    };
    let selection = select_functions(
        &listed,
        kallsyms.as_deref(),
        blacklist.as_deref(),
        &ProbeGlob::new(glob)?,
        kprobes,
    );
    for (why, names) in &selection.left_out {
        notes.push(format!(
            "left out {} functions matching `{glob}` {why} (such as {})",
            names.len(),
            names.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if selection.kept.is_empty() {
        return Err(if selection.left_out.is_empty() {
            Error::Operation(format!("no probeable kernel function matches `{glob}`"))
        } else {
            Error::Operation(format!(
                "no kernel function matching `{glob}` can be attached: {}",
                notes.join("; ")
            ))
        });
    }
    Ok(selection.kept)
}

/// Kernel functions kept for a set, and those left out with why.
#[derive(Debug, Default, PartialEq, Eq)]
struct FunctionSelection {
    kept: Vec<String>,
    left_out: Vec<(&'static str, Vec<String>)>,
}

const SHARED_NAME: &str = "whose name several kernel functions share: probes attach by name";
const BLACKLISTED: &str = "on the kernel's kprobe blacklist";
const COMPILER_COPY: &str =
    "that are compiler-made copies (.part, .isra, .constprop, .cold), which bpftrace cannot name";

/// Chooses from `available_filter_functions` text; `kallsyms` (for names ftrace lists once but
/// the kernel has twice) and `blacklist` (debugfs `kprobes/blacklist`) when given.
fn select_functions(
    listed: &str,
    kallsyms: Option<&str>,
    blacklist: Option<&str>,
    glob: &ProbeGlob,
    kprobes: bool,
) -> FunctionSelection {
    use std::collections::{BTreeMap, HashSet};

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for name in listed.lines().filter_map(|l| l.split_whitespace().next()) {
        if glob.matches(name) {
            *counts.entry(name).or_default() += 1;
        }
    }
    let mut symbols: BTreeMap<&str, usize> = BTreeMap::new();
    for line in kallsyms.unwrap_or_default().lines() {
        let mut fields = line.split_whitespace();
        // The kernel counts every symbol of that name, data included.
        let (Some(_), Some(_), Some(name)) = (fields.next(), fields.next(), fields.next()) else {
            continue;
        };
        if counts.contains_key(name) {
            *symbols.entry(name).or_default() += 1;
        }
    }
    let blacklisted: HashSet<&str> = blacklist
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    let mut selection = FunctionSelection::default();
    let mut left_out: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (name, listed_times) in counts {
        let why = if listed_times > 1 || symbols.get(name).is_some_and(|n| *n > 1) {
            Some(SHARED_NAME)
        } else if kprobes && blacklisted.contains(name) {
            Some(BLACKLISTED)
        } else if kprobes && name.contains('.') {
            Some(COMPILER_COPY)
        } else {
            None
        };
        match why {
            Some(why) => left_out.entry(why).or_default().push(name.to_string()),
            None => selection.kept.push(name.to_string()),
        }
    }
    selection.left_out = left_out.into_iter().collect();
    selection
}

/// The exported functions of the libc probecost runs on, sorted.
fn libc_functions() -> probecost_core::error::Result<Vec<Probe>> {
    use object::{Object as _, ObjectSymbol as _};

    let path = libc_path()?;
    let bytes = fs::read(&path)
        .map_err(|e| Error::operation(format!("reading {}: {e}", path.display())))?;
    let file = object::File::parse(&*bytes)
        .map_err(|e| Error::operation(format!("parsing {}: {e}", path.display())))?;
    let names: BTreeSet<String> = file
        .dynamic_symbols()
        .filter(|s| s.kind() == object::SymbolKind::Text && s.is_definition() && s.is_global())
        .filter_map(|s| s.name().ok().map(String::from))
        .filter(|n| !n.is_empty())
        .collect();
    let path = path.to_string_lossy().into_owned();
    Ok(names
        .into_iter()
        .map(|symbol| Probe::Uprobe {
            path: path.clone(),
            symbol,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s_star() -> ProbeGlob {
        ProbeGlob::new("s*").unwrap()
    }

    #[test]
    fn ambiguous_blacklisted_and_copied_functions_are_left_out() {
        let listed =
            "s_next\ns_show\ns_next\nset_root\nsave_cur\nscale_down.part.0\nsb_bad\nvfs_read\n";
        let kallsyms = "ffffffff81000000 t set_root\nffffffff81000100 d set_root\nffffffff81000200 T save_cur\nffffffff81000300 d save_cur_data\n";
        let blacklist = "0xffffffff81001230-0xffffffff81001240\tsb_bad\n";
        let kprobes = select_functions(listed, Some(kallsyms), Some(blacklist), &s_star(), true);
        assert_eq!(kprobes.kept, ["s_show", "save_cur"]);
        let reasons: Vec<(&str, Vec<String>)> = kprobes.left_out;
        assert!(reasons.contains(&(SHARED_NAME, vec!["s_next".into(), "set_root".into()])));
        assert!(reasons.contains(&(BLACKLISTED, vec!["sb_bad".into()])));
        assert!(reasons.contains(&(COMPILER_COPY, vec!["scale_down.part.0".into()])));
        // fentry sets keep copies and blacklisted names (BTF decides those); shared names go.
        let fentry = select_functions(listed, None, None, &s_star(), false);
        assert_eq!(
            fentry.kept,
            [
                "s_show",
                "save_cur",
                "sb_bad",
                "scale_down.part.0",
                "set_root"
            ]
        );
        assert_eq!(fentry.left_out, [(SHARED_NAME, vec!["s_next".to_string()])]);
    }
}
