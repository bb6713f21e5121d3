//! Human-readable output.

mod table;

pub use table::{render_environment, render_table, tracer_names};

/// A number with `decimals` decimals, or `-` when there is none (or it is not finite).
pub fn number_or_dash(value: Option<f64>, decimals: usize) -> String {
    match value {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => "-".into(),
    }
}
