//! Many-probe sets on Linux: resolved against tracefs, libc and the kernel's features, and
//! attached with probecost's counting programs.

mod attached;
mod resolve;

pub use attached::{Activations, AttachedSet};
pub use resolve::resolve;
