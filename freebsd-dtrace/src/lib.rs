//! Rust bindings to FreeBSD's libdtrace consumer API (`<dtrace.h>`, DTRACE_VERSION 3).
//!
//! * [`sys`]: hand-written FFI declarations; opaque handles stay opaque, and of the structures
//!   libdtrace hands out only the fields probecost reads are declared.
//! * `consumer` (FreeBSD only): a safe consumer that opens, compiles, runs and closes.
//! * [`aggregation`], [`error`], [`options`], [`output`]: the parts that need no kernel
//!   (decoding aggregation bytes, classifying errors, option values, counting output), built
//!   and tested on every OS.
//!
//! libdtrace is linked only when the target OS is FreeBSD.

pub mod aggregation;
pub mod error;
pub mod options;
pub mod output;
pub mod sys;

#[cfg(target_os = "freebsd")]
mod consumer;

#[cfg(target_os = "freebsd")]
pub use consumer::{Aggregation, Consumer, ProgramInfo, TargetProcess, WorkStatus};
pub use error::{DtraceError, Operation};
pub use options::ConsumerOptions;
pub use output::{OutputCollector, OutputCounts};
