//! What the running kernel can attach to, found by looking, and for fentry by trying: a kernel
//! may list BTF yet refuse tracing programs (this machine kind answers BPF_PROG_LOAD with EPERM).

use std::{ffi::CString, fs, path::Path};

use aya::{
    programs::{BtfTracePoint, FEntry, Program, ProgramError},
    Btf,
};
use probecost_common::SYS_ENTER_READ_COUNT_OFFSET;

use super::kernel_config::{ConfigValue, KernelConfig};
use probecost_core::error::Error;
use probecost_core::scenario::AttachKind;

/// Whether an attach kind works here, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Support {
    /// It works.
    Yes,
    /// It does not; the reason names the missing feature.
    No(String),
}

/// The attach kinds this kernel supports.
#[derive(Clone, Debug)]
pub struct KernelFeatures {
    kprobes: Support,
    fentry: Support,
    syscall_tracepoints: Support,
    uprobes: Support,
    raw_syscall_tracepoints: Support,
    tp_btf: Support,
    kprobe_multi: Support,
    fmod_ret: Support,
    uprobe_multi: Support,
}

const TRACEFS_MOUNTS: [&str; 2] = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];
const PMU_DIR: &str = "/sys/bus/event_source/devices";

impl KernelFeatures {
    /// Detects the features; mounts tracefs at /sys/kernel/tracing when nothing has.
    pub fn detect() -> Self {
        Self {
            kprobes: pmu("kprobe", "kprobes", "CONFIG_KPROBES"),
            fentry: detect_fentry(),
            syscall_tracepoints: detect_syscall_tracepoints(),
            uprobes: pmu("uprobe", "uprobes", "CONFIG_UPROBE_EVENTS"),
            raw_syscall_tracepoints: detect_raw_syscall_tracepoints(),
            tp_btf: detect_tp_btf(),
            kprobe_multi: super::programs::kprobe_multi_support(),
            fmod_ret: super::programs::fmod_ret_support(),
            uprobe_multi: super::programs::uprobe_multi_support(),
        }
    }

    /// Whether `kind` works here.
    pub fn support(&self, kind: AttachKind) -> &Support {
        match kind {
            AttachKind::Kprobe => &self.kprobes,
            AttachKind::Fentry => &self.fentry,
            AttachKind::SyscallTracepoint => &self.syscall_tracepoints,
            AttachKind::Uprobe => &self.uprobes,
            AttachKind::RawTracepoint => &self.raw_syscall_tracepoints,
            AttachKind::TpBtf => &self.tp_btf,
            AttachKind::KprobeMulti => &self.kprobe_multi,
            AttachKind::FmodRet => &self.fmod_ret,
            AttachKind::UprobeMulti => &self.uprobe_multi,
        }
    }
}

/// aya attaches k/uprobes through the PMU when it exists and falls back to tracefs
/// `*_events` files otherwise; those entries would outlive a killed process, so probecost
/// only uses the PMU, whose probes the kernel removes with the file descriptor.
fn pmu(pmu: &str, feature: &str, config: &str) -> Support {
    let pmu_dir = Path::new(PMU_DIR).join(pmu);
    if pmu_dir.join("type").exists() {
        return Support::Yes;
    }
    Support::No(format!(
        "{feature}: no {pmu} PMU in {PMU_DIR} ({})",
        why_missing(config, KernelConfig::read().as_ref())
    ))
}

/// Why a feature that `config` enables is missing: the configuration's word when it has one,
/// and otherwise only what was seen.
fn why_missing(config: &str, kernel_config: Option<&KernelConfig>) -> String {
    match kernel_config {
        Some(c) => match c.value(config) {
            ConfigValue::NotSet => format!("{config} not set in {}", c.source().display()),
            ConfigValue::Set(value) => format!(
                "{config}={value} in {}, yet the kernel does not offer it: hidden by a mount \
                 over {PMU_DIR}, or a sandbox",
                c.source().display()
            ),
        },
        None => format!(
            "the kernel's configuration is not published (no /proc/config.gz or /boot/config-{}), \
             so whether {config} is set cannot be told",
            probecost_core::environment::uname_release()
        ),
    }
}

fn detect_fentry() -> Support {
    try_tracing_load("fentry", "probe_fentry", |program, btf| {
        let fentry: &mut FEntry = program.try_into()?;
        fentry.load("vfs_read", btf)
    })
}

/// Whether the kernel takes probecost's tracing program `program`, loaded by `load` (`what`
/// names the feature in the reason): a kernel may list BTF yet refuse tracing programs, so the
/// only answer is to try.
fn try_tracing_load(
    what: &str,
    program: &str,
    load: impl FnOnce(&mut Program, &Btf) -> Result<(), ProgramError>,
) -> Support {
    if !Path::new("/sys/kernel/btf/vmlinux").exists() {
        return Support::No(format!(
            "{what}: no kernel BTF (/sys/kernel/btf/vmlinux missing)"
        ));
    }
    let btf = match Btf::from_sys_fs() {
        Ok(btf) => btf,
        Err(e) => return Support::No(format!("{what}: kernel BTF unreadable ({e})")),
    };
    let mut ebpf = match super::object::load() {
        Ok(ebpf) => ebpf,
        Err(e) => return Support::No(format!("{what}: {e}")),
    };
    let Some(program) = ebpf.program_mut(program) else {
        return Support::No(format!("{what}: probe program missing from the object"));
    };
    match load(program, &btf) {
        Ok(()) => Support::Yes,
        Err(ProgramError::UnexpectedProgramType) => {
            Support::No(format!("{what}: probe program missing from the object"))
        }
        Err(ProgramError::LoadError { io_error, .. }) => Support::No(format!(
            "{what}: BPF_PROG_LOAD of a tracing program failed: {io_error}"
        )),
        Err(e) => Support::No(format!("{what}: {e}")),
    }
}

/// The `sys_enter` programs count reads by x86_64's syscall number; elsewhere they would count
/// another syscall.
fn detect_raw_syscall_tracepoints() -> Support {
    let read = syscalls::Sysno::read as u64;
    if read == probecost_common::READ_SYSCALL_NR {
        Support::Yes
    } else {
        Support::No(format!(
            "raw tracepoints: the sys_enter programs filter on syscall {}, but `read` is {read} \
             on this architecture",
            probecost_common::READ_SYSCALL_NR
        ))
    }
}

/// `tp_btf` is a tracing program: a kernel may refuse it as it refuses fentry, so try to load
/// one.
fn detect_tp_btf() -> Support {
    if let Support::No(why) = detect_raw_syscall_tracepoints() {
        return Support::No(why.replace("raw tracepoints", "tp_btf"));
    }
    try_tracing_load("tp_btf", "probe_tpbtf", |program, btf| {
        let tp_btf: &mut BtfTracePoint = program.try_into()?;
        tp_btf.load("sys_enter", btf)
    })
}

/// The tracefs mount point, mounting tracefs when nothing has.
pub fn tracefs() -> probecost_core::error::Result<&'static str> {
    if let Some(found) = TRACEFS_MOUNTS
        .into_iter()
        .find(|m| Path::new(m).join("events").is_dir())
    {
        return Ok(found);
    }
    let target = TRACEFS_MOUNTS[0];
    let c = |s: &str| CString::new(s).expect("no NUL");
    // SAFETY: valid C strings; mounting tracefs has no other preconditions.
    let rc = unsafe {
        libc::mount(
            c("tracefs").as_ptr(),
            c(target).as_ptr(),
            c("tracefs").as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if rc == 0 {
        Ok(target)
    } else {
        Err(Error::Operation(format!(
            "tracefs is not mounted and mounting it at {target} failed ({})",
            std::io::Error::last_os_error()
        )))
    }
}

fn detect_syscall_tracepoints() -> Support {
    let root = match tracefs() {
        Ok(root) => root,
        Err(reason) => return Support::No(format!("syscall tracepoints: {reason}")),
    };
    let format = Path::new(root).join("events/syscalls/sys_enter_read/format");
    let Ok(text) = fs::read_to_string(&format) else {
        return Support::No(
            "syscall tracepoints: not available (CONFIG_FTRACE_SYSCALLS not set: no events/syscalls in tracefs)"
                .into(),
        );
    };
    match field_offset(&text, "count") {
        Some(offset) if offset == SYS_ENTER_READ_COUNT_OFFSET => Support::Yes,
        other => Support::No(format!(
            "syscall tracepoints: sys_enter_read's `count` is at offset {other:?}, the programs expect {SYS_ENTER_READ_COUNT_OFFSET}"
        )),
    }
}

/// Offset of `field` in a tracefs `format` file.
fn field_offset(format: &str, field: &str) -> Option<usize> {
    format.lines().find_map(|line| {
        let decl = line.trim().strip_prefix("field:")?;
        let (decl, rest) = decl.split_once(';')?;
        if decl.split_whitespace().last()?.trim_start_matches('*') != field {
            return None;
        }
        let offset = rest.trim().strip_prefix("offset:")?;
        offset.split(';').next()?.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blames_the_configuration_only_when_it_says_so() {
        let off = KernelConfig::from_text("/boot/config-x", "# CONFIG_KPROBES is not set\n".into());
        assert_eq!(
            why_missing("CONFIG_KPROBES", Some(&off)),
            "CONFIG_KPROBES not set in /boot/config-x"
        );
        let on = KernelConfig::from_text("/proc/config.gz", "CONFIG_KPROBES=y\n".into());
        let hidden = why_missing("CONFIG_KPROBES", Some(&on));
        assert!(
            hidden.starts_with("CONFIG_KPROBES=y in /proc/config.gz, yet"),
            "{hidden}"
        );
        let unknown = why_missing("CONFIG_KPROBES", None);
        assert!(unknown.contains("cannot be told"), "{unknown}");
        assert!(!unknown.contains("not set"), "{unknown}");
    }

    #[test]
    fn reads_field_offsets() {
        let format = "name: sys_enter_read\nformat:\n\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n\tfield:char * buf;\toffset:24;\tsize:8;\tsigned:0;\n\tfield:size_t count;\toffset:32;\tsize:8;\tsigned:0;\n";
        assert_eq!(field_offset(format, "count"), Some(32));
        assert_eq!(field_offset(format, "buf"), Some(24));
        assert_eq!(field_offset(format, "fd"), None);
    }
}
