//! The tracers probecost measures, by the names its columns, JSON and `--tracer` use.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::palette::Palette;

/// A tracer: probecost's own programs or another tool driven on the same attach points.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Tracer {
    /// probecost's own eBPF programs, loaded with aya (Linux).
    Aya,
    /// bpftrace scripts on the same attach points (Linux).
    Bpftrace,
    /// probecost's programs written in C, compiled by clang and loaded with libbpf (Linux).
    Libbpf,
    /// D programs through libdtrace (FreeBSD).
    Dtrace,
    /// A user's command that loads BPF programs (`measure --tracer-cmd`).
    #[value(skip)]
    Command,
}

impl Tracer {
    /// The name used in columns, JSON, CSV and `--tracer`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Aya => "aya",
            Self::Bpftrace => "bpftrace",
            Self::Libbpf => "libbpf",
            Self::Dtrace => "dtrace",
            Self::Command => "command",
        }
    }

    /// Its colour in every chart.
    pub fn color(self) -> Palette {
        match self {
            Self::Aya => Palette::Blue,
            Self::Bpftrace => Palette::Orange,
            Self::Libbpf => Palette::Purple,
            Self::Dtrace => Palette::Green,
            Self::Command => Palette::Red,
        }
    }

    /// The name in a plot legend or table note: probecost's own programs say so.
    pub fn label(self) -> &'static str {
        match self {
            Self::Aya => "probecost (aya)",
            Self::Bpftrace => "bpftrace",
            Self::Libbpf => "probecost C (libbpf)",
            Self::Dtrace => "DTrace",
            Self::Command => "your command",
        }
    }
}

impl fmt::Display for Tracer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// The aya release probecost's programs are loaded with, for the environment record.
pub const AYA_VERSION: &str = "aya 0.14.0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_the_column_names() {
        for tracer in [
            Tracer::Aya,
            Tracer::Bpftrace,
            Tracer::Libbpf,
            Tracer::Dtrace,
            Tracer::Command,
        ] {
            let json = serde_json::to_string(&tracer).unwrap();
            assert_eq!(json, format!("\"{}\"", tracer.name()));
            assert_eq!(format!("{tracer:<9}|"), format!("{:<9}|", tracer.name()));
        }
    }
}
