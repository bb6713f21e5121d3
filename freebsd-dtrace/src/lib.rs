//! Rust bindings to FreeBSD's libdtrace consumer API (`<dtrace.h>`, DTRACE_VERSION 3).
//!
//! * [`sys`]: hand-written FFI declarations; opaque handles stay opaque, and of the structures
//!   libdtrace hands out only the fields probecost reads are declared.
//! * [`aggregation`]: decoding of aggregation data (count, sum, quantize, lquantize) from the
//!   byte layout `<sys/dtrace.h>` defines. Pure Rust, tested on every OS.
//!
//! libdtrace is linked only when the target OS is FreeBSD.

pub mod aggregation;
pub mod sys;
