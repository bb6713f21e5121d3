//! One measurement at a time per machine: two probecost processes measuring at once would
//! disturb each other's numbers (shared CPUs, caches, the kernel's BPF and perf locks), so a
//! measuring command takes an exclusive lock and a second one refuses, naming the first.

use std::{
    fs::{File, OpenOptions},
    io::{Read as _, Seek as _, Write as _},
    os::fd::AsRawFd as _,
    path::{Path, PathBuf},
};

use crate::error::Error;

/// Where the lock lives: /run for root, the temporary directory otherwise.
fn lock_path() -> PathBuf {
    // SAFETY: access only reads the path.
    let writable = unsafe { libc::access(c"/run".as_ptr(), libc::W_OK) } == 0;
    let dir = if writable {
        PathBuf::from("/run")
    } else {
        std::env::temp_dir()
    };
    dir.join("probecost.lock")
}

/// The held lock; released when dropped or when the process ends, however it ends.
#[derive(Debug)]
pub struct MeasurementLock {
    _file: File,
}

impl MeasurementLock {
    /// Takes the lock, or says which process holds it.
    pub fn acquire() -> crate::error::Result<Self> {
        Self::acquire_at(&lock_path())
    }

    fn acquire_at(path: &Path) -> crate::error::Result<Self> {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(Error::io(format!(
                "opening the measurement lock {}",
                path.display()
            )))?;
        // SAFETY: flock on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            return Err(Error::Input(format!(
                "another probecost is measuring on this machine (PID {}, lock {}): two at once \
                 would disturb each other's numbers; wait for it, or pass --allow-concurrent",
                holder.trim(),
                path.display()
            )));
        }
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "{}", std::process::id());
        Ok(Self { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid() {
        let path = std::env::temp_dir().join(format!("probecost-lock-test-{}", std::process::id()));
        let first = MeasurementLock::acquire_at(&path).unwrap();
        // flock locks belong to the open file description: a second open conflicts even
        // within one process.
        let error = MeasurementLock::acquire_at(&path).unwrap_err().to_string();
        assert!(
            error.contains(&format!("PID {}", std::process::id())),
            "{error}"
        );
        drop(first);
        MeasurementLock::acquire_at(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
    }
}
