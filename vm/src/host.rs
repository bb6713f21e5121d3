//! The host side: QEMU and busybox (installed from Debian when missing and root), the tools
//! packed into the guest, and which accelerator QEMU can use.

use std::{
    fmt,
    path::{Path, PathBuf},
    process::Command,
};

use crate::VmError;

/// How QEMU runs the guest's CPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accel {
    /// Hardware virtualization: guest timings are close to the host's.
    Kvm,
    /// QEMU's emulator: every timing is emulated.
    Tcg,
}

impl fmt::Display for Accel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Kvm => "KVM",
            Self::Tcg => "TCG (emulated CPU)",
        })
    }
}

/// Debian packages that provide the host tools.
const PACKAGES: [(&str, &str); 2] = [
    ("qemu-system-x86_64", "qemu-system-x86"),
    ("/bin/busybox", "busybox-static"),
];

/// Installs QEMU and a static busybox when missing (as root), or says what to install.
pub fn ensure_tools() -> Result<(), VmError> {
    let missing: Vec<&str> = PACKAGES
        .iter()
        .filter(|(program, _)| which(program).is_none())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(VmError::MissingTool(format!(
            "missing {}: run as root, or `sudo apt-get install -y {}`",
            missing.join(", "),
            missing.join(" ")
        )));
    }
    eprintln!("vm: installing {}", missing.join(", "));
    let status = Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map_err(|e| VmError::MissingTool(format!("apt-get: {e}")))?;
    if !status.success() {
        let status = Command::new("apt-get")
            .arg("update")
            .status()
            .map_err(|e| VmError::MissingTool(format!("apt-get update: {e}")))?;
        let retried = status.success()
            && Command::new("apt-get")
                .args(["install", "-y", "--no-install-recommends"])
                .args(&missing)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .is_ok_and(|s| s.success());
        if !retried {
            return Err(VmError::MissingTool(format!(
                "installing {} failed",
                missing.join(", ")
            )));
        }
    }
    Ok(())
}

/// A program's path: itself when absolute, else the first match on PATH.
pub fn which(program: &str) -> Option<PathBuf> {
    let path = Path::new(program);
    if path.is_absolute() {
        return path.is_file().then(|| path.to_path_buf());
    }
    std::env::var_os("PATH").and_then(|dirs| {
        std::env::split_paths(&dirs)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// The static busybox the guest runs as its shell and tools.
pub fn busybox() -> Result<PathBuf, VmError> {
    which("/bin/busybox").ok_or_else(|| {
        VmError::MissingTool("no /bin/busybox: `apt-get install busybox-static`".into())
    })
}

/// A tool the guest needs (`bpftrace`, `bpftool`), from the host's PATH.
pub fn tool(name: &str) -> Result<PathBuf, VmError> {
    which(name).ok_or_else(|| {
        VmError::MissingTool(format!(
            "{name} is not installed on the host: `cargo xtask setup` installs it"
        ))
    })
}

/// The bpftrace tools the host's bpftrace package ships (`/usr/sbin/*.bt`), sorted; none when
/// it ships none.
pub fn bpftrace_tools() -> Vec<PathBuf> {
    let mut tools: Vec<PathBuf> = std::fs::read_dir("/usr/sbin")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "bt"))
        .collect();
    tools.sort();
    tools
}

/// Whether `/dev/kvm` can be opened; whether a guest actually runs on it is another matter
/// (see `qemu::kvm_runs_guests`).
pub fn kvm_device_usable() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok()
}
