//! Many-probe sets on Linux: resolved against tracefs, libc and the kernel's features, and
//! attached with probecost's counting programs.

mod activations;
mod attached;
mod kernel_functions;
mod resolve;

pub use activations::Activations;
pub use attached::AttachedSet;
pub use resolve::resolve;
