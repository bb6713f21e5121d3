//! Resolving a probe set against this machine: tracefs for tracepoints and kernel functions,
//! the uapi header for syscall numbers, libc's dynamic symbols for uprobes.

use std::{collections::BTreeSet, fs, path::Path};

use super::kernel_functions::kernel_functions;
use crate::{btf_functions::BtfFunctions, programs::libc_path, KernelFeatures, Support};
use probecost_core::error::Error;
use probecost_core::{
    probe_set::{compile_all, Mechanism, Probe, ProbeSet, ProbeSetKind},
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
