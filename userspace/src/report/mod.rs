//! Human-readable output.

mod table;

pub use table::{render_environment, render_table, tracer_names};
