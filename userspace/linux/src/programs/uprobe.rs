//! uprobe / uretprobe programs on libc's `read`, for every process (as `uprobe:libc:read`), or on
//! one of probecost's own sites (the mechanism matrix).

use std::{fs, path::PathBuf};

use aya::programs::{uprobe::UProbeScope, Program, ProgramError, UProbe};
use libbpf_rs::{Link, ProgramMut, UprobeOpts};

use super::{at_return, Loading, OwnedLink, ProgramType};
use crate::{kernel_support::pmu, Support};
use probecost_core::{
    error::Error,
    scenario::{AttachKind, Hook},
};

/// uprobes through the uprobe PMU.
pub struct Uprobe;

impl ProgramType for Uprobe {
    fn kind(&self) -> AttachKind {
        AttachKind::Uprobe
    }

    fn support(&self) -> Support {
        pmu("uprobe", "uprobes", "CONFIG_UPROBE_EVENTS")
    }

    fn loading(&self) -> Loading {
        Loading::Aya { load, attach }
    }

    fn attach_libbpf(&self, program: &ProgramMut<'_>, hook: Hook) -> libbpf_rs::Result<Link> {
        let (binary, symbol) = match hook {
            Hook::Site(site) => (std::env::current_exe()?, site.symbol()),
            _ => (
                libc_path().map_err(|e| std::io::Error::other(e.to_string()))?,
                "read",
            ),
        };
        let opts = UprobeOpts {
            retprobe: at_return(hook),
            func_name: Some(symbol.into()),
            ..Default::default()
        };
        program.attach_uprobe_with_opts(-1, binary, 0, opts)
    }
}

fn load(program: &mut Program, _hook: Hook) -> Result<(), ProgramError> {
    let uprobe: &mut UProbe = program.try_into()?;
    uprobe.load()
}

fn attach(program: &mut Program, hook: Hook) -> Result<OwnedLink, ProgramError> {
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
