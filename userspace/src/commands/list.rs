//! `probecost list`: every scenario, its attach point and whether this kernel runs it.

use probecost_core::{error::Result, platform::Platform};

/// Prints the list.
pub fn list(platform: &dyn Platform) -> Result<()> {
    print!("{}", platform.scenario_list()?);
    Ok(())
}
