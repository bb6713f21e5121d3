//! How to tell whether the running kernel offers a feature, by looking (PMUs, tracefs, the
//! kernel's configuration) and, for tracing programs, by trying: a kernel may list BTF yet
//! refuse tracing programs (this machine kind answers BPF_PROG_LOAD with EPERM). Each attach
//! kind's file in `programs/` uses these to say whether it works here.

use std::{ffi::CString, path::Path};

use aya::{
    programs::{Program, ProgramError},
    Btf,
};

use super::kernel_config::{ConfigValue, KernelConfig};
use probecost_core::error::Error;

/// Whether an attach kind works here, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Support {
    /// It works.
    Yes,
    /// It does not; the reason names the missing feature.
    No(String),
}

const TRACEFS_MOUNTS: [&str; 2] = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];
const PMU_DIR: &str = "/sys/bus/event_source/devices";

/// aya attaches k/uprobes through the PMU when it exists and falls back to tracefs
/// `*_events` files otherwise; those entries would outlive a killed process, so probecost
/// only uses the PMU, whose probes the kernel removes with the file descriptor.
pub(crate) fn pmu(pmu: &str, feature: &str, config: &str) -> Support {
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

/// Whether the kernel takes probecost's tracing program `program`, loaded by `load` (`what`
/// names the feature in the reason): a kernel may list BTF yet refuse tracing programs, so the
/// only answer is to try.
pub(crate) fn try_tracing_load(
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

/// Offset of `field` in a tracefs `format` file.
pub(crate) fn field_offset(format: &str, field: &str) -> Option<usize> {
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
