//! `probecost bpftrace-tools`'s arguments.

use std::path::PathBuf;

use clap::Args;

use super::{MeasuringArgs, RoundArgs};
use crate::commands::BpftraceToolsCommand;

#[derive(Args, Debug)]
pub struct BpftraceToolsArgs {
    /// Where the tools are: every `*.bt` file of this directory.
    #[arg(long, value_name = "DIR", default_value = "/usr/sbin")]
    dir: PathBuf,
    /// Only these tools (comma-separated file names, `.bt` optional).
    #[arg(long, value_delimiter = ',', value_name = "NAME")]
    tool: Vec<String>,
    #[command(flatten)]
    rounds: RoundArgs,
    #[command(flatten)]
    measuring: MeasuringArgs,
}

impl BpftraceToolsArgs {
    pub fn command(&self) -> BpftraceToolsCommand {
        BpftraceToolsCommand {
            dir: self.dir.clone(),
            tools: self.tool.clone(),
            rounds: self.rounds.policy(),
            run_time: self.rounds.run_time(),
            cpu: self.rounds.cpu,
            exports: self.measuring.export.paths(),
            allow_concurrent: self.measuring.allow_concurrent,
        }
    }
}
