//! probecost: what tracing costs, in nanoseconds per event.
//!
//! The library runs the scenarios of the BSDCan 2023 talk "Performance analysis of DTrace on
//! FreeBSD & eBPF on Linux" (and Gregg's per-event cost table) against a pinned dd-style
//! workload, interleaving control and traced runs on one CPU, and reports the per-event cost
//! with its uncertainty. The `probecost` binary is its command-line front end.

pub mod attach_scale;
pub mod benchmark;
pub mod commands;
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
pub mod platform;
pub mod plot;
pub mod probe_set;
pub mod reference;
pub mod report;
pub mod result;
pub mod scenario;
pub mod stats;
pub mod tracer;
pub mod virtualization;
pub mod workload;
pub mod workload_child;

#[cfg(target_os = "freebsd")]
pub mod freebsd;
#[cfg(target_os = "linux")]
pub mod linux;
