//! `probecost measure --attach [PROGRAM=]POINT`: where to attach a program whose `SEC()` name
//! libbpf cannot attach by itself, in bpftrace's spelling.

use std::{fmt, path::PathBuf, str::FromStr};

use libbpf_rs::{Link, ProgramMut, TracepointCategory, UprobeOpts};

/// An attach point given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttachPoint {
    /// `tracepoint:CATEGORY:NAME`.
    Tracepoint {
        /// e.g. `syscalls`.
        category: String,
        /// e.g. `sys_enter_read`.
        name: String,
    },
    /// `rawtracepoint:NAME`.
    RawTracepoint(String),
    /// `kprobe:FUNCTION` or `kretprobe:FUNCTION`.
    Kprobe {
        /// The kernel function.
        function: String,
        /// kretprobe.
        returns: bool,
    },
    /// `uprobe:BINARY:SYMBOL` or `uretprobe:BINARY:SYMBOL`.
    Uprobe {
        /// The executable or library.
        binary: PathBuf,
        /// The function.
        symbol: String,
        /// uretprobe.
        returns: bool,
    },
}

/// The spellings `--attach` accepts, for error messages.
pub const ATTACH_POINT_FORMS: &str = "tracepoint:CATEGORY:NAME, rawtracepoint:NAME, \
     kprobe:FUNCTION, kretprobe:FUNCTION, uprobe:BINARY:SYMBOL, uretprobe:BINARY:SYMBOL";

impl FromStr for AttachPoint {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not an attach point; use one of: {ATTACH_POINT_FORMS}");
        let (kind, rest) = text.split_once(':').ok_or_else(bad)?;
        let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string()).ok_or_else(bad);
        match kind {
            "tracepoint" | "tp" => {
                let (category, name) = rest.split_once(':').ok_or_else(bad)?;
                Ok(Self::Tracepoint {
                    category: nonempty(category)?,
                    name: nonempty(name)?,
                })
            }
            "rawtracepoint" | "raw_tp" => Ok(Self::RawTracepoint(nonempty(rest)?)),
            "kprobe" | "kretprobe" => Ok(Self::Kprobe {
                function: nonempty(rest)?,
                returns: kind == "kretprobe",
            }),
            "uprobe" | "uretprobe" => {
                let (binary, symbol) = rest.rsplit_once(':').ok_or_else(bad)?;
                Ok(Self::Uprobe {
                    binary: PathBuf::from(nonempty(binary)?),
                    symbol: nonempty(symbol)?,
                    returns: kind == "uretprobe",
                })
            }
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for AttachPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tracepoint { category, name } => write!(f, "tracepoint:{category}:{name}"),
            Self::RawTracepoint(name) => write!(f, "rawtracepoint:{name}"),
            Self::Kprobe { function, returns } => {
                let kind = if *returns { "kretprobe" } else { "kprobe" };
                write!(f, "{kind}:{function}")
            }
            Self::Uprobe {
                binary,
                symbol,
                returns,
            } => {
                let kind = if *returns { "uretprobe" } else { "uprobe" };
                write!(f, "{kind}:{}:{symbol}", binary.display())
            }
        }
    }
}

impl AttachPoint {
    /// Attaches `program` here.
    pub fn attach(&self, program: &ProgramMut<'_>) -> libbpf_rs::Result<Link> {
        match self {
            Self::Tracepoint { category, name } => program
                .attach_tracepoint(TracepointCategory::Custom(category.clone()), name.as_str()),
            Self::RawTracepoint(name) => program.attach_raw_tracepoint(name),
            Self::Kprobe { function, returns } => program.attach_kprobe(*returns, function),
            Self::Uprobe {
                binary,
                symbol,
                returns,
            } => program.attach_uprobe_with_opts(
                -1,
                binary,
                0,
                UprobeOpts {
                    retprobe: *returns,
                    func_name: Some(symbol.clone()),
                    ..Default::default()
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bpftrace_spellings_and_refuses_the_rest() {
        for text in [
            "tracepoint:syscalls:sys_enter_read",
            "rawtracepoint:sys_enter",
            "kprobe:vfs_read",
            "kretprobe:vfs_read",
            "uprobe:/lib/x86_64-linux-gnu/libc.so.6:read",
            "uretprobe:/bin/true:main",
        ] {
            let point: AttachPoint = text.parse().unwrap();
            assert_eq!(point.to_string(), text);
        }
        for text in [
            "vfs_read",
            "kprobe:",
            "tracepoint:syscalls",
            "fentry:vfs_read",
        ] {
            let error = text.parse::<AttachPoint>().unwrap_err();
            assert!(error.contains("is not an attach point"), "{error}");
        }
    }
}
