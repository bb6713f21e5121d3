//! What a measured command printed, read from its pipes.

use std::{
    collections::VecDeque,
    io::Read,
    sync::{Arc, Mutex},
    thread,
};

use regex::Regex;

use crate::tracer_process::other_cpus;

/// What the command printed: the start of each stream (where a ready line is) and the end of
/// stderr (its last words), read from pipes by a thread each, so a command that prints
/// megabytes costs neither memory nor disk.
#[derive(Clone, Default)]
pub(super) struct Output {
    captured: Arc<Mutex<Captured>>,
}

#[derive(Default)]
struct Captured {
    /// The first [`HEAD_BYTES`] of stdout and of stderr.
    heads: [Vec<u8>; 2],
    /// The last [`TAIL_BYTES`] of stderr.
    stderr_tail: VecDeque<u8>,
}

/// How much of the start of each stream is kept for `--ready-line`.
const HEAD_BYTES: usize = 1 << 20;
/// How much of the end of stderr is kept for an error message.
const TAIL_BYTES: usize = 4096;

impl Output {
    /// Reads `stream` (0: stdout, 1: stderr) until it closes, on a thread of its own, kept off
    /// `workload_cpu` like the command. The thread is not joined: it ends when every holder of
    /// the pipe is gone.
    pub(super) fn collect(
        &self,
        stream: usize,
        mut pipe: impl Read + Send + 'static,
        workload_cpu: usize,
    ) {
        let captured = Arc::clone(&self.captured);
        thread::spawn(move || {
            if let Some(set) = other_cpus(workload_cpu) {
                // SAFETY: sets this thread's affinity from a valid set.
                unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
            }
            let mut buf = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let Ok(mut captured) = captured.lock() else {
                    break;
                };
                let head = &mut captured.heads[stream];
                let room = HEAD_BYTES.saturating_sub(head.len()).min(n);
                head.extend_from_slice(&buf[..room]);
                if stream == 1 {
                    let tail = &mut captured.stderr_tail;
                    tail.extend(&buf[..n]);
                    let excess = tail.len().saturating_sub(TAIL_BYTES);
                    tail.drain(..excess);
                }
            }
        });
    }

    /// Whether a line of the start of either stream matches `pattern`.
    pub(super) fn has_line(&self, pattern: &Regex) -> bool {
        let Ok(captured) = self.captured.lock() else {
            return false;
        };
        captured.heads.iter().any(|head| {
            String::from_utf8_lossy(head)
                .lines()
                .any(|line| pattern.is_match(line))
        })
    }

    /// The last lines the command wrote to stderr, for an error message.
    pub(super) fn stderr_tail(&self) -> String {
        let Ok(captured) = self.captured.lock() else {
            return String::new();
        };
        let bytes: Vec<u8> = captured.stderr_tail.iter().copied().collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let lines: Vec<&str> = text.lines().rev().take(5).collect();
        lines.into_iter().rev().collect::<Vec<_>>().join("\n")
    }
}
