//! CPU placement: which CPUs are online and pinning the calling thread to one.

use std::io;

/// CPUs the calling process may run on, ascending.
pub fn allowed_cpus() -> io::Result<Vec<usize>> {
    imp::allowed_cpus()
}

/// Pins the calling thread to `cpu`.
pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
    imp::pin_current_thread(cpu)
}

/// The default CPU for the workload: the last one the process may use, away from CPU 0 where
/// interrupts and housekeeping tend to land.
pub fn default_workload_cpu() -> io::Result<usize> {
    allowed_cpus()?
        .last()
        .copied()
        .ok_or_else(|| io::Error::other("no CPU in this process's affinity mask"))
}

#[cfg(target_os = "linux")]
mod imp {
    use std::{io, mem};

    pub fn allowed_cpus() -> io::Result<Vec<usize>> {
        // SAFETY: cpu_set_t is plain data; sched_getaffinity fills it.
        unsafe {
            let mut set: libc::cpu_set_t = mem::zeroed();
            if libc::sched_getaffinity(0, mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok((0..libc::CPU_SETSIZE as usize)
                .filter(|cpu| libc::CPU_ISSET(*cpu, &set))
                .collect())
        }
    }

    pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
        if cpu >= libc::CPU_SETSIZE as usize {
            return Err(io::Error::other(format!("CPU {cpu} is beyond CPU_SETSIZE")));
        }
        // SAFETY: as above; sched_setaffinity(0) targets the calling thread.
        unsafe {
            let mut set: libc::cpu_set_t = mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            if libc::sched_setaffinity(0, mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }
}

#[cfg(target_os = "freebsd")]
mod imp {
    use std::{io, mem};

    pub fn allowed_cpus() -> io::Result<Vec<usize>> {
        // SAFETY: cpuset_t is plain data; cpuset_getaffinity fills it.
        unsafe {
            let mut set: libc::cpuset_t = mem::zeroed();
            if libc::cpuset_getaffinity(
                libc::CPU_LEVEL_WHICH,
                libc::CPU_WHICH_TID,
                -1,
                mem::size_of::<libc::cpuset_t>(),
                &mut set,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            let bits = mem::size_of::<libc::cpuset_t>() * 8;
            Ok((0..bits)
                .filter(|cpu| libc::CPU_ISSET(*cpu, &set))
                .collect())
        }
    }

    pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
        let bits = mem::size_of::<libc::cpuset_t>() * 8;
        if cpu >= bits {
            return Err(io::Error::other(format!("CPU {cpu} is beyond CPU_SETSIZE")));
        }
        // SAFETY: as above; CPU_WHICH_TID with id -1 targets the calling thread.
        unsafe {
            let mut set: libc::cpuset_t = mem::zeroed();
            libc::CPU_SET(cpu, &mut set);
            if libc::cpuset_setaffinity(
                libc::CPU_LEVEL_WHICH,
                libc::CPU_WHICH_TID,
                -1,
                mem::size_of::<libc::cpuset_t>(),
                &set,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinning_to_an_allowed_cpu_works() {
        let cpus = allowed_cpus().unwrap();
        assert!(!cpus.is_empty());
        let cpu = default_workload_cpu().unwrap();
        assert_eq!(Some(&cpu), cpus.last());
        // Pin a scratch thread so the test harness's own threads stay unpinned.
        std::thread::spawn(move || pin_current_thread(cpu).unwrap())
            .join()
            .unwrap();
    }
}
