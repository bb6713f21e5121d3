//! A command's process tree and the BPF programs it holds, read from /proc.

use std::{collections::BTreeSet, fs};

/// The ids of the BPF programs the process tree of `root` holds descriptors of.
pub(super) fn held_programs(root: u32) -> BTreeSet<u32> {
    let mut ids = BTreeSet::new();
    for pid in process_tree(root) {
        let Ok(entries) = fs::read_dir(format!("/proc/{pid}/fdinfo")) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(text) = fs::read_to_string(entry.path()) else {
                continue;
            };
            if let Some(id) = text
                .lines()
                .find_map(|line| line.strip_prefix("prog_id:"))
                .and_then(|id| id.trim().parse().ok())
            {
                ids.insert(id);
            }
        }
    }
    ids
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
