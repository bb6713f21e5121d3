//! Opening and loading a BPF object with libbpf: CO-RE relocations against the running
//! kernel's BTF, BTF-defined maps, and only the programs asked for.

use std::{collections::HashSet, path::Path};

use libbpf_rs::{Object, ObjectBuilder, OpenObject, ProgramAttachType};

use super::messages;

/// Why an object could not be opened or loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file is not an ELF object for the BPF machine.
    #[error("{path} is not a BPF object ({why}); compile it with `clang -target bpf -O2 -g -c`")]
    NotBpfObject {
        /// The file.
        path: String,
        /// What it is instead.
        why: String,
    },
    /// The file cannot be read.
    #[error("cannot read {path}: {error}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// libbpf could not open or parse the object.
    #[error("libbpf cannot open {object}: {error}")]
    Open {
        /// The object.
        object: String,
        /// libbpf's error and messages.
        error: String,
    },
    /// A program asked for is not in the object.
    #[error("no program `{program}` in {object}; it has: {available}")]
    NoSuchProgram {
        /// The name asked for.
        program: String,
        /// The object.
        object: String,
        /// The programs it has.
        available: String,
    },
    /// The kernel's verifier refused a program.
    #[error("the kernel's verifier rejected program `{program}` of {object}: {error}")]
    VerifierRejected {
        /// The object.
        object: String,
        /// The program.
        program: String,
        /// libbpf's error.
        error: String,
        /// The verifier's log.
        log: String,
    },
    /// Loading failed for another reason (a map, a relocation, a missing kernel feature).
    #[error("libbpf could not load {object}: {error}")]
    Load {
        /// The object.
        object: String,
        /// libbpf's error and its last messages.
        error: String,
    },
}

/// A program to load, and the attach type to load it for when its `SEC()` does not say
/// (a `kprobe/` program loaded for a kprobe.multi link).
#[derive(Clone, Debug)]
pub struct ProgramChoice<'a> {
    /// Its name in the object (the C function's name).
    pub name: &'a str,
    /// The expected attach type to load it with, if not its section's.
    pub attach_type: Option<ProgramAttachType>,
}

/// Checks that `path` holds an ELF object for the BPF machine, before libbpf sees it.
pub fn check_bpf_elf(path: &Path) -> Result<(), LoadError> {
    const ELF_MAGIC: &[u8] = b"\x7fELF";
    const EM_BPF: u16 = 247;
    let not_bpf = |why: String| LoadError::NotBpfObject {
        path: path.display().to_string(),
        why,
    };
    let bytes = std::fs::read(path).map_err(|error| LoadError::Unreadable {
        path: path.display().to_string(),
        error,
    })?;
    if bytes.len() < 20 || &bytes[..4] != ELF_MAGIC {
        return Err(not_bpf("not an ELF file".into()));
    }
    let machine = match bytes[5] {
        2 => u16::from_be_bytes([bytes[18], bytes[19]]),
        _ => u16::from_le_bytes([bytes[18], bytes[19]]),
    };
    if machine != EM_BPF {
        return Err(not_bpf(format!(
            "an ELF file for machine {machine}, not BPF ({EM_BPF})"
        )));
    }
    Ok(())
}

/// Opens the object in `bytes` (named `origin` in errors).
pub fn open_memory(origin: &str, bytes: &[u8]) -> Result<OpenObject, LoadError> {
    messages::capture();
    messages::take();
    ObjectBuilder::default()
        .name(origin)
        .and_then(|builder| builder.open_memory(bytes))
        .map_err(|e| LoadError::Open {
            object: origin.into(),
            error: messages::with_last_lines(&e, &messages::take(), 2),
        })
}

/// Opens the object file at `path`.
pub fn open_file(path: &Path) -> Result<OpenObject, LoadError> {
    check_bpf_elf(path)?;
    messages::capture();
    messages::take();
    ObjectBuilder::default()
        .open_file(path)
        .map_err(|e| LoadError::Open {
            object: path.display().to_string(),
            error: messages::with_last_lines(&e, &messages::take(), 2),
        })
}

/// The names of the object's programs, in the object's order.
pub fn program_names(open: &OpenObject) -> Vec<String> {
    open.progs()
        .map(|p| p.name().to_string_lossy().into_owned())
        .collect()
}

/// Loads `chosen` programs of `open` (the others stay out of the kernel) and every map.
pub fn load(
    mut open: OpenObject,
    origin: &str,
    chosen: &[ProgramChoice<'_>],
) -> Result<Object, LoadError> {
    let names = program_names(&open);
    let present: HashSet<&str> = names.iter().map(String::as_str).collect();
    if let Some(missing) = chosen.iter().find(|c| !present.contains(c.name)) {
        return Err(LoadError::NoSuchProgram {
            program: missing.name.into(),
            object: origin.into(),
            available: names.join(", "),
        });
    }
    for mut program in open.progs_mut() {
        let name = program.name().to_string_lossy().into_owned();
        let choice = chosen.iter().find(|c| c.name == name);
        program.set_autoload(choice.is_some());
        if let Some(attach_type) = choice.and_then(|c| c.attach_type.clone()) {
            program.set_attach_type(attach_type);
        }
    }
    messages::take();
    open.load().map_err(|e| {
        let logged = messages::take();
        match messages::rejected_load(&logged) {
            Some(rejected) => LoadError::VerifierRejected {
                object: origin.into(),
                program: rejected.program,
                error: e.to_string(),
                log: rejected.verifier_log,
            },
            None => LoadError::Load {
                object: origin.into(),
                error: messages::with_last_lines(&e, &logged, 2),
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_bpf_elf_files_pass_the_check() {
        let dir = std::env::temp_dir().join(format!("probecost-elf-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("missing.bpf.o");
        let error = check_bpf_elf(&missing).unwrap_err().to_string();
        assert!(error.starts_with("cannot read "), "{error}");
        let text = dir.join("x.bpf.o");
        std::fs::write(&text, "not an object").unwrap();
        let error = check_bpf_elf(&text).unwrap_err().to_string();
        assert!(error.contains("not an ELF file"), "{error}");
        let exe = std::env::current_exe().unwrap();
        let error = check_bpf_elf(&exe).unwrap_err().to_string();
        assert!(error.contains("not BPF"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
