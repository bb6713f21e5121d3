//! The FreeBSD backend: the scenarios' D programs, compiled and run through libdtrace by FFI
//! (the `freebsd-dtrace` crate), with the same workload, statistics and reports as Linux. The
//! D programs (`d_program.rs`) are plain text, tested on any platform; the rest builds on
//! FreeBSD only.

pub mod d_program;

#[cfg(target_os = "freebsd")]
mod backend;
#[cfg(target_os = "freebsd")]
mod companion_thread;
#[cfg(target_os = "freebsd")]
mod dtrace_scenario;
#[cfg(target_os = "freebsd")]
pub mod platform;
#[cfg(target_os = "freebsd")]
mod session;

#[cfg(target_os = "freebsd")]
pub use backend::*;
