//! Marks a build by a user who is not root, so the tests that load eBPF programs report
//! themselves as ignored ("needs root") instead of passing without running.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(probecost_not_root)");
    // Switching user (sudo, su) changes these: the check is made again for the new one.
    for variable in ["USER", "SUDO_USER", "HOME", "LOGNAME"] {
        println!("cargo::rerun-if-env-changed={variable}");
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        println!("cargo::rustc-cfg=probecost_not_root");
    }
}
