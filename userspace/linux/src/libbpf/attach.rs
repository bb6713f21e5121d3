//! Attaching one loaded C program at the point the catalog gives its hook and attach kind,
//! the same points the aya programs use (each kind's file in `programs/` says how).

use libbpf_rs::{Link, ProgramMut};

use crate::programs::program_type;
use probecost_core::scenario::{AttachKind, Hook};

/// Attaches `program` for `hook` through `kind`. The returned link detaches when dropped, and
/// the kernel drops it with the process.
pub fn attach(program: &ProgramMut<'_>, kind: AttachKind, hook: Hook) -> libbpf_rs::Result<Link> {
    program_type(kind).attach_libbpf(program, hook)
}
