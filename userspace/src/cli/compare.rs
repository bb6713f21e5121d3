//! `probecost compare`'s arguments.

use std::path::PathBuf;

use clap::Args;
use probecost_core::compare::{CompareSettings, CostScale, DEFAULT_NOISE_THRESHOLD_PCT};

use super::{non_negative, ExportArgs};
use crate::commands::CompareCommand;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// `--export-json` reports of one command (`run`, `attach-scale` or `workload`): the base
    /// first, then one or more to compare with it (with --baseline, the base is the saved
    /// baseline).
    #[arg(required = true, num_args = 1.., value_name = "REPORT.json")]
    files: Vec<PathBuf>,
    /// Uses saved baseline NAME (`probecost run --save-baseline NAME`) as the base.
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    /// Exits 1 when a row is slower by more than PCT percent with its whole 95% interval
    /// above PCT, naming the rows.
    #[arg(long, value_name = "PCT", value_parser = non_negative)]
    fail_if_slower: Option<f64>,
    /// Rows the gate looks at (comma-separated scenarios, attach-scale steps or workload
    /// configurations; all by default).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// A row is slower or faster only when its whole 95% interval lies beyond PCT percent of
    /// the base (the machine's drift between runs; 0 for the bare interval).
    #[arg(long, value_name = "PCT", default_value_t = DEFAULT_NOISE_THRESHOLD_PCT, value_parser = non_negative)]
    noise_threshold: f64,
    /// Compares `run` reports' per-event costs at the base's machine speed: each newer row's
    /// cost times the base row's control floor over its own. For runs of one kernel on a
    /// machine whose speed moved between them (the control line says so); not across
    /// kernels, where the control operation itself changes.
    #[arg(long)]
    at_base_speed: bool,
    #[command(flatten)]
    export: ExportArgs,
}

impl CompareArgs {
    pub fn command(&self) -> CompareCommand {
        CompareCommand {
            files: self.files.clone(),
            fail_if_slower: self.fail_if_slower,
            only: self.only.clone(),
            settings: CompareSettings {
                noise_threshold_pct: self.noise_threshold,
                scale: if self.at_base_speed {
                    CostScale::AtBaseSpeed
                } else {
                    CostScale::AsMeasured
                },
            },
            baseline: self.baseline.clone(),
            exports: self.export.paths(),
        }
    }
}
