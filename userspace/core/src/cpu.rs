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

/// Moves the calling thread onto every CPU it may use but `cpu`, so that what it does (loading
/// and detaching programs, starting tracers, the kernel's deferred work that those queue on the
/// CPU they ran on) stays off a workload pinned there. Nothing changes when `cpu` is the only
/// one. Linux only: elsewhere the workload runs on the calling thread itself.
#[cfg(target_os = "linux")]
pub fn keep_current_thread_off(cpu: usize) -> io::Result<()> {
    let others = other_cpus(cpu)?;
    if others.is_empty() {
        return Ok(());
    }
    imp::pin_current_thread_to(&others)
}

/// Every CPU the calling thread may use but `cpu`: where what runs beside a workload pinned to
/// `cpu` goes. Empty when `cpu` is the only one.
pub fn other_cpus(cpu: usize) -> io::Result<Vec<usize>> {
    Ok(allowed_cpus()?.into_iter().filter(|c| *c != cpu).collect())
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
        pin_current_thread_to(&[cpu])
    }

    pub fn pin_current_thread_to(cpus: &[usize]) -> io::Result<()> {
        if let Some(cpu) = cpus.iter().find(|c| **c >= libc::CPU_SETSIZE as usize) {
            return Err(io::Error::other(format!("CPU {cpu} is beyond CPU_SETSIZE")));
        }
        // SAFETY: as above; sched_setaffinity(0) targets the calling thread.
        unsafe {
            let mut set: libc::cpu_set_t = mem::zeroed();
            for cpu in cpus {
                libc::CPU_SET(*cpu, &mut set);
            }
            if libc::sched_setaffinity(0, mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    }
}

/// A CPU set laid out as FreeBSD's `cpuset_t` (an array of longs, CPU n at bit n % 64 of word
/// n / 64), sized for FreeBSD 14's 1024 CPUs; older kernels accept it too. Kept in Rust (not
/// libc's CPU_SET) so its arithmetic is tested on every OS, CPUs past the first word included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
pub struct CpuMask {
    words: [u64; CpuMask::WORDS],
}

impl CpuMask {
    const WORDS: usize = 16;
    /// CPUs the mask can hold.
    pub const CAPACITY: usize = Self::WORDS * 64;

    /// A mask holding only `cpu`, or `None` past [`Self::CAPACITY`].
    pub fn single(cpu: usize) -> Option<Self> {
        let mut mask = Self::default();
        *mask.words.get_mut(cpu / 64)? |= 1 << (cpu % 64);
        Some(mask)
    }

    /// Whether `cpu` is in the mask.
    pub fn contains(&self, cpu: usize) -> bool {
        self.words
            .get(cpu / 64)
            .is_some_and(|word| word & (1 << (cpu % 64)) != 0)
    }

    /// The CPUs in the mask, ascending.
    pub fn cpus(&self) -> Vec<usize> {
        (0..Self::CAPACITY)
            .filter(|cpu| self.contains(*cpu))
            .collect()
    }
}

#[cfg(target_os = "freebsd")]
mod imp {
    use std::{io, mem};

    use super::CpuMask;

    /// The calling thread (`CPU_WHICH_TID` with id -1), as the cpuset calls name it.
    const LEVEL: libc::cpulevel_t = libc::CPU_LEVEL_WHICH;
    const WHICH: libc::cpuwhich_t = libc::CPU_WHICH_TID;
    const SIZE: usize = mem::size_of::<CpuMask>();

    pub fn allowed_cpus() -> io::Result<Vec<usize>> {
        let mut mask = CpuMask::default();
        let out = (&mut mask as *mut CpuMask).cast();
        // SAFETY: the mask is plain data laid out as cpuset_t and its size is passed.
        let rc = unsafe { libc::cpuset_getaffinity(LEVEL, WHICH, -1, SIZE, out) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(mask.cpus())
    }

    pub fn pin_current_thread(cpu: usize) -> io::Result<()> {
        let mask = CpuMask::single(cpu)
            .ok_or_else(|| io::Error::other(format!("CPU {cpu} is beyond CPU_SETSIZE")))?;
        let mask = (&mask as *const CpuMask).cast();
        // SAFETY: as above.
        let rc = unsafe { libc::cpuset_setaffinity(LEVEL, WHICH, -1, SIZE, mask) };
        if rc != 0 {
            return Err(io::Error::last_os_error());
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

    #[cfg(target_os = "linux")]
    #[test]
    fn keeping_off_a_cpu_leaves_the_others() {
        let cpus = allowed_cpus().unwrap();
        let cpu = *cpus.last().unwrap();
        let left = std::thread::spawn(move || {
            keep_current_thread_off(cpu).unwrap();
            allowed_cpus().unwrap()
        })
        .join()
        .unwrap();
        if cpus.len() == 1 {
            assert_eq!(left, cpus);
        } else {
            assert_eq!(left, cpus[..cpus.len() - 1]);
        }
    }

    #[test]
    fn cpu_masks_put_each_cpu_in_its_own_bit() {
        for cpu in [0, 1, 7, 8, 9, 63, 64, 65, 127, 1023] {
            let mask = CpuMask::single(cpu).unwrap();
            assert_eq!(mask.cpus(), vec![cpu], "CPU {cpu}");
            assert_eq!(mask.words[cpu / 64], 1 << (cpu % 64), "CPU {cpu}");
        }
        assert_eq!(CpuMask::single(8).unwrap().words[0], 0x100);
        assert_eq!(CpuMask::single(CpuMask::CAPACITY), None);
        assert!(!CpuMask::default().contains(CpuMask::CAPACITY + 5));
    }
}
