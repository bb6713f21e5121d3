//! libbpf's own messages (warnings, and the verifier's log when a load fails) are kept here
//! instead of going to stderr, so a failure is reported once, in probecost's words.

use std::sync::{Mutex, Once};

use libbpf_rs::PrintLevel;

/// Messages since the last [`take`]; bounded so a chatty libbpf cannot grow it without end.
static MESSAGES: Mutex<String> = Mutex::new(String::new());
const KEPT_BYTES: usize = 1 << 20;

fn keep(_level: PrintLevel, message: String) {
    if let Ok(mut messages) = MESSAGES.lock() {
        if messages.len() + message.len() <= KEPT_BYTES {
            messages.push_str(&message);
        }
    }
}

/// Routes libbpf's warnings here (once per process).
pub fn capture() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        libbpf_rs::set_print(Some((PrintLevel::Warn, keep)));
    });
}

/// The messages libbpf printed since the last call.
pub fn take() -> String {
    MESSAGES
        .lock()
        .map(|mut messages| std::mem::take(&mut *messages))
        .unwrap_or_default()
}

/// `error` with what libbpf logged about it since the last [`take`] (its last line, which
/// names the cause, e.g. the errno of the perf event it could not open).
pub fn explained(error: &dyn std::fmt::Display) -> String {
    with_last_lines(error, &take(), 1)
}

/// `error` followed by the last `n` lines libbpf `logged`, on one line.
pub fn with_last_lines(error: &dyn std::fmt::Display, logged: &str, n: usize) -> String {
    let last = last_lines(logged.trim(), n).replace("libbpf: ", "");
    if last.is_empty() {
        error.to_string()
    } else {
        format!("{error} ({})", last.replace('\n', "; "))
    }
}

/// A program load failure as libbpf logged it: the program, and the verifier's log between
/// libbpf's `-- BEGIN PROG LOAD LOG --` and `-- END PROG LOAD LOG --` markers.
#[derive(Debug, PartialEq, Eq)]
pub struct RejectedLoad {
    /// The program the kernel refused.
    pub program: String,
    /// The verifier's log (empty when the kernel gave none).
    pub verifier_log: String,
}

/// Finds a refused program load in libbpf's messages.
pub fn rejected_load(messages: &str) -> Option<RejectedLoad> {
    let failed = messages.find(": BPF program load failed")?;
    let program = messages[..failed]
        .rsplit_once("prog '")?
        .1
        .trim_end_matches('\'')
        .to_string();
    let verifier_log = messages
        .split_once("-- BEGIN PROG LOAD LOG --")
        .and_then(|(_, rest)| rest.split_once("-- END PROG LOAD LOG --"))
        .map(|(log, _)| log.trim().to_string())
        .unwrap_or_default();
    Some(RejectedLoad {
        program,
        verifier_log,
    })
}

/// The last `n` lines of `text`: where the verifier says why it stopped.
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_refused_program_and_its_log() {
        let messages = "libbpf: prog 'bad_tp': BPF program load failed: Permission denied\n\
                        libbpf: prog 'bad_tp': -- BEGIN PROG LOAD LOG --\n\
                        0: R1=ctx() R10=fp0\n0: (79) r0 = *(u64 *)(r1 +4096)\n\
                        invalid bpf_context access off=4096 size=8\n\
                        -- END PROG LOAD LOG --\n";
        let rejected = rejected_load(messages).unwrap();
        assert_eq!(rejected.program, "bad_tp");
        assert!(rejected.verifier_log.starts_with("0: R1=ctx()"));
        assert_eq!(
            last_lines(&rejected.verifier_log, 1),
            "invalid bpf_context access off=4096 size=8"
        );
        assert_eq!(rejected_load("libbpf: map 'x': created"), None);
    }
}
