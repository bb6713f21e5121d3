//! Loading a program of probecost's object by hand, for what aya 0.14 cannot do: a kprobe
//! program for kprobe.multi links (the kernel wants `expected_attach_type` set at load time),
//! and many copies of one fentry program, one per kernel function, sharing one set of maps
//! (aya would load the whole object, every map included, once per function).
//!
//! aya-obj parses the embedded object and relocates the program's map references to the maps
//! an already loaded [`Ebpf`] created; `BPF_PROG_LOAD` and the attach calls are made here. Every
//! result is an owned descriptor, so the kernel removes it when the process ends, however it
//! ends.

use std::{
    collections::HashSet,
    os::fd::{AsFd as _, AsRawFd as _, FromRawFd as _, OwnedFd},
};

use aya::{
    maps::{Map, MapData},
    Ebpf,
};
use aya_obj::generated::{bpf_attach_type, bpf_attr, bpf_cmd, bpf_insn, bpf_prog_type};
use probecost_core::error::Error;

const VERIFIER_LOG_BYTES: usize = 1 << 20;

/// A program's instructions with its map references pointing at loaded maps.
pub struct RelocatedProgram {
    name: String,
    instructions: Vec<bpf_insn>,
}

/// How to load a copy of a program.
#[derive(Clone, Copy, Debug)]
pub struct LoadAs {
    /// Program type.
    pub prog_type: bpf_prog_type,
    /// Expected attach type.
    pub attach_type: bpf_attach_type,
    /// The kernel BTF id of the function a tracing program attaches to (0 for others).
    pub attach_btf_id: u32,
}

/// An attachment held by its descriptor: closing it detaches.
pub struct FdLink {
    _fd: OwnedFd,
}

impl FdLink {
    pub(crate) fn new(fd: OwnedFd) -> Self {
        Self { _fd: fd }
    }
}

impl RelocatedProgram {
    /// `program` of `object`, its maps those `loaded` created from the same object.
    pub fn new(object: &[u8], loaded: &Ebpf, program: &str) -> probecost_core::error::Result<Self> {
        let obj = aya_obj::Object::parse(object)
            .map_err(|e| Error::operation(format!("parsing the object: {e}")))?;
        // Every function's map references are relocated, so every map needs a descriptor.
        let maps = loaded
            .maps()
            .map(|(name, map)| {
                let fd = map_data(map)
                    .ok_or_else(|| {
                        Error::operation(format!("map {name}: a kind probecost does not use"))
                    })?
                    .fd()
                    .as_fd()
                    .as_raw_fd();
                let definition = obj
                    .maps
                    .get(name)
                    .ok_or_else(|| Error::operation(format!("map {name} is not in the object")))?;
                Ok((name, fd, definition))
            })
            .collect::<probecost_core::error::Result<Vec<_>>>()?;
        let text_sections: HashSet<usize> = obj.functions.keys().map(|(s, _)| *s).collect();
        // relocate_maps borrows the definitions it is given while it rewrites the functions.
        let mut relocated = obj.clone();
        relocated
            .relocate_maps(maps.into_iter(), &text_sections)
            .map_err(|e| Error::operation(format!("relocating maps: {e}")))?;
        relocated
            .relocate_calls(&text_sections)
            .map_err(|e| Error::operation(format!("relocating calls: {e}")))?;
        let key = relocated
            .programs
            .get(program)
            .ok_or_else(|| {
                Error::operation(format!("program `{program}` is not in the eBPF object"))
            })?
            .function_key();
        Ok(Self {
            name: program.to_string(),
            instructions: relocated.functions[&key].instructions.clone(),
        })
    }

    /// Loads a copy (the verifier runs here; its log is in the error).
    pub fn load(&self, how: LoadAs) -> probecost_core::error::Result<OwnedFd> {
        load_once(&self.name, &self.instructions, how, None)
            .map_err(|first| {
                // Load again with the verifier's log, to say why.
                let mut log = vec![0u8; VERIFIER_LOG_BYTES];
                let _ = load_once(&self.name, &self.instructions, how, Some(&mut log));
                let text = String::from_utf8_lossy(&log);
                let text = text.trim_end_matches('\0').trim();
                if text.is_empty() {
                    format!("loading `{}`: {first}", self.name)
                } else {
                    format!("loading `{}`: {first}; verifier log:\n{text}", self.name)
                }
            })
            .map_err(Error::operation)
    }
}

/// Attaches a loaded tracing (fentry/fexit) program at the function it was loaded for.
pub fn attach_tracing(program: &OwnedFd) -> Result<FdLink, std::io::Error> {
    // SAFETY: bpf_attr is plain data; zero is the "unset" value of every field.
    let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
    // A null name means "the program's own attach target".
    attr.raw_tracepoint.prog_fd = program.as_raw_fd() as u32;
    bpf(bpf_cmd::BPF_RAW_TRACEPOINT_OPEN, &mut attr).map(FdLink::new)
}

/// The map behind any kind of aya map.
fn map_data(map: &Map) -> Option<&MapData> {
    use Map::*;
    match map {
        Array(m)
        | ArrayOfMaps(m)
        | BloomFilter(m)
        | CgroupArray(m)
        | CgroupStorage(m)
        | CgrpStorage(m)
        | CpuMap(m)
        | DevMap(m)
        | DevMapHash(m)
        | HashMap(m)
        | HashOfMaps(m)
        | InodeStorage(m)
        | LpmTrie(m)
        | LruHashMap(m)
        | PerCpuArray(m)
        | PerCpuCgroupStorage(m)
        | PerCpuHashMap(m)
        | PerCpuLruHashMap(m)
        | PerfEventArray(m)
        | ProgramArray(m)
        | Queue(m)
        | ReusePortSockArray(m)
        | RingBuf(m)
        | SockHash(m)
        | SockMap(m)
        | SkStorage(m)
        | Stack(m)
        | StackTraceMap(m)
        | Unsupported(m)
        | XskMap(m) => Some(m),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

fn load_once(
    name: &str,
    instructions: &[bpf_insn],
    how: LoadAs,
    log: Option<&mut [u8]>,
) -> Result<OwnedFd, std::io::Error> {
    let license = c"GPL";
    // SAFETY: bpf_attr is plain data; zero is the "unset" value of every field.
    let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
    // SAFETY: writing the prog-load member of a zeroed union; the pointers outlive the syscall.
    unsafe {
        let load = &mut attr.__bindgen_anon_3;
        load.prog_type = how.prog_type as u32;
        load.expected_attach_type = how.attach_type as u32;
        load.attach_btf_id = how.attach_btf_id;
        load.insn_cnt = instructions.len() as u32;
        load.insns = instructions.as_ptr() as u64;
        load.license = license.as_ptr() as u64;
        for (slot, byte) in load.prog_name.iter_mut().zip(name.bytes().take(15)) {
            *slot = byte as libc::c_char;
        }
        if let Some(log) = log {
            load.log_level = 1;
            load.log_size = log.len() as u32;
            load.log_buf = log.as_mut_ptr() as u64;
        }
    }
    bpf(bpf_cmd::BPF_PROG_LOAD, &mut attr)
}

/// The bpf(2) system call, for commands that return a new descriptor.
pub(crate) fn bpf(cmd: bpf_cmd, attr: &mut bpf_attr) -> Result<OwnedFd, std::io::Error> {
    // SAFETY: attr is a valid bpf_attr of the size passed.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd as libc::c_long,
            attr as *mut bpf_attr,
            std::mem::size_of::<bpf_attr>(),
        )
    };
    if rc < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: the kernel returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(rc as i32) })
}
