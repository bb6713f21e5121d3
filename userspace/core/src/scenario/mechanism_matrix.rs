//! The mechanism matrix (`--suite mechanisms`): an empty program and a one-counter program on
//! the same event through each attach kind, the cheapest first. Adding a row is one entry here.

use super::{
    AttachKind, Delivery, Hook, ProgramSpec, Scenario, ScenarioSuite, UprobeSite, LIBC, SYSCALL,
};

/// Where `read`'s entry fires through `sys_enter`: every syscall, so the row says so.
const SYS_ENTER_NOTE: &str = "sys_enter fires for every syscall (here the read and the write of \
    each operation, so twice per operation); the cost is per read";

/// Why the fmod_ret rows attach elsewhere than `vfs_read`: the kernel allows fmod_ret only on
/// error-injectable functions (none without CONFIG_FUNCTION_ERROR_INJECTION) and LSM hooks.
const FMOD_RET_NOTE: &str = "fmod_ret runs only on error-injectable functions and LSM hooks: it \
    runs at security_file_permission, which vfs_read calls, and vfs_write too (twice per \
    operation); the cost is per operation";

/// A mechanism row: `programs` through exactly one attach kind (no substitute: a kernel
/// without it reports the row unsupported).
const fn mechanism(
    name: &'static str,
    description: &'static str,
    programs: &'static [ProgramSpec],
    kind: &'static [AttachKind],
    note: &'static str,
) -> Scenario {
    Scenario {
        row: None,
        name,
        description,
        programs,
        attach_preference: kind,
        delivery: Delivery::None,
        suite: ScenarioSuite::Mechanisms,
        note,
    }
}

const KPROBE: &[AttachKind] = &[AttachKind::Kprobe];
const KPROBE_MULTI: &[AttachKind] = &[AttachKind::KprobeMulti];
const FENTRY: &[AttachKind] = &[AttachKind::Fentry];
const RAW: &[AttachKind] = &[AttachKind::RawTracepoint];
const TP_BTF: &[AttachKind] = &[AttachKind::TpBtf];
const FMOD_RET: &[AttachKind] = &[AttachKind::FmodRet];
const UPROBE_MULTI: &[AttachKind] = &[AttachKind::UprobeMulti];
const NOP: Hook = Hook::Site(UprobeSite::Nop);
const NOP5: Hook = Hook::Site(UprobeSite::Nop5);
const PUSH: Hook = Hook::Site(UprobeSite::Push);

/// The mechanism matrix: an empty program and a one-counter program on the same event through
/// each mechanism, the cheapest first.
pub(super) const MECHANISMS: &[Scenario] = &[
    mechanism("tracepoint-empty", "tracepoint:syscalls:sys_enter_read {}", &[ProgramSpec::entry("probe")], SYSCALL, ""),
    mechanism("tracepoint-count", "tracepoint:syscalls:sys_enter_read { @ = count(); }", &[ProgramSpec::entry("map")], SYSCALL, ""),
    mechanism("raw-tracepoint-empty", "rawtracepoint:sys_enter {}", &[ProgramSpec::entry("probe")], RAW, SYS_ENTER_NOTE),
    mechanism("raw-tracepoint-count", "rawtracepoint:sys_enter /arg1 == read/ { @ = count(); }", &[ProgramSpec::entry("map")], RAW, SYS_ENTER_NOTE),
    mechanism("tp-btf-empty", "tp_btf:sys_enter {}", &[ProgramSpec::entry("probe")], TP_BTF, SYS_ENTER_NOTE),
    mechanism("tp-btf-count", "tp_btf:sys_enter /arg1 == read/ { @ = count(); }", &[ProgramSpec::entry("map")], TP_BTF, SYS_ENTER_NOTE),
    mechanism("kprobe-empty", "kprobe:vfs_read {}", &[ProgramSpec::entry("probe")], KPROBE, ""),
    mechanism("kprobe-count", "kprobe:vfs_read { @ = count(); }", &[ProgramSpec::entry("map")], KPROBE, ""),
    mechanism("kretprobe-empty", "kretprobe:vfs_read {}", &[ProgramSpec::ret("retprobe")], KPROBE, ""),
    mechanism("kretprobe-count", "kretprobe:vfs_read { @ = count(); }", &[ProgramSpec::ret("map_return")], KPROBE, ""),
    mechanism("kprobe-multi-empty", "kprobe:vfs_read {} (through a kprobe.multi link)", &[ProgramSpec::entry("probe")], KPROBE_MULTI, ""),
    mechanism("kprobe-multi-count", "kprobe:vfs_read { @ = count(); } (through a kprobe.multi link)", &[ProgramSpec::entry("map")], KPROBE_MULTI, ""),
    mechanism("kretprobe-multi-empty", "kretprobe:vfs_read {} (through a kprobe.multi link)", &[ProgramSpec::ret("retprobe")], KPROBE_MULTI, ""),
    mechanism("kretprobe-multi-count", "kretprobe:vfs_read { @ = count(); } (through a kprobe.multi link)", &[ProgramSpec::ret("map_return")], KPROBE_MULTI, ""),
    mechanism("fentry-empty", "fentry:vfs_read {}", &[ProgramSpec::entry("probe")], FENTRY, ""),
    mechanism("fentry-count", "fentry:vfs_read { @ = count(); }", &[ProgramSpec::entry("map")], FENTRY, ""),
    mechanism("fexit-empty", "fexit:vfs_read {}", &[ProgramSpec::ret("retprobe")], FENTRY, ""),
    mechanism("fexit-count", "fexit:vfs_read { @ = count(); }", &[ProgramSpec::ret("map_return")], FENTRY, ""),
    mechanism("fmod-ret-empty", "fmod_ret:security_file_permission {}", &[ProgramSpec::entry("probe")], FMOD_RET, FMOD_RET_NOTE),
    mechanism("fmod-ret-count", "fmod_ret:security_file_permission { @ = count(); }", &[ProgramSpec::entry("map")], FMOD_RET, FMOD_RET_NOTE),
    mechanism("uprobe-libc-empty", "uprobe:libc:read {}", &[ProgramSpec::at("probe", Hook::LibcReadEntry)], LIBC, ""),
    mechanism("uprobe-libc-count", "uprobe:libc:read { @ = count(); }", &[ProgramSpec::at("map", Hook::LibcReadEntry)], LIBC, ""),
    mechanism("uretprobe-libc-empty", "uretprobe:libc:read {}", &[ProgramSpec::at("retprobe", Hook::LibcReadReturn)], LIBC, ""),
    mechanism("uretprobe-libc-count", "uretprobe:libc:read { @ = count(); }", &[ProgramSpec::at("map_return", Hook::LibcReadReturn)], LIBC, ""),
    mechanism("uprobe-multi-libc-empty", "uprobe:libc:read {} (through a uprobe.multi link)", &[ProgramSpec::at("probe", Hook::LibcReadEntry)], UPROBE_MULTI, ""),
    mechanism("uprobe-multi-libc-count", "uprobe:libc:read { @ = count(); } (through a uprobe.multi link)", &[ProgramSpec::at("map", Hook::LibcReadEntry)], UPROBE_MULTI, ""),
    mechanism("uprobe-nop-empty", "uprobe:probecost:probecost_site_nop {}", &[ProgramSpec::at("probe", NOP)], LIBC,
        "a site of probecost's that starts with a 1-byte nop, called once per operation"),
    mechanism("uprobe-nop-count", "uprobe:probecost:probecost_site_nop { @ = count(); }", &[ProgramSpec::at("map", NOP)], LIBC,
        "a site of probecost's that starts with a 1-byte nop, called once per operation"),
    mechanism("uprobe-nop5-empty", "uprobe:probecost:probecost_site_nop5 {}", &[ProgramSpec::at("probe", NOP5)], LIBC,
        "a site of probecost's that starts with a 5-byte nop (USDT-style), called once per operation"),
    mechanism("uprobe-nop5-count", "uprobe:probecost:probecost_site_nop5 { @ = count(); }", &[ProgramSpec::at("map", NOP5)], LIBC,
        "a site of probecost's that starts with a 5-byte nop (USDT-style), called once per operation"),
    mechanism("uprobe-push-empty", "uprobe:probecost:probecost_site_push {}", &[ProgramSpec::at("probe", PUSH)], LIBC,
        "a site of probecost's that starts with push %rbp, called once per operation"),
    mechanism("uprobe-push-count", "uprobe:probecost:probecost_site_push { @ = count(); }", &[ProgramSpec::at("map", PUSH)], LIBC,
        "a site of probecost's that starts with push %rbp, called once per operation"),
];
