//! Builds the eBPF programs and leaves them in OUT_DIR, where src/ embeds them: the Rust
//! ones (ebpf/) with nightly for bpfel-unknown-none, the C ones (ebpf-c/) with clang for the
//! `libbpf` tracer. Only Linux targets carry eBPF programs.

use std::{env, path::PathBuf, process::Command};

use anyhow::{bail, Context as _};

fn main() -> anyhow::Result<()> {
    println!("cargo:rerun-if-env-changed=CARGO_CFG_TARGET_OS");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return Ok(());
    }
    build_c_programs()?;
    let ebpf = aya_build::Package {
        name: "probecost-ebpf",
        root_dir: concat!(env!("CARGO_MANIFEST_DIR"), "/../../ebpf"),
        ..Default::default()
    };
    let common = concat!(env!("CARGO_MANIFEST_DIR"), "/../../common");
    println!("cargo:rerun-if-changed={common}");
    aya_build::build_ebpf([ebpf], aya_build::Toolchain::default())
}

/// The clang the C programs are compiled with (`CLANG` overrides it).
const CLANG: &str = "clang-22";

/// Compiles ebpf-c/probecost.bpf.c into OUT_DIR/probecost.bpf.o, with libbpf's BPF headers
/// (bpf_helpers.h, bpf_tracing.h) from the libbpf-sys build that user space links.
fn build_c_programs() -> anyhow::Result<()> {
    let source_dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../ebpf-c"));
    println!("cargo:rerun-if-changed={}", source_dir.display());
    println!("cargo:rerun-if-env-changed=CLANG");
    let clang = env::var("CLANG").unwrap_or_else(|_| CLANG.to_string());
    let libbpf_headers =
        env::var("DEP_BPF_INCLUDE").context("libbpf-sys did not say where its headers are")?;
    let arch = env::var("CARGO_CFG_TARGET_ARCH")?;
    let target_arch = match arch.as_str() {
        "x86_64" => "x86",
        "aarch64" => "arm64",
        other => other,
    };
    let out = PathBuf::from(env::var("OUT_DIR")?).join("probecost.bpf.o");
    let status = Command::new(&clang)
        .args(["-target", "bpf", "-O2", "-g", "-Wall", "-Werror"])
        .arg(format!("-D__TARGET_ARCH_{target_arch}"))
        .arg(format!("-I{libbpf_headers}"))
        // asm/types.h, which linux/bpf.h includes, lives in the multiarch directory.
        .arg(format!("-I/usr/include/{arch}-linux-gnu"))
        .arg("-c")
        .arg(source_dir.join("probecost.bpf.c"))
        .arg("-o")
        .arg(&out)
        .status();
    match status {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => bail!("{clang} failed to compile ebpf-c/probecost.bpf.c ({status})"),
        Err(e) => bail!(
            "cannot run {clang} ({e}): it compiles the C programs of the libbpf tracer; \
             `cargo xtask setup` installs it (Debian's clang-22)"
        ),
    }
}
