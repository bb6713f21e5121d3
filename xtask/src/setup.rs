//! Installs what a fresh machine of this kind lacks, and nothing that is already there.

use std::{path::Path, process::Command};

use anyhow::{bail, Context as _, Result};

use crate::{run_command, run_command_with_env};

/// Debian packages the build (clang-22 and libelf for the C programs and libbpf), the tools,
/// the guest tests (QEMU, busybox) and the HTML report's test (headless Chromium) need.
const APT_PACKAGES: [&str; 18] = [
    "curl",
    "gcc",
    "libbpf1",
    "make",
    "linux-libc-dev",
    "llvm-22-dev",
    "libpolly-22-dev",
    "libzstd-dev",
    "zlib1g-dev",
    "clang-22",
    "libelf-dev",
    "pkg-config",
    "bpftool",
    "bpftrace",
    "qemu-system-x86",
    "busybox-static",
    "chromium",
    "fonts-liberation",
];
const BPF_LINKER_VERSION: &str = "0.13.0";
const LLVM_PREFIX: &str = "/usr/lib/llvm-22";

/// Everything `run` and `test` need.
pub fn run() -> Result<()> {
    apt_packages()?;
    nightly_rust_src()?;
    bpf_linker()?;
    freebsd_target()?;
    crate::bench2::setup()?;
    eprintln!("xtask: set-up complete");
    Ok(())
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

fn apt_packages() -> Result<()> {
    let missing: Vec<&str> = APT_PACKAGES
        .into_iter()
        .filter(|p| {
            output("dpkg-query", &["-W", "-f=${Status}", p])
                .is_none_or(|s| !s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        eprintln!("xtask: apt packages present: {}", APT_PACKAGES.join(", "));
        return Ok(());
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc_geteuid() } != 0 {
        bail!(
            "missing Debian packages {}; run as root, or `sudo apt-get install -y {}`",
            missing.join(", "),
            missing.join(" ")
        );
    }
    eprintln!("xtask: installing {}", missing.join(", "));
    run_command("apt-get", &["update"])?;
    let mut args = vec!["install", "-y", "--no-install-recommends"];
    args.extend(missing);
    run_command_with_env("apt-get", &args, &[("DEBIAN_FRONTEND", "noninteractive")])
}

extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

fn nightly_rust_src() -> Result<()> {
    let sysroot = output("rustc", &["+nightly", "--print", "sysroot"]);
    let Some(sysroot) = sysroot else {
        eprintln!("xtask: installing the nightly toolchain with rust-src");
        return run_command(
            "rustup",
            &[
                "toolchain",
                "install",
                "nightly",
                "--profile",
                "minimal",
                "--component",
                "rust-src",
            ],
        );
    };
    let library = Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library");
    if library.is_dir() {
        eprintln!("xtask: nightly rust-src present");
        return Ok(());
    }
    eprintln!("xtask: adding rust-src to nightly");
    run_command(
        "rustup",
        &["component", "add", "rust-src", "--toolchain", "nightly"],
    )
}

fn bpf_linker() -> Result<()> {
    if let Some(version) = output("bpf-linker", &["--version"]) {
        if version.contains(BPF_LINKER_VERSION) {
            eprintln!("xtask: {} present", version.trim());
            return Ok(());
        }
        eprintln!(
            "xtask: replacing {} with {BPF_LINKER_VERSION}",
            version.trim()
        );
    } else {
        eprintln!(
            "xtask: building bpf-linker {BPF_LINKER_VERSION} against LLVM 22 (about 2 minutes)"
        );
    }
    run_command_with_env(
        "cargo",
        &[
            "install",
            &format!("bpf-linker@{BPF_LINKER_VERSION}"),
            "--locked",
            "--force",
            "--no-default-features",
            "--features",
            "llvm-22",
        ],
        &[("LLVM_PREFIX", LLVM_PREFIX)],
    )
    .context("building bpf-linker")
}

/// The Rust standard library for x86_64-unknown-freebsd, for `check-freebsd`.
pub fn freebsd_target() -> Result<()> {
    let installed = output("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed.lines().any(|t| t.trim() == crate::FREEBSD_TARGET) {
        eprintln!("xtask: target {} present", crate::FREEBSD_TARGET);
        return Ok(());
    }
    run_command("rustup", &["target", "add", crate::FREEBSD_TARGET])
}
