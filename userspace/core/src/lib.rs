//! probecost's platform-free core: what tracing costs, in nanoseconds per event.
//!
//! The core runs the scenarios of the BSDCan 2023 talk "Performance analysis of DTrace on
//! FreeBSD & eBPF on Linux" (and Gregg's per-event cost table) against a pinned dd-style
//! workload, interleaving control and traced runs on one CPU, and reports the per-event cost
//! with its uncertainty. The platform's backends
//! (`probecost-linux`, `probecost-freebsd`) implement [`platform::Platform`]; the `probecost`
//! binary is the command-line front end.

pub mod attach_scale;
pub mod benchmark;
pub mod compare;
pub mod complex_workload;
pub mod cpu;
pub mod environment;
pub mod error;
pub mod export;
pub mod histogram;
pub mod interrupt;
#[cfg(test)]
mod json_schema;
pub mod measurement_lock;
pub mod output_file;
pub mod palette;
pub mod platform;
pub mod probe_set;
pub mod reference;
pub mod report;
pub mod result;
pub mod scenario;
pub mod stats;
#[cfg(target_os = "freebsd")]
mod sysctl;
pub mod tracer;
pub mod virtualization;
pub mod workload;
pub mod workload_child;
