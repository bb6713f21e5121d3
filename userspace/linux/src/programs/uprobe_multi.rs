//! `uprobe.multi` links: one BPF link attaches a uprobe program at many offsets of one binary
//! (Linux 6.6+), where the perf-event way needs one perf event per offset. aya 0.14 has none,
//! so [`super::raw_load`] loads the program with `expected_attach_type =
//! BPF_TRACE_UPROBE_MULTI`, and the symbol's file offset is found in the binary's ELF symbols.

use std::{
    ffi::CString,
    os::{fd::AsRawFd as _, fd::OwnedFd, unix::ffi::OsStrExt as _},
    path::{Path, PathBuf},
    sync::{Mutex, OnceLock},
};

use aya::Ebpf;
use aya_obj::generated::{bpf_attach_type, bpf_attr, bpf_cmd, bpf_prog_type};
use object::{Object as _, ObjectSection as _, ObjectSymbol as _};

use libbpf_rs::{Link, ProgramAttachType, ProgramMut};

use super::{
    at_return, libc_path,
    raw_load::{bpf, FdLink, LoadAs, RelocatedProgram},
    Loading, ProgramType,
};
use crate::Support;
use probecost_core::{
    error::Error,
    scenario::{AttachKind, Hook},
};

/// `BPF_F_UPROBE_MULTI_RETURN`: attach at the functions' returns.
const UPROBE_MULTI_RETURN: u32 = 1;

/// Loads `program` (a uprobe program of probecost's object, its maps those of `loaded`) so a
/// uprobe.multi link can take it.
pub fn load_for_uprobe_multi(
    loaded: &Ebpf,
    program: &str,
) -> probecost_core::error::Result<OwnedFd> {
    let relocated = RelocatedProgram::new(crate::object::bytes(), loaded, program)?;
    relocated.load(LoadAs {
        prog_type: bpf_prog_type::BPF_PROG_TYPE_KPROBE,
        attach_type: bpf_attach_type::BPF_TRACE_UPROBE_MULTI,
        attach_btf_id: 0,
    })
}

/// Links the loaded program `fd` (called `program` in messages) to `symbol` of `binary`, for
/// every process, at its return when `returns`.
pub fn link_uprobe_multi(
    fd: &OwnedFd,
    program: &str,
    binary: &Path,
    symbol: &str,
    returns: bool,
) -> probecost_core::error::Result<FdLink> {
    let offset = symbol_file_offset(binary, symbol)?;
    let path = CString::new(binary.as_os_str().as_bytes())
        .map_err(|_| Error::operation(format!("bad path {}", binary.display())))?;
    let offsets = [offset];
    // SAFETY: bpf_attr is plain data; zero is the "unset" value of every field.
    let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
    // SAFETY: writing the link_create member of a zeroed union; `path` and `offsets` outlive
    // the syscall.
    unsafe {
        let link = &mut attr.link_create;
        link.__bindgen_anon_1.prog_fd = fd.as_raw_fd() as u32;
        link.attach_type = bpf_attach_type::BPF_TRACE_UPROBE_MULTI as u32;
        let multi = &mut link.__bindgen_anon_3.uprobe_multi;
        multi.path = path.as_ptr() as u64;
        multi.offsets = offsets.as_ptr() as u64;
        multi.cnt = offsets.len() as u32;
        multi.flags = if returns { UPROBE_MULTI_RETURN } else { 0 };
    }
    bpf(bpf_cmd::BPF_LINK_CREATE, &mut attr)
        .map(FdLink::new)
        .map_err(|e| {
            format!(
                "uprobe.multi link of `{program}` to {}:{symbol}: {e}",
                binary.display()
            )
        })
        .map_err(Error::operation)
}

/// The file offset of function `symbol` in the ELF file `binary` (what the kernel's uprobes
/// take), found once per process: every traced run attaches anew, and reading libc for it
/// each time would count in the attach time.
pub fn symbol_file_offset(binary: &Path, symbol: &str) -> probecost_core::error::Result<u64> {
    static FOUND: Mutex<Vec<(PathBuf, String, u64)>> = Mutex::new(Vec::new());
    let mut found = FOUND.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, _, offset)) = found.iter().find(|(b, s, _)| b == binary && s == symbol) {
        return Ok(*offset);
    }
    let offset = read_symbol_file_offset(binary, symbol)?;
    found.push((binary.to_path_buf(), symbol.to_string(), offset));
    Ok(offset)
}

/// [`symbol_file_offset`] from the file: the symbol's address less its section's address,
/// plus the section's file offset.
fn read_symbol_file_offset(binary: &Path, symbol: &str) -> probecost_core::error::Result<u64> {
    let data = std::fs::read(binary)
        .map_err(|e| Error::operation(format!("reading {}: {e}", binary.display())))?;
    let file = object::File::parse(&*data)
        .map_err(|e| Error::operation(format!("parsing {} as ELF: {e}", binary.display())))?;
    let found = file
        .dynamic_symbols()
        .chain(file.symbols())
        .find(|s| s.name() == Ok(symbol) && s.kind() == object::SymbolKind::Text)
        .ok_or_else(|| {
            Error::operation(format!("no function `{symbol}` in {}", binary.display()))
        })?;
    let section = found
        .section_index()
        .and_then(|index| file.section_by_index(index).ok())
        .ok_or_else(|| {
            Error::operation(format!("`{symbol}` of {} has no section", binary.display()))
        })?;
    let (file_offset, _) = section
        .file_range()
        .ok_or_else(|| {
            format!(
                "`{symbol}`'s section in {} has no file data",
                binary.display()
            )
        })
        .map_err(Error::operation)?;
    Ok(found.address() - section.address() + file_offset)
}

/// Links a loaded program to libc's `read`, at its return for a return hook.
fn link_at_libc_read(
    fd: &OwnedFd,
    program: &str,
    hook: Hook,
) -> probecost_core::error::Result<FdLink> {
    link_uprobe_multi(fd, program, &libc_path()?, "read", at_return(hook))
}

/// Whether this kernel takes uprobe.multi links, found once per process by making one (to
/// libc's `read`, detached at once).
pub fn uprobe_multi_support() -> Support {
    static SUPPORT: OnceLock<Support> = OnceLock::new();
    SUPPORT
        .get_or_init(|| {
            let attempt = || -> probecost_core::error::Result<()> {
                let loaded = crate::object::load().map_err(|e| Error::operation(e.to_string()))?;
                let fd = load_for_uprobe_multi(&loaded, "probe_uprobe")?;
                link_uprobe_multi(&fd, "probe_uprobe", &super::libc_path()?, "read", false)?;
                Ok(())
            };
            match attempt() {
                Ok(()) => Support::Yes,
                Err(error) => Support::No(format!("uprobe.multi: {error}")),
            }
        })
        .clone()
}

/// uprobes on libc's `read` through a uprobe.multi link.
pub struct UprobeMulti;

impl ProgramType for UprobeMulti {
    fn kind(&self) -> AttachKind {
        AttachKind::UprobeMulti
    }

    fn support(&self) -> Support {
        uprobe_multi_support()
    }

    fn loading(&self) -> Loading {
        Loading::ByHand {
            purpose: "a uprobe.multi link",
            load: load_for_uprobe_multi,
            link: link_at_libc_read,
        }
    }

    fn attach_libbpf(&self, program: &ProgramMut<'_>, hook: Hook) -> libbpf_rs::Result<Link> {
        let libc = libc_path().map_err(|e| std::io::Error::other(e.to_string()))?;
        program.attach_uprobe_multi(-1, libc, "read", at_return(hook), false)
    }

    fn libbpf_attach_type(&self) -> Option<ProgramAttachType> {
        Some(ProgramAttachType::TraceUprobeMulti)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_a_function_where_the_file_holds_it() {
        // probecost's own site starts with a one-byte nop (0x90) at the offset found. The sites
        // live in the core crate: calling them keeps the linker from dropping them here.
        probecost_core::workload::uprobe_sites::call_all();
        let exe = std::env::current_exe().unwrap();
        let offset = super::symbol_file_offset(&exe, "probecost_site_nop").unwrap();
        let bytes = std::fs::read(&exe).unwrap();
        assert_eq!(bytes[offset as usize], 0x90);
        assert!(super::symbol_file_offset(&exe, "no_such_function_anywhere").is_err());
    }
}
