//! Which kernel to boot: a Debian kernel series (`6.1`, `6.12`: the newest
//! `linux-image-<series>.*-cloud-amd64` package the archive has, downloaded once and checked
//! against the archive's SHA-256), a `.deb` file, or a kernel image (`bzImage`, `vmlinuz`).
//!
//! The cloud flavour is used because it boots fastest: it has the serial console, initramfs
//! support, BTF, kprobes and ftrace's direct calls built in, and no modules are needed.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
};

use crate::VmError;

/// A `--kernel` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KernelSource {
    /// A Debian kernel series (`6.1`).
    Debian(String),
    /// A kernel package file.
    Deb(PathBuf),
    /// A kernel image (a kernel developer's own build).
    Image(PathBuf),
}

/// A kernel ready to boot.
#[derive(Clone, Debug)]
pub struct PreparedKernel {
    /// How results are filed (`6.1`, or the file's name): `target/vm/<label>/`.
    pub label: String,
    /// The image QEMU boots.
    pub image: PathBuf,
    /// Its build configuration, when the package has one.
    pub config: Option<PathBuf>,
    /// Its release (`uname -r`), when known before booting.
    pub release: Option<String>,
    /// The Debian package it came from.
    pub package: Option<String>,
}

impl KernelSource {
    /// Parses `6.1`, `path/to/x.deb` or `path/to/bzImage`.
    pub fn parse(text: &str) -> Result<Self, VmError> {
        let bad = |why: &str| VmError::BadKernel(text.to_string(), why.to_string());
        let path = Path::new(text);
        if text.ends_with(".deb") {
            return if path.is_file() {
                Ok(Self::Deb(path.to_path_buf()))
            } else {
                Err(bad("no such .deb file"))
            };
        }
        if path.is_file() {
            return Ok(Self::Image(path.to_path_buf()));
        }
        let series = text.split('.').collect::<Vec<_>>();
        if series.len() == 2
            && series
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Ok(Self::Debian(text.to_string()));
        }
        Err(bad(
            "not a Debian kernel series (6.1, 6.12), a .deb file or a kernel image file",
        ))
    }

    /// Downloads and unpacks what is needed under `cache`.
    pub fn prepare(&self, cache: &Path) -> Result<PreparedKernel, VmError> {
        match self {
            Self::Debian(series) => {
                let package = newest_package(series)?;
                let deb = download(&package, &cache.join("debs"))?;
                let mut kernel = unpack(&deb, &cache.join("kernels"))?;
                kernel.label = series.clone();
                kernel.package = Some(package);
                Ok(kernel)
            }
            Self::Deb(deb) => unpack(deb, &cache.join("kernels")),
            Self::Image(image) => Ok(PreparedKernel {
                label: image
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "kernel".into()),
                image: image.clone(),
                config: None,
                release: None,
                package: None,
            }),
        }
    }
}

fn output(program: &str, args: &[&str]) -> Result<String, VmError> {
    let command = format!("{program} {}", args.join(" "));
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| VmError::Command {
            command: command.clone(),
            reason: e.to_string(),
        })?;
    if !out.status.success() {
        return Err(VmError::Command {
            command,
            reason: format!(
                "{}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The newest cloud kernel package of `series` the archive knows, updating the package lists
/// once if it knows none.
fn newest_package(series: &str) -> Result<String, VmError> {
    let pattern = format!(
        "^linux-image-{}\\.[0-9].*-cloud-amd64$",
        series.replace('.', "\\.")
    );
    let search = || -> Result<Vec<String>, VmError> {
        let text = output("apt-cache", &["search", "--names-only", &pattern])?;
        Ok(text
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|p| !p.contains("-dbg") && !p.contains("-unsigned"))
            .map(String::from)
            .collect())
    };
    let mut found = search()?;
    if found.is_empty() {
        eprintln!("vm: no linux-image-{series}.* in the package lists; running apt-get update");
        output("apt-get", &["update"])?;
        found = search()?;
    }
    found.sort_by_key(|p| natural_key(p));
    found.pop().ok_or_else(|| {
        VmError::BadKernel(
            series.to_string(),
            format!("the Debian archive has no package matching {pattern}"),
        )
    })
}

/// A sort key that orders the numbers inside a name by value (6.12.9 before 6.12.10).
pub fn natural_key(name: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let mut digits = String::new();
    let mut text = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                key.push((0, std::mem::take(&mut text)));
            }
            digits.push(c);
        } else {
            if !digits.is_empty() {
                key.push((digits.parse().unwrap_or(u64::MAX), String::new()));
                digits.clear();
            }
            text.push(c);
        }
    }
    if !digits.is_empty() {
        key.push((digits.parse().unwrap_or(u64::MAX), String::new()));
    }
    if !text.is_empty() {
        key.push((0, text));
    }
    key
}

/// The archive's SHA-256 and file name for `package`'s candidate version.
fn archive_checksum(package: &str) -> Result<(String, String), VmError> {
    let text = output("apt-cache", &["show", "--no-all-versions", package])?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_string())
    };
    let sha = field("SHA256:");
    let file = field("Filename:");
    match (sha, file) {
        (Some(sha), Some(file)) => Ok((
            sha,
            file.rsplit('/').next().unwrap_or(&file).replace("%2b", "+"),
        )),
        _ => Err(VmError::Command {
            command: format!("apt-cache show {package}"),
            reason: "no SHA256/Filename field".into(),
        }),
    }
}

fn sha256(path: &Path) -> Result<String, VmError> {
    let out = output("sha256sum", &[&path.to_string_lossy()])?;
    Ok(out
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string())
}

/// Downloads `package` into `dir` unless a copy with the archive's checksum is there.
fn download(package: &str, dir: &Path) -> Result<PathBuf, VmError> {
    fs::create_dir_all(dir).map_err(|e| VmError::io(dir, e))?;
    let (expected, file_name) = archive_checksum(package)?;
    let path = dir.join(&file_name);
    if path.is_file() && sha256(&path)? == expected {
        eprintln!("vm: {} present, SHA-256 checked", path.display());
        return Ok(path);
    }
    eprintln!("vm: downloading {package} from the Debian archive");
    let status = Command::new("apt-get")
        .args(["download", package])
        .current_dir(dir)
        .status()
        .map_err(|e| VmError::Command {
            command: format!("apt-get download {package}"),
            reason: e.to_string(),
        })?;
    if !status.success() {
        return Err(VmError::Command {
            command: format!("apt-get download {package}"),
            reason: status.to_string(),
        });
    }
    let actual = sha256(&path)?;
    if actual != expected {
        let _ = fs::remove_file(&path);
        return Err(VmError::Checksum(format!(
            "{}: SHA-256 {actual}, the archive says {expected}; removed, try again",
            path.display()
        )));
    }
    eprintln!(
        "vm: {} downloaded, SHA-256 matches the archive",
        path.display()
    );
    Ok(path)
}

/// Unpacks a kernel package (once) and finds its image and configuration.
fn unpack(deb: &Path, kernels: &Path) -> Result<PreparedKernel, VmError> {
    let stem = deb
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kernel".into());
    let dir = kernels.join(&stem);
    let boot = dir.join("boot");
    if !boot.is_dir() {
        fs::create_dir_all(&dir).map_err(|e| VmError::io(&dir, e))?;
        output(
            "dpkg-deb",
            &["-x", &deb.to_string_lossy(), &dir.to_string_lossy()],
        )?;
    }
    let entries: Vec<String> = fs::read_dir(&boot)
        .map_err(|e| VmError::io(&boot, e))?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let release = entries
        .iter()
        .find_map(|n| n.strip_prefix("vmlinuz-"))
        .map(String::from)
        .ok_or_else(|| {
            VmError::BadKernel(
                deb.display().to_string(),
                "the package has no boot/vmlinuz-*: not a kernel image package".into(),
            )
        })?;
    let config = boot.join(format!("config-{release}"));
    Ok(PreparedKernel {
        label: stem.split('_').next().unwrap_or(&stem).to_string(),
        image: boot.join(format!("vmlinuz-{release}")),
        config: config.is_file().then_some(config),
        release: Some(release),
        package: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_series_and_rejects_nonsense() {
        assert_eq!(
            KernelSource::parse("6.12").unwrap(),
            KernelSource::Debian("6.12".into())
        );
        assert!(KernelSource::parse("6").is_err());
        assert!(KernelSource::parse("6.x").is_err());
        assert!(KernelSource::parse("/nonexistent/x.deb")
            .unwrap_err()
            .to_string()
            .contains("no such .deb"));
        assert!(KernelSource::parse("/nonexistent/bzImage").is_err());
    }

    #[test]
    fn orders_versions_by_value() {
        let mut names = [
            "linux-image-6.12.117+deb12-cloud-amd64",
            "linux-image-6.12.100+deb12-cloud-amd64",
            "linux-image-6.12.9+deb12-cloud-amd64",
        ];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(
            names.last(),
            Some(&"linux-image-6.12.117+deb12-cloud-amd64")
        );
        assert_eq!(names[0], "linux-image-6.12.9+deb12-cloud-amd64");
    }
}
