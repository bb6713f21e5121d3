//! A command's process tree and the BPF programs it holds, read from /proc.

use std::{collections::BTreeSet, fs};

/// What a process tree holds of BPF: the programs it has descriptors of, and how many
/// attachments (BPF links and perf events, a tracepoint's or kprobe's attachment when a tool
/// attaches without a link). A tool has loaded and attached when this stops changing: the
/// programs alone are all loaded before the first is attached.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct HeldBpf {
    /// The ids of the programs held (through program or link descriptors).
    pub programs: BTreeSet<u32>,
    /// Link and perf-event descriptors held.
    pub attachments: usize,
}

/// What the process tree of `root` holds of BPF.
pub(super) fn held_bpf(root: u32) -> HeldBpf {
    let mut held = HeldBpf::default();
    for pid in process_tree(root) {
        let Ok(entries) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(target) = fs::read_link(entry.path()) else {
                continue;
            };
            let target = target.to_string_lossy();
            if target == "anon_inode:bpf_link" || target == "anon_inode:[perf_event]" {
                held.attachments += 1;
            }
            if target != "anon_inode:bpf-prog" && target != "anon_inode:bpf_link" {
                continue;
            }
            let fdinfo = format!("/proc/{pid}/fdinfo/{}", entry.file_name().to_string_lossy());
            if let Some(id) = fs::read_to_string(fdinfo).ok().and_then(|text| {
                text.lines()
                    .find_map(|line| line.strip_prefix("prog_id:"))
                    .and_then(|id| id.trim().parse().ok())
            }) {
                held.programs.insert(id);
            }
        }
    }
    held
}

/// `root` and every process descended from it.
fn process_tree(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = fs::read_to_string(entry.path().join("stat")).ok()?;
            // The command name may hold spaces and parentheses: the fields follow the last ')'.
            let after = &stat[stat.rfind(')')? + 1..];
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    tree
}
