//! Every perf-event probe and BPF link is a file descriptor, so a set of thousands of probes
//! needs thousands of descriptors: more than the usual soft limit of 1024 (and than the 4096
//! hard limit a bare `/init` gets). probecost raises its limit once at start-up, the hard limit
//! too where it may (CAP_SYS_RESOURCE), so an attach fails for the kernel's reasons, not EMFILE.

/// Raises RLIMIT_NOFILE as far as allowed; returns the soft limit now in force.
pub fn raise_open_file_limit() -> u64 {
    // SAFETY: rlimit is plain data filled by getrlimit.
    let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to an rlimit.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 0;
    }
    let ceiling = std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(limit.rlim_max);
    for wanted in [ceiling.max(limit.rlim_max), limit.rlim_max] {
        let raised = libc::rlimit {
            rlim_cur: wanted,
            rlim_max: wanted.max(limit.rlim_max),
        };
        // SAFETY: a valid rlimit; failure leaves the limit as it was.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            return wanted;
        }
    }
    limit.rlim_cur
}
