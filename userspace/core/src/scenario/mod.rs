//! What a scenario is: a row of the talk's Benchmark 1 (or of the mechanism matrix), the eBPF
//! programs that implement it on Linux and the attach kinds they may use. Each tracer's own
//! scripts for it (bpftrace's one-liners, the D programs) live beside that tracer's backend.

mod attach_kind;
mod catalog;
mod mechanism_matrix;

pub use attach_kind::AttachKind;
pub use catalog::ScenarioCatalog;

/// Where in the traced `read` a program runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hook {
    /// Entry of the kernel's read path (`vfs_read`, or the read syscall's entry).
    ReadEntry,
    /// Return of the kernel's read path.
    ReadReturn,
    /// Entry of libc's `read`.
    LibcReadEntry,
    /// Return of libc's `read`.
    LibcReadReturn,
    /// One of probecost's own uprobe sites, which the in-process workload calls once per
    /// operation (`--suite mechanisms`).
    Site(UprobeSite),
}

/// A function of probecost's whose first instruction a uprobe replaces: the three kinds of
/// site the kernel's uprobe benchmarks use (`trig-uprobe-nop`, `-push`, and the 5-byte nop
/// that newer kernels can turn from a trap into a call).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UprobeSite {
    /// Starts with a one-byte `nop`.
    Nop,
    /// Starts with a five-byte `nop` (`nopl 0x0(%rax,%rax,1)`), a USDT-style site.
    Nop5,
    /// Starts with `push %rbp`.
    Push,
}

impl UprobeSite {
    /// The site's symbol in probecost's executable.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Nop => "probecost_site_nop",
            Self::Nop5 => "probecost_site_nop5",
            Self::Push => "probecost_site_push",
        }
    }
}

/// Attach kinds for the kernel's read path: the talk's kprobe, then the substitutes.
const VFS_READ: &[AttachKind] = &[
    AttachKind::Kprobe,
    AttachKind::Fentry,
    AttachKind::SyscallTracepoint,
];
/// The read syscall's tracepoints only.
const SYSCALL: &[AttachKind] = &[AttachKind::SyscallTracepoint];
/// Perf-event uprobes only.
const LIBC: &[AttachKind] = &[AttachKind::Uprobe];

/// One eBPF program of a scenario: its body's name in ebpf/ and where it hooks in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramSpec {
    /// Body name; the kernel program is `<body>_<suffix>`.
    pub body: &'static str,
    /// Where the program runs.
    pub hook: Hook,
}

impl ProgramSpec {
    /// `body` at the entry of the read path.
    pub const fn entry(body: &'static str) -> Self {
        Self::at(body, Hook::ReadEntry)
    }

    /// `body` at the return of the read path.
    pub const fn ret(body: &'static str) -> Self {
        Self::at(body, Hook::ReadReturn)
    }

    /// `body` on `hook`.
    pub const fn at(body: &'static str, hook: Hook) -> Self {
        Self { body, hook }
    }

    /// Name of the program in the eBPF object for `kind`.
    pub fn program_name(&self, kind: AttachKind) -> String {
        format!("{}_{}", self.body, kind.program_suffix(self.hook))
    }
}

/// How a scenario's per-event records reach user space, if it emits any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Nothing leaves the kernel per event.
    None,
    /// One aya-log record per event, formatted by aya-log's user-space logger.
    AyaLog,
    /// One fixed record per event through a BPF ring buffer, formatted by probecost.
    RingBuf,
}

/// A set of scenarios `probecost run` runs together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScenarioSuite {
    /// The talk's Benchmark 1 rows (and `per-event-aya-log`).
    Talk,
    /// The same two bodies (empty, one counter) through every attach mechanism.
    Mechanisms,
}

/// A benchmark scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Row in the talk's Benchmark 1 table; `None` for probecost's own additions.
    pub row: Option<u32>,
    /// Name, exactly as in SCENARIOS.md.
    pub name: &'static str,
    /// What the scenario's programs do, for a reader of the catalog (each tracer's own
    /// scripts live beside its backend).
    pub description: &'static str,
    /// The programs attached while traced (empty for control).
    pub programs: &'static [ProgramSpec],
    /// Attach kinds to try, best first; the first is the talk's.
    pub attach_preference: &'static [AttachKind],
    /// How per-event records leave the kernel.
    pub delivery: Delivery,
    /// The suite it belongs to.
    pub suite: ScenarioSuite,
    /// What a reader of its row needs to know about the mechanism (empty when nothing).
    pub note: &'static str,
}

impl Scenario {
    /// Whether nothing is attached (the control row).
    pub fn is_control(&self) -> bool {
        self.programs.is_empty()
    }

    /// Whether this is one of the talk's bare probes (rows 2-7: an empty program on each probe
    /// type), which the other rows' added cost is measured against.
    pub fn is_bare_probe(&self) -> bool {
        matches!(self.row, Some(2..=7))
    }

    /// The attach points used with `kind`, joined as `a + b`.
    pub fn attach_points(&self, kind: AttachKind) -> String {
        let points: Vec<&str> = self
            .programs
            .iter()
            .map(|p| kind.attach_point(p.hook))
            .collect();
        if points.is_empty() {
            "none".to_string()
        } else {
            points.join(" + ")
        }
    }

    /// The row in the talk's table, or `+` for probecost's own scenarios.
    pub fn row_label(&self) -> String {
        self.row.map_or("+".into(), |r| r.to_string())
    }

    /// The attach points as in the talk.
    pub fn talk_attach_points(&self) -> String {
        match self.attach_preference.first() {
            Some(kind) => self.attach_points(*kind),
            None => "none".to_string(),
        }
    }
}
