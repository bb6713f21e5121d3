//! The file system a directory is on, for Benchmark 2's file-system probe sets (the talk's
//! `fbt:zfs` becomes the build directory's own file system's functions and tracepoints).

use std::path::{Path, PathBuf};

use probecost_core::error::{Error, Result};

/// File systems by their `statfs` magic number: name, and whether probecost has a probe set
/// for them (kernel functions `NAME_*`, tracepoints `NAME:*`).
const KNOWN: [(u64, &str, bool); 9] = [
    (0xef53, "ext4", true),
    (0x5846_5342, "xfs", true),
    (0x9123_683e, "btrfs", true),
    (0xf2f5_2010, "f2fs", true),
    (0x0102_1994, "tmpfs", false),
    (0x794c_7630, "overlayfs", false),
    (0x6969, "nfs", false),
    (0x2fc1_2fc1, "zfs", false),
    (0x6573_5546, "fuse", false),
];

/// The file system of a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileSystem {
    dir: PathBuf,
    magic: u64,
}

impl FileSystem {
    /// The file system `dir` is on.
    pub fn of(dir: &Path) -> Result<Self> {
        let path = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes())
            .map_err(|_| Error::Input(format!("{}: a path with a NUL byte", dir.display())))?;
        // SAFETY: statfs fills a plain struct from a valid NUL-terminated path.
        let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
        if unsafe { libc::statfs(path.as_ptr(), &mut fs) } != 0 {
            return Err(Error::io(format!("statfs {}", dir.display()))(
                std::io::Error::last_os_error(),
            ));
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            #[allow(clippy::unnecessary_cast)] // f_type's width differs between libcs
            magic: fs.f_type as u64,
        })
    }

    /// Its name, or its magic number in hex when probecost does not know it.
    pub fn name(&self) -> String {
        KNOWN
            .iter()
            .find(|(magic, ..)| *magic == self.magic)
            .map_or(format!("unknown (statfs magic {:#x})", self.magic), |k| {
                k.1.to_string()
            })
    }

    /// The prefix of its kernel functions and its tracepoint category (`ext4`), or why there
    /// is no probe set for it.
    pub fn probe_prefix(&self) -> Result<&'static str> {
        match KNOWN.iter().find(|(magic, ..)| *magic == self.magic) {
            Some((_, name, true)) => Ok(name),
            _ => Err(Error::unsupported(format!(
                "{} is on {}, which has no file-system probe set (fbt-fs sets know {}): put \
                 --build-dir on one of those, or leave the fbt-fs sets out of --sets",
                self.dir.display(),
                self.name(),
                KNOWN
                    .iter()
                    .filter(|k| k.2)
                    .map(|k| k.1)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_file_systems_have_a_prefix_and_others_are_named() {
        let ext4 = FileSystem {
            dir: "/build".into(),
            magic: 0xef53,
        };
        assert_eq!(ext4.probe_prefix().unwrap(), "ext4");
        let tmpfs = FileSystem {
            dir: "/tmp/b".into(),
            magic: 0x0102_1994,
        };
        let error = tmpfs.probe_prefix().unwrap_err().to_string();
        assert!(
            error.starts_with("/tmp/b is on tmpfs, which has no"),
            "{error}"
        );
        let odd = FileSystem {
            dir: "/x".into(),
            magic: 0x1234,
        };
        assert!(odd.name().contains("0x1234"));
    }

    #[test]
    fn this_directory_has_a_file_system() {
        let fs = FileSystem::of(Path::new(".")).unwrap();
        assert!(!fs.name().is_empty());
    }
}
