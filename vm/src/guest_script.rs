//! The guest's `/init`: mount what probecost needs, record what the kernel offers, run each
//! step with its exit status kept, and send `/out` back as a base64 tar on the second serial
//! port (the first is the console), then power off.

use std::{fs, path::Path};

use crate::VmError;

/// Where the guest keeps its own bookkeeping inside `/out`.
pub const BOOKKEEPING_DIR: &str = ".vm";
/// What the guest saw of its kernel, `key=value` lines.
pub const FACTS_FILE: &str = ".vm/facts";

/// One step: a shell snippet run from `/out` (where relative export paths land).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuestStep {
    /// What the console says the step is.
    pub label: String,
    /// The snippet (busybox sh).
    pub script: String,
}

impl GuestStep {
    /// `probecost ARGS...`, each argument quoted for the shell.
    pub fn probecost<S: AsRef<str>>(args: &[S]) -> Self {
        let quoted: Vec<String> = args.iter().map(|a| quote(a.as_ref())).collect();
        let script = format!("probecost {}", quoted.join(" "));
        Self {
            label: script.clone(),
            script,
        }
    }

    /// Any snippet.
    pub fn shell(label: &str, script: &str) -> Self {
        Self {
            label: label.to_string(),
            script: script.to_string(),
        }
    }

    /// Hides the kprobe PMU (an empty tmpfs over its sysfs directory), so probecost finds no
    /// kprobes and falls back to fentry, as on a kernel without them.
    pub fn hide_kprobe_pmu() -> Self {
        Self::shell(
            "hide the kprobe PMU",
            "mount -t tmpfs hidden /sys/bus/event_source/devices/kprobe",
        )
    }
}

/// `text` in single quotes for a POSIX shell.
pub fn quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b))
    {
        return text.to_string();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The `/init` script for `steps`.
pub fn init_script(steps: &[GuestStep]) -> String {
    let mut script = String::from(
        r#"#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t tmpfs tmpfs /tmp
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t bpf bpf /sys/fs/bpf 2>/dev/null
ip link set lo up 2>/dev/null
ln -s /proc/self/fd /dev/fd 2>/dev/null
mkdir -p /out/.vm
yes_no() { if [ -e "$1" ]; then echo yes; else echo no; fi; }
{
  echo "release=$(uname -r)"
  echo "btf=$(yes_no /sys/kernel/btf/vmlinux)"
  echo "bpf=$(yes_no /proc/sys/kernel/bpf_stats_enabled)"
  echo "tracefs=$(yes_no /sys/kernel/tracing/events)"
  echo "kprobe_pmu=$(yes_no /sys/bus/event_source/devices/kprobe/type)"
  echo "cpus=$(grep -c ^processor /proc/cpuinfo)"
} > /out/.vm/facts
cd /out
echo "@@probecost-vm: kernel $(uname -r) up"
if grep -q =no /out/.vm/facts; then
  echo "@@probecost-vm: the kernel lacks what probecost needs:"; cat /out/.vm/facts
else
"#,
    );
    for (i, step) in steps.iter().enumerate() {
        script.push_str(&format!(
            "echo {}\n( {}\n)\necho $? > /out/.vm/step-{i}.exit\n",
            quote(&format!("@@probecost-vm: step {}: {}", i + 1, step.label)),
            step.script
        ));
    }
    script.push_str(
        r#"fi
echo "@@probecost-vm: sending results"
cd /out && tar -c -f - . | base64 > /dev/ttyS1
echo "@@probecost-vm: done"
sync
poweroff -f
"#,
    );
    script
}

/// Step `index`'s exit status from the unpacked results, `None` when it did not finish.
pub fn step_exit(out_dir: &Path, index: usize) -> Option<i32> {
    let path = out_dir
        .join(BOOKKEEPING_DIR)
        .join(format!("step-{index}.exit"));
    fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// What the guest saw of its kernel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuestFacts {
    lines: Vec<(String, String)>,
}

impl GuestFacts {
    /// Reads the facts file the guest wrote.
    pub fn read(path: &Path) -> Result<Self, VmError> {
        let text = fs::read_to_string(path).map_err(|e| VmError::io(path, e))?;
        Ok(Self::parse(&text))
    }

    /// Parses `key=value` lines.
    pub fn parse(text: &str) -> Self {
        Self {
            lines: text
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .collect(),
        }
    }

    /// A fact's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.lines
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The kernel release the guest ran.
    pub fn release(&self) -> Option<&str> {
        self.get("release")
    }

    /// What the kernel lacks of what probecost needs, named with the option that provides it.
    pub fn missing(&self) -> Option<String> {
        let needs = [
            ("bpf", "BPF (CONFIG_BPF_SYSCALL)"),
            (
                "btf",
                "BTF (CONFIG_DEBUG_INFO_BTF: /sys/kernel/btf/vmlinux)",
            ),
            ("tracefs", "tracefs (CONFIG_FTRACE, CONFIG_TRACING)"),
        ];
        let missing: Vec<&str> = needs
            .iter()
            .filter(|(key, _)| self.get(key) == Some("no"))
            .map(|(_, what)| *what)
            .collect();
        (!missing.is_empty()).then(|| missing.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_the_shell_would_split() {
        assert_eq!(quote("--runs"), "--runs");
        assert_eq!(quote("kprobe:vfs_*"), "'kprobe:vfs_*'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn the_script_runs_each_step_and_keeps_its_status() {
        let script = init_script(&[
            GuestStep::probecost(&["run", "--scenario", "kprobe"]),
            GuestStep::hide_kprobe_pmu(),
        ]);
        assert!(script.starts_with("#!/bin/busybox sh\n"));
        assert!(
            script.contains("( probecost run --scenario kprobe\n)\necho $? > /out/.vm/step-0.exit")
        );
        assert!(script.contains("step-1.exit"));
        assert!(script.contains("base64 > /dev/ttyS1"));
        assert!(script.trim_end().ends_with("poweroff -f"));
    }

    #[test]
    fn names_what_the_kernel_lacks() {
        let facts = GuestFacts::parse("release=6.1.0\nbtf=no\nbpf=yes\ntracefs=yes\n");
        assert_eq!(facts.release(), Some("6.1.0"));
        assert!(facts
            .missing()
            .unwrap()
            .starts_with("BTF (CONFIG_DEBUG_INFO_BTF"));
        let fine = GuestFacts::parse("btf=yes\nbpf=yes\ntracefs=yes\nkprobe_pmu=no\n");
        assert_eq!(fine.missing(), None);
    }
}
