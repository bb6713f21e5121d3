//! `kprobe.multi` links: one BPF link attaches a kprobe program to many kernel functions at
//! once (fprobe, Linux 5.18+ with CONFIG_FPROBE), where a perf-event kprobe needs one perf
//! event, and one RCU-synchronised detach, per function.
//!
//! aya 0.14 has no kprobe.multi support, and the kernel accepts such a link only for a program
//! loaded with `expected_attach_type = BPF_TRACE_KPROBE_MULTI`. So the program is loaded here:
//! the same compiled kprobe program from probecost's object (aya-obj parses it and relocates
//! its map references to the maps of an already loaded [`Ebpf`]), with the attach type set,
//! through `BPF_PROG_LOAD`, then linked with `BPF_LINK_CREATE`. Both are owned descriptors,
//! so the kernel removes them when the process ends, however it ends.

use std::{
    collections::HashSet,
    ffi::CString,
    os::fd::{AsFd as _, AsRawFd as _, FromRawFd as _, OwnedFd},
};

use aya::{
    maps::{Map, MapData},
    Ebpf,
};
use aya_obj::generated::{bpf_attach_type, bpf_attr, bpf_cmd, bpf_prog_type};

/// `BPF_F_KPROBE_MULTI_RETURN`: attach at the functions' returns.
const KPROBE_MULTI_RETURN: u32 = 1;
const VERIFIER_LOG_BYTES: usize = 1 << 20;

/// A kprobe program loaded for kprobe.multi links.
pub struct KprobeMultiProgram {
    fd: OwnedFd,
    name: String,
}

/// One kprobe.multi link: the program attached to every function it names.
pub struct KprobeMultiLink {
    _fd: OwnedFd,
}

impl KprobeMultiProgram {
    /// Loads `program` (a kprobe program of `object`) with its map references pointing at the
    /// maps `loaded` created from the same object.
    pub fn load(object: &[u8], loaded: &Ebpf, program: &str) -> Result<Self, String> {
        let mut obj =
            aya_obj::Object::parse(object).map_err(|e| format!("parsing the object: {e}"))?;
        // Every function's map references are relocated, so every map needs a descriptor.
        let maps = loaded
            .maps()
            .map(|(name, map)| {
                let fd = map_data(map)
                    .ok_or_else(|| format!("map {name}: a kind probecost does not use"))?
                    .fd()
                    .as_fd()
                    .as_raw_fd();
                let definition = obj
                    .maps
                    .get(name)
                    .ok_or_else(|| format!("map {name} is not in the object"))?;
                Ok((name, fd, definition))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let text_sections: HashSet<usize> = obj.functions.keys().map(|(s, _)| *s).collect();
        // relocate_maps borrows the maps it is given while it mutates the functions.
        let mut relocated = obj.clone();
        relocated
            .relocate_maps(maps.into_iter(), &text_sections)
            .map_err(|e| format!("relocating maps: {e}"))?;
        relocated
            .relocate_calls(&text_sections)
            .map_err(|e| format!("relocating calls: {e}"))?;
        obj = relocated;
        let key = obj
            .programs
            .get(program)
            .ok_or_else(|| format!("program `{program}` is not in the eBPF object"))?
            .function_key();
        let instructions = &obj.functions[&key].instructions;
        let fd = prog_load(program, instructions)?;
        Ok(Self {
            fd,
            name: program.to_string(),
        })
    }

    /// Attaches to every function in `functions` (at their returns when `returns`).
    pub fn attach(&self, functions: &[String], returns: bool) -> Result<KprobeMultiLink, String> {
        let names: Vec<CString> = functions
            .iter()
            .map(|f| CString::new(f.as_str()).map_err(|_| format!("bad function name {f:?}")))
            .collect::<Result<_, _>>()?;
        let pointers: Vec<*const libc::c_char> = names.iter().map(|n| n.as_ptr()).collect();
        // SAFETY: bpf_attr is plain data; zero is the "unset" value of every field.
        let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
        // SAFETY: writing the link_create member of a zeroed union.
        unsafe {
            let link = &mut attr.link_create;
            link.__bindgen_anon_1.prog_fd = self.fd.as_raw_fd() as u32;
            link.attach_type = bpf_attach_type::BPF_TRACE_KPROBE_MULTI as u32;
            let multi = &mut link.__bindgen_anon_3.kprobe_multi;
            multi.flags = if returns { KPROBE_MULTI_RETURN } else { 0 };
            multi.cnt = pointers.len() as u32;
            multi.syms = pointers.as_ptr() as u64;
        }
        let fd = bpf(bpf_cmd::BPF_LINK_CREATE, &mut attr).map_err(|e| {
            format!(
                "kprobe.multi link of `{}` to {} functions: {e}",
                self.name,
                functions.len()
            )
        })?;
        Ok(KprobeMultiLink { _fd: fd })
    }
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

fn prog_load(name: &str, instructions: &[aya_obj::generated::bpf_insn]) -> Result<OwnedFd, String> {
    prog_load_once(name, instructions, None).map_err(|first| {
        // Load again with the verifier's log, to say why.
        let mut log = vec![0u8; VERIFIER_LOG_BYTES];
        let _ = prog_load_once(name, instructions, Some(&mut log));
        let text = String::from_utf8_lossy(&log);
        let text = text.trim_end_matches('\0').trim();
        if text.is_empty() {
            format!("loading `{name}` for kprobe.multi: {first}")
        } else {
            format!("loading `{name}` for kprobe.multi: {first}; verifier log:\n{text}")
        }
    })
}

fn prog_load_once(
    name: &str,
    instructions: &[aya_obj::generated::bpf_insn],
    log: Option<&mut [u8]>,
) -> Result<OwnedFd, std::io::Error> {
    let license = c"GPL";
    // SAFETY: bpf_attr is plain data; zero is the "unset" value of every field.
    let mut attr: bpf_attr = unsafe { std::mem::zeroed() };
    // SAFETY: writing the prog-load member of a zeroed union; the pointers outlive the syscall.
    unsafe {
        let load = &mut attr.__bindgen_anon_3;
        load.prog_type = bpf_prog_type::BPF_PROG_TYPE_KPROBE as u32;
        load.expected_attach_type = bpf_attach_type::BPF_TRACE_KPROBE_MULTI as u32;
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

fn bpf(cmd: bpf_cmd, attr: &mut bpf_attr) -> Result<OwnedFd, std::io::Error> {
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

/// Whether this kernel takes kprobe.multi links, found by making one (to `vfs_read`, detached
/// at once); the kernel configuration's word on CONFIG_FPROBE is added when it refuses.
pub fn kprobe_multi_support() -> crate::linux::Support {
    use crate::linux::{kernel_config::KernelConfig, Support};

    let attempt = || -> Result<(), String> {
        let loaded = crate::linux::object::load().map_err(|e| e.to_string())?;
        let program =
            KprobeMultiProgram::load(crate::linux::object::bytes(), &loaded, "count_kprobe")?;
        program.attach(&[super::READ_FUNCTION.to_string()], false)?;
        Ok(())
    };
    match attempt() {
        Ok(()) => Support::Yes,
        Err(error) => {
            let config = KernelConfig::read()
                .map(|c| match c.value("CONFIG_FPROBE") {
                    crate::linux::kernel_config::ConfigValue::NotSet => {
                        format!("CONFIG_FPROBE not set in {}; ", c.source().display())
                    }
                    _ => String::new(),
                })
                .unwrap_or_default();
            Support::No(format!("kprobe.multi: {config}{error}"))
        }
    }
}
