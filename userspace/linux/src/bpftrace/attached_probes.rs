//! Which of bpftrace's descriptors hold its attached probes, and whether it has closed them.
//!
//! bpftrace 0.17 detaches on SIGINT by closing each probe's perf event (about 60 ms each here:
//! the close waits for an RCU grace period, and the probe stays hooked until that close
//! returns), then sits in a final 100 ms `epoll_wait` before it prints its maps and exits. The
//! probes are gone once every probe descriptor is closed and no thread of bpftrace is still
//! inside `close`: the runner need not wait for the rest.

use std::{fs, os::unix::fs::MetadataExt as _};

/// `BPF_TASK_FD_QUERY`: what a descriptor of another process has attached.
const BPF_TASK_FD_QUERY: libc::c_long = 20;

/// The kernel's `bpf_attr` for `BPF_TASK_FD_QUERY`.
#[repr(C)]
#[derive(Default)]
struct TaskFdQuery {
    pid: u32,
    fd: u32,
    flags: u32,
    buf_len: u32,
    buf: u64,
    prog_id: u32,
    fd_type: u32,
    probe_offset: u64,
    probe_addr: u64,
}

/// The descriptors through which a process holds attached BPF programs (a perf event or link
/// the kernel's `BPF_TASK_FD_QUERY` answers for), each with its file's inode so a reused
/// number is not mistaken for the probe.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttachedProbes {
    pid: u32,
    descriptors: Vec<(u32, u64)>,
}

impl AttachedProbes {
    /// The probe descriptors `pid` holds now (none when /proc cannot be read or the kernel
    /// does not answer the query for its kind of attachment).
    pub fn of(pid: u32) -> Self {
        let mut descriptors = Vec::new();
        if let Ok(entries) = fs::read_dir(format!("/proc/{pid}/fd")) {
            for entry in entries.flatten() {
                let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
                    continue;
                };
                let Ok(inode) = fs::metadata(entry.path()).map(|m| m.ino()) else {
                    continue;
                };
                if holds_attached_program(pid, fd) {
                    descriptors.push((fd, inode));
                }
            }
        }
        Self { pid, descriptors }
    }

    /// Whether none was found: then nothing can tell when they are closed.
    pub fn is_empty(&self) -> bool {
        self.descriptors.is_empty()
    }

    /// Whether every one is closed and the close has returned (no thread of the process is in
    /// `close`, where the detach waits), or the process is gone.
    pub fn all_closed(&self) -> bool {
        let still_open = self.descriptors.iter().any(|(fd, inode)| {
            fs::metadata(format!("/proc/{}/fd/{fd}", self.pid)).is_ok_and(|m| m.ino() == *inode)
        });
        !still_open && !in_close(self.pid)
    }
}

/// Whether descriptor `fd` of `pid` has a BPF program attached through it.
fn holds_attached_program(pid: u32, fd: u32) -> bool {
    let mut name = [0u8; 64];
    let mut query = TaskFdQuery {
        pid,
        fd,
        buf_len: name.len() as u32,
        buf: name.as_mut_ptr() as u64,
        ..TaskFdQuery::default()
    };
    // SAFETY: `query` is the kernel's layout for this command and outlives the call; `buf`
    // points at `buf_len` writable bytes.
    let result = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            BPF_TASK_FD_QUERY,
            &mut query as *mut TaskFdQuery,
            std::mem::size_of::<TaskFdQuery>(),
        )
    };
    result == 0
}

/// Whether a thread of `pid` is inside the `close` system call.
fn in_close(pid: u32) -> bool {
    let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|task| {
        fs::read_to_string(task.path().join("syscall")).is_ok_and(|text| {
            text.split_whitespace().next() == Some(libc::SYS_close.to_string().as_str())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A process that holds no probe and sits in `nanosleep`, not `close` (this test process
    /// would not do: another test's thread may be closing a file).
    fn sleeper() -> std::process::Child {
        std::process::Command::new("sleep")
            .arg("30")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("sleep runs")
    }

    #[test]
    fn a_process_without_probes_holds_none_and_has_closed_them() {
        let mut child = sleeper();
        let probes = AttachedProbes::of(child.id());
        assert!(probes.is_empty());
        assert!(probes.all_closed());
        child.kill().unwrap();
        child.wait().unwrap();
    }

    #[test]
    fn an_open_descriptor_is_held_until_closed_and_a_reused_number_is_another_file() {
        let mut child = sleeper();
        let pid = child.id();
        let inode = fs::metadata(format!("/proc/{pid}/fd/0")).unwrap().ino();
        let held = AttachedProbes {
            pid,
            descriptors: vec![(0, inode)],
        };
        assert!(!held.all_closed(), "its stdin is still open");
        let reused = AttachedProbes {
            pid,
            descriptors: vec![(0, inode + 1)],
        };
        assert!(reused.all_closed(), "the number names another file");
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(held.all_closed(), "the process is gone");
    }
}
