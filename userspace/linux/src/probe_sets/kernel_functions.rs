//! Which kernel functions a kprobe or fentry set attaches to: those `available_filter_functions`
//! lists that match the glob, less the ones no tracer can attach by name.

use std::{fs, path::Path};

use probecost_core::{error::Error, probe_set::ProbeGlob};

/// Kernel functions matching `glob` that a probe set can attach to, sorted. Left out, each
/// with a note: names several functions share (probes attach by name, and the kernel refuses
/// an ambiguous one with EADDRNOTAVAIL); for kprobes also the kernel's kprobe blacklist and the
/// compiler's copies (`.part.N`, `.isra.N`, `.constprop.N`, `.cold`), which bpftrace cannot
/// name, so that every tracer attaches the same set.
pub(super) fn kernel_functions(
    glob: &str,
    kprobes: bool,
    notes: &mut Vec<String>,
) -> probecost_core::error::Result<Vec<String>> {
    let path = Path::new(crate::kernel_support::tracefs()?).join("available_filter_functions");
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
