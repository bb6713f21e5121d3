//! The bpftrace program of a scenario on the attach point probecost chose, so both tracers pay
//! for the same kernel path. `talk_scripts.rs` holds the talk's one-liners (on kprobe:vfs_read
//! and uprobe:libc:read); a substitute attach point rewrites the probe names and `arg2` (the
//! read size) to what bpftrace calls them there.

use probecost_core::scenario::AttachKind;

/// The talk's one-liner `text` moved to `kind`; `libc` is the path the uprobes use.
pub fn on_attach_kind(text: &str, kind: AttachKind, libc: &str) -> String {
    match kind {
        AttachKind::Kprobe => text.to_string(),
        AttachKind::Fentry => replace_arg2(
            &text
                .replace("kretprobe:vfs_read", "kretfunc:vfs_read")
                .replace("kprobe:vfs_read", "kfunc:vfs_read"),
        ),
        AttachKind::SyscallTracepoint => replace_arg2(
            &text
                .replace("kretprobe:vfs_read", "tracepoint:syscalls:sys_exit_read")
                .replace("kprobe:vfs_read", "tracepoint:syscalls:sys_enter_read"),
        ),
        AttachKind::Uprobe => text
            .replace("uretprobe:libc:", &format!("uretprobe:{libc}:"))
            .replace("uprobe:libc:", &format!("uprobe:{libc}:")),
        // The talk's rows attach through none of the others (only the mechanism matrix does,
        // which bpftrace does not run): a script written for one stays as it is.
        _ => text.to_string(),
    }
}

/// `arg2` of vfs_read is `count`, which fentry and the sys_enter_read tracepoint name.
fn replace_arg2(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("arg2") {
        let before_ok = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        let after = &rest[at + 4..];
        let after_ok = after
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_');
        out.push_str(&rest[..at]);
        out.push_str(if before_ok && after_ok {
            "args->count"
        } else {
            "arg2"
        });
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpftrace::talk_scripts::talk_script;

    fn of(name: &str, kind: AttachKind) -> String {
        on_attach_kind(talk_script(name).unwrap(), kind, "/lib/libc.so.6")
    }

    #[test]
    fn kprobe_scripts_are_the_talks() {
        assert_eq!(
            of("filter", AttachKind::Kprobe),
            "kprobe:vfs_read /arg2 > 0/ {}"
        );
    }

    #[test]
    fn tracepoint_substitutes_rename_probes_and_arguments() {
        assert_eq!(
            of("filter", AttachKind::SyscallTracepoint),
            "tracepoint:syscalls:sys_enter_read /args->count > 0/ {}"
        );
        assert_eq!(
            of("timing", AttachKind::SyscallTracepoint),
            "tracepoint:syscalls:sys_enter_read { @s[tid] = nsecs; } \
             tracepoint:syscalls:sys_exit_read /@s[tid]/ { @ = hist(nsecs - @s[tid]); delete(@s[tid]); }"
        );
        assert_eq!(
            of("per-event", AttachKind::SyscallTracepoint),
            "tracepoint:syscalls:sys_enter_read { printf(\"%d bytes\\n\", args->count); }"
        );
        assert_eq!(of("kretprobe", AttachKind::Fentry), "kretfunc:vfs_read {}");
    }

    #[test]
    fn uprobes_use_the_libc_path() {
        assert_eq!(
            of("uretprobe", AttachKind::Uprobe),
            "uretprobe:/lib/libc.so.6:read {}"
        );
    }

    #[test]
    fn only_the_whole_word_arg2_is_renamed() {
        assert_eq!(
            replace_arg2("arg2 + xarg2 + arg22 + arg2"),
            "args->count + xarg2 + arg22 + args->count"
        );
    }
}
