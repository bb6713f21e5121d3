//! An initramfs: an uncompressed newc cpio archive (the kernel unpacks it into its root file
//! system before running `/init`). Binaries bring the shared libraries `ldd` names for them.

use std::{
    collections::BTreeMap,
    fs,
    io::{BufWriter, Write as _},
    path::Path,
    process::Command,
};

use crate::VmError;

/// One archive entry.
#[derive(Clone, Debug)]
enum Entry {
    Dir,
    File { data: Vec<u8>, mode: u32 },
    Symlink { target: String },
}

/// The archive being built, by path inside the guest (no leading `/`).
#[derive(Clone, Debug, Default)]
pub struct Initramfs {
    entries: BTreeMap<String, Entry>,
}

impl Initramfs {
    /// A directory (its parents too).
    pub fn add_dir(&mut self, path: &str) {
        let mut prefix = String::new();
        for part in path.trim_matches('/').split('/').filter(|p| !p.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            self.entries.entry(prefix.clone()).or_insert(Entry::Dir);
        }
    }

    fn add_parent(&mut self, path: &str) {
        if let Some((parent, _)) = path.trim_matches('/').rsplit_once('/') {
            self.add_dir(parent);
        }
    }

    /// A file with these contents and mode bits.
    pub fn add_bytes(&mut self, path: &str, data: Vec<u8>, mode: u32) {
        self.add_parent(path);
        self.entries.insert(
            path.trim_matches('/').to_string(),
            Entry::File { data, mode },
        );
    }

    /// A host file.
    pub fn add_file(&mut self, path: &str, source: &Path, mode: u32) -> Result<(), VmError> {
        let data = fs::read(source).map_err(|e| VmError::io(source, e))?;
        self.add_bytes(path, data, mode);
        Ok(())
    }

    /// A symbolic link.
    pub fn add_symlink(&mut self, path: &str, target: &str) {
        self.add_parent(path);
        self.entries.insert(
            path.trim_matches('/').to_string(),
            Entry::Symlink {
                target: target.to_string(),
            },
        );
    }

    /// A dynamically linked binary at `path`, and every shared library it loads at the path
    /// the host has it (with the link the dynamic loader's name points through).
    pub fn add_binary(&mut self, path: &str, source: &Path) -> Result<(), VmError> {
        self.add_file(path, source, 0o755)?;
        for library in shared_libraries(source)? {
            let key = library.trim_start_matches('/').to_string();
            if self.entries.contains_key(&key) {
                continue;
            }
            let real = fs::canonicalize(&library).map_err(|e| VmError::io(&library, e))?;
            let real_key = real.to_string_lossy().trim_start_matches('/').to_string();
            self.add_file(&real_key, &real, 0o755)?;
            if real_key != key {
                self.add_symlink(&key, &format!("/{real_key}"));
            }
        }
        Ok(())
    }

    /// Writes the archive.
    pub fn write(&self, path: &Path) -> Result<(), VmError> {
        let file = fs::File::create(path).map_err(|e| VmError::io(path, e))?;
        let mut out = BufWriter::new(file);
        let io = |e| VmError::io(path, e);
        for (inode, (name, entry)) in self.entries.iter().enumerate() {
            let (mode, data): (u32, &[u8]) = match entry {
                Entry::Dir => (0o040_755, &[]),
                Entry::File { data, mode } => (0o100_000 | mode, data),
                Entry::Symlink { target } => (0o120_777, target.as_bytes()),
            };
            write_entry(&mut out, inode as u32 + 1, name, mode, data).map_err(io)?;
        }
        write_entry(&mut out, 0, "TRAILER!!!", 0, &[]).map_err(io)?;
        out.flush().map_err(io)
    }
}

/// One newc header (110 bytes of ASCII hex fields), the name, the data, each padded to 4.
fn write_entry(
    out: &mut impl std::io::Write,
    inode: u32,
    name: &str,
    mode: u32,
    data: &[u8],
) -> std::io::Result<()> {
    let name_size = name.len() + 1;
    let fields = [
        inode,
        mode,
        0, // uid
        0, // gid
        if mode & 0o040_000 != 0 { 2 } else { 1 },
        0, // mtime
        data.len() as u32,
        0, // devmajor
        0, // devminor
        0, // rdevmajor
        0, // rdevminor
        name_size as u32,
        0, // check
    ];
    let mut header = String::from("070701");
    for field in fields {
        header.push_str(&format!("{field:08x}"));
    }
    out.write_all(header.as_bytes())?;
    out.write_all(name.as_bytes())?;
    out.write_all(&[0])?;
    pad(out, 110 + name_size)?;
    out.write_all(data)?;
    pad(out, data.len())
}

fn pad(out: &mut impl std::io::Write, written: usize) -> std::io::Result<()> {
    let padding = (4 - written % 4) % 4;
    out.write_all(&[0; 3][..padding])
}

/// The shared libraries `ldd` says `binary` loads, the dynamic loader included.
fn shared_libraries(binary: &Path) -> Result<Vec<String>, VmError> {
    let out = Command::new("ldd")
        .arg(binary)
        .output()
        .map_err(|e| VmError::Command {
            command: format!("ldd {}", binary.display()),
            reason: e.to_string(),
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(parse_ldd(&text))
}

/// The paths in `ldd` output: `libc.so.6 => /lib/.../libc.so.6 (0x...)` and the loader's
/// `/lib64/ld-linux-x86-64.so.2 (0x...)`.
pub fn parse_ldd(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let path = match line.split_once("=>") {
                Some((_, right)) => right.split_whitespace().next()?,
                None => line.split_whitespace().next()?,
            };
            path.starts_with('/').then(|| path.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ldd_output() {
        let text = "\tlinux-vdso.so.1 (0x00007ffd)\n\tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n";
        assert_eq!(
            parse_ldd(text),
            [
                "/lib/x86_64-linux-gnu/libgcc_s.so.1",
                "/lib/x86_64-linux-gnu/libc.so.6",
                "/lib64/ld-linux-x86-64.so.2"
            ]
        );
    }

    #[test]
    fn writes_newc_that_busybox_cpio_lists() {
        let mut archive = Initramfs::default();
        archive.add_bytes("bin/hello", b"hi\n".to_vec(), 0o755);
        archive.add_symlink("sbin/hi", "/bin/hello");
        let dir = std::env::temp_dir().join(format!("probecost-vm-cpio-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("test.cpio");
        archive.write(&path).unwrap();
        let bytes = fs::read(&path).unwrap();
        assert!(bytes.starts_with(b"070701"));
        assert_eq!(bytes.len() % 4, 0);
        // Independent reader: cpio from busybox (or GNU cpio) lists what we wrote.
        let lister = crate::host::which("/bin/busybox")
            .map(|b| (b, vec!["cpio", "-t"]))
            .or_else(|| crate::host::which("cpio").map(|c| (c, vec!["-t"])));
        if let Some((program, args)) = lister {
            let out = Command::new(program)
                .args(args)
                .stdin(fs::File::open(&path).unwrap())
                .output()
                .unwrap();
            let listed = String::from_utf8_lossy(&out.stdout);
            for name in ["bin", "bin/hello", "sbin", "sbin/hi"] {
                assert!(listed.lines().any(|l| l == name), "{name} not in {listed}");
            }
        } else {
            eprintln!("note: no cpio lister on this machine; checked the header only");
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
