//! uprobe / uretprobe programs on libc's `read`, for every process (as `uprobe:libc:read`), or on
//! one of probecost's own sites (the mechanism matrix).

use std::{fs, path::PathBuf};

use aya::programs::{uprobe::UProbeScope, Program, ProgramError, UProbe};

use super::OwnedLink;
use probecost_core::error::Error;
use probecost_core::scenario::Hook;

pub fn load(program: &mut Program) -> Result<(), ProgramError> {
    let uprobe: &mut UProbe = program.try_into()?;
    uprobe.load()
}

pub fn attach(program: &mut Program, hook: Hook) -> Result<OwnedLink, ProgramError> {
    let uprobe: &mut UProbe = program.try_into()?;
    let id = match hook {
        // The sites are functions of this executable; only the workload calls them.
        Hook::Site(site) => {
            let exe = std::env::current_exe().map_err(ProgramError::IOError)?;
            uprobe.attach(site.symbol(), exe, UProbeScope::AllProcesses)?
        }
        _ => {
            let libc = libc_path().map_err(|e| ProgramError::IOError(std::io::Error::other(e)))?;
            uprobe.attach("read", &libc, UProbeScope::AllProcesses)?
        }
    };
    Ok(OwnedLink::Uprobe(uprobe.take_link(id)?))
}

/// The libc this process runs on, the one the workload's `read` goes through.
pub fn libc_path() -> probecost_core::error::Result<PathBuf> {
    let maps = fs::read_to_string("/proc/self/maps")
        .map_err(|e| Error::operation(format!("cannot read /proc/self/maps: {e}")))?;
    maps.lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .find(|path| {
            let file = path.rsplit('/').next().unwrap_or(path);
            file.starts_with("libc.so") || file.starts_with("libc-")
        })
        .map(PathBuf::from)
        .ok_or_else(|| {
            Error::operation(
                "libc is not mapped into this process: is probecost statically linked?",
            )
        })
}
