//! The default workload of `probecost complex-workload` (Benchmark 2): a real parallel C build.
//! libsodium, as bundled in the `libsodium-sys-stable` crate on crates.io (a release tarball of
//! libsodium inside the crate), downloaded once, checked against the registry's checksum,
//! unpacked into target/bench2 and configured, so later runs need no network.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};

use crate::run_command;

const CRATE: &str = "libsodium-sys-stable";
const VERSION: &str = "1.24.3";
/// The crate's SHA-256, as the crates.io index lists it.
const SHA256: &str = "1f55c1c508d31e2cf0a649c9c889e4bcf554cbfb2a6803f049f219784b044283";

/// The repository root (xtask lives one level below it).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the repository")
        .to_path_buf()
}

/// Where the configured source tree ends up; `probecost complex-workload` defaults to it.
pub fn build_dir() -> PathBuf {
    repo_root().join("target/bench2/libsodium-stable")
}

/// Downloads, checks, unpacks and configures libsodium unless that was done before.
pub fn setup() -> Result<()> {
    let src = build_dir();
    if src.join("Makefile").exists() {
        eprintln!("xtask: Benchmark 2 build tree present: {}", src.display());
        return Ok(());
    }
    let dir = src.parent().expect("target/bench2");
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let archive = dir.join(format!("{CRATE}-{VERSION}.crate"));
    let url = format!("https://static.crates.io/crates/{CRATE}/{CRATE}-{VERSION}.crate");
    let archive_str = archive.to_string_lossy().into_owned();
    run_command("curl", &["-sSfL", "-o", &archive_str, &url])?;
    let digest = sha256_hex(&archive_str)?;
    if digest != SHA256 {
        let size = std::fs::metadata(&archive)
            .with_context(|| format!("reading {archive_str}"))?
            .len();
        bail!("{archive_str} ({size} bytes) has SHA-256 {digest}, not the registry's {SHA256}");
    }
    let dir_str = dir.to_string_lossy().into_owned();
    run_command("tar", &["xzf", &archive_str, "-C", &dir_str])?;
    let tarball = dir.join(format!("{CRATE}-{VERSION}/LATEST.tar.gz"));
    run_command("tar", &["xzf", &tarball.to_string_lossy(), "-C", &dir_str])?;
    let configure = src.join("configure");
    eprintln!("xtask: configuring libsodium in {}", src.display());
    let status = std::process::Command::new(&configure)
        .arg("--disable-dependency-tracking")
        .current_dir(&src)
        .stdout(std::process::Stdio::null())
        .status()
        .with_context(|| format!("running {}", configure.display()))?;
    if !status.success() {
        bail!("{} failed ({status})", configure.display());
    }
    eprintln!("xtask: Benchmark 2 build tree ready: {}", src.display());
    Ok(())
}

fn sha256_hex(path: &str) -> Result<String> {
    let out = std::process::Command::new("sha256sum")
        .arg(path)
        .output()
        .context("running sha256sum")?;
    if !out.status.success() {
        bail!("sha256sum {path} failed");
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string())
}
