//! The `probecost` command line: parse, dispatch to the library's commands, and turn how they
//! ended into one line and an exit code.

mod cli;
mod commands;
mod platform;

use std::process::ExitCode;

use clap::Parser as _;
use commands::Outcome;
use probecost_core::error::Error;

use cli::{Cli, Command};

/// Exit code after Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
const INTERRUPTED: u8 = 130;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        if is_closed_stdout(info) {
            // The reader went away (`probecost list | head -1`): nothing more to say to it.
            // Programs and links are held by descriptors, so exiting here leaves nothing.
            std::process::exit(0);
        }
        eprintln!("probecost: internal error: {info}");
    }));
    let cli = Cli::parse();
    #[cfg(target_os = "linux")]
    probecost_linux::raise_open_file_limit();
    let platform = platform::current();
    let platform = platform.as_ref();
    let outcome = match &cli.command {
        Command::Run(args) => commands::run(platform, &args.command()),
        Command::Measure(args) => commands::measure(platform, &args.command()),
        Command::BpftraceTools(args) => commands::bpftrace_tools(platform, &args.command()),
        Command::List => commands::list(platform).map(|()| Outcome::Completed),
        Command::AttachScale(args) => commands::attach_scale(platform, &args.command()),
        Command::ComplexWorkload(args) => commands::complex_workload(platform, &args.command()),
        Command::Compare(args) => commands::compare(&args.command()),
        Command::WorkloadChild(args) => commands::workload_child(args.command()),
    };
    match outcome {
        Ok(Outcome::Completed) => ExitCode::SUCCESS,
        Ok(Outcome::Regressed) => ExitCode::FAILURE,
        Ok(Outcome::Interrupted) => {
            if !matches!(cli.command, Command::WorkloadChild(_)) {
                eprintln!(
                    "probecost: interrupted: the table shows what was measured before the signal"
                );
            }
            ExitCode::from(INTERRUPTED)
        }
        Err(Error::Interrupted) => {
            eprintln!("probecost: interrupted before anything was measured");
            ExitCode::from(INTERRUPTED)
        }
        Err(e) => {
            eprintln!("probecost: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Whether a panic is `print!` failing because standard output's reader has gone.
fn is_closed_stdout(info: &std::panic::PanicHookInfo<'_>) -> bool {
    let message = info
        .payload()
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| info.payload().downcast_ref::<&str>().copied())
        .unwrap_or_default();
    message.starts_with("failed printing to stdout") && message.contains("Broken pipe")
}
