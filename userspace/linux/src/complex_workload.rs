//! Runs `workload` (Benchmark 2) on Linux: the talk's probe sets resolved for this kernel
//! (kprobes on the build's file system and VFS as in the talk where the kernel has them, the
//! nearest tracepoint sets otherwise, labelled as substitutes), attached with probecost's
//! counting programs around each run of the command.

use std::{
    path::Path,
    process::{Command, Stdio},
    sync::atomic::{AtomicBool, Ordering},
    thread,
    time::{Duration, Instant},
};

use super::{
    file_system::FileSystem,
    probe_sets::{resolve, AttachedSet},
    KernelFeatures, Support,
};
use probecost_core::{
    benchmark::run_order::{self, Side},
    complex_workload::{
        ComplexWorkloadBackend, SetUsed, TimedCommand, WorkloadResult, WorkloadScenario,
    },
    error::Error,
    probe_set::{Mechanism, Probe, ProbeSet, ProbeSetKind},
    scenario::AttachKind,
    stats,
};

/// `workload` on Linux: the sets attached with probecost's counting programs.
pub struct LinuxComplexWorkload {
    features: KernelFeatures,
    stop: &'static AtomicBool,
    prepared: Vec<ResolvedScenario>,
}

impl LinuxComplexWorkload {
    /// A backend for the kernel `features` describe, stopping early once `stop` is set.
    pub fn new(features: KernelFeatures, stop: &'static AtomicBool) -> Self {
        Self {
            features,
            stop,
            prepared: Vec::new(),
        }
    }
}

impl ComplexWorkloadBackend for LinuxComplexWorkload {
    fn prepare(
        &mut self,
        scenarios: &[WorkloadScenario],
        dir: &Path,
        kprobe_mechanism: Mechanism,
    ) -> probecost_core::error::Result<()> {
        self.prepared = prepare(scenarios, &self.features, dir, kprobe_mechanism)?;
        Ok(())
    }

    fn measure(
        &mut self,
        command: &TimedCommand,
        runs: usize,
        on_run: &mut dyn FnMut(&str, f64),
    ) -> probecost_core::error::Result<Vec<WorkloadResult>> {
        measure(command, &self.prepared, runs, self.stop, on_run)
    }
}

/// A scenario with its sets resolved.
struct ResolvedScenario {
    /// The scenario.
    pub scenario: WorkloadScenario,
    /// Each set as it will attach.
    pub sets: Vec<(SetUsed, ProbeSet)>,
}

/// Entry and exit of the syscalls `names` this architecture has (aarch64 has no `creat`),
/// by the syscall table compiled into probecost.
fn syscall_set(names: &[&str]) -> ProbeSet {
    ProbeSet {
        kind: ProbeSetKind::Syscalls { entry_only: false },
        mechanism: Mechanism::RawSyscalls,
        probes: names
            .iter()
            .filter_map(|name| name.parse::<syscalls::Sysno>().ok())
            .flat_map(|sysno| {
                [false, true].map(|exit| Probe::Syscall {
                    nr: sysno.id() as u32,
                    exit,
                })
            })
            .collect(),
        notes: Vec::new(),
    }
}

fn kprobe_functions(
    functions: &[String],
    features: &KernelFeatures,
    mechanism: Mechanism,
) -> probecost_core::error::Result<ProbeSet> {
    let mut probes = Vec::new();
    for function in functions {
        probes.extend(
            resolve(
                &ProbeSetKind::Kprobes {
                    glob: function.clone(),
                },
                Some(mechanism),
                features,
            )?
            .probes,
        );
    }
    Ok(ProbeSet {
        kind: ProbeSetKind::Kprobes {
            glob: functions.join(","),
        },
        mechanism,
        probes,
        notes: Vec::new(),
    })
}

fn tracepoint_globs(
    globs: &[&str],
    features: &KernelFeatures,
) -> probecost_core::error::Result<ProbeSet> {
    let kind = ProbeSetKind::Tracepoints {
        globs: globs.iter().map(|g| g.to_string()).collect(),
    };
    let mut set = resolve(&kind, Some(Mechanism::RawTracepoint), features)?;
    // Syscall and ftrace events have no raw tracepoint; name globs across categories skip them.
    set.probes.retain(|p| {
        !matches!(p, Probe::Tracepoint { category, .. } if category == "syscalls" || category == "ftrace")
    });
    Ok(set)
}

/// Resolves one set of a scenario: a block name of the talk, or any probe-set kind.
fn resolve_set(
    name: &str,
    features: &KernelFeatures,
    fs: &FileSystem,
    kprobe_mechanism: Mechanism,
) -> probecost_core::error::Result<(SetUsed, ProbeSet)> {
    let kprobes = match features.support(AttachKind::Kprobe) {
        Support::Yes => None,
        Support::No(reason) => Some(reason.clone()),
    };
    let substitute = |what: &str| {
        kprobes
            .as_ref()
            .map(|why| format!("{why}; nearest tracepoint set instead: {what}"))
    };
    let fs_functions = |fs: &str, extra: &[&str]| -> Vec<String> {
        std::iter::once(format!("{fs}_*"))
            .chain(extra.iter().map(|e| e.to_string()))
            .collect()
    };
    let (set, reason) = match name {
        "fbt-fs" | "fbt-fs-a" | "fbt-fs-abv" => {
            let prefixes: &[&str] = match name {
                "fbt-fs" => &[],
                "fbt-fs-a" => &["a*"],
                _ => &["a*", "b*", "v*"],
            };
            let fs = fs.probe_prefix()?;
            if kprobes.is_none() {
                (
                    kprobe_functions(&fs_functions(fs, prefixes), features, kprobe_mechanism)?,
                    None,
                )
            } else {
                let fs_glob = format!("{fs}:*");
                let mut globs = vec![fs_glob.as_str()];
                let named: Vec<String> = prefixes.iter().map(|p| format!("*:{p}")).collect();
                globs.extend(named.iter().map(String::as_str));
                (
                    tracepoint_globs(&globs, features)?,
                    substitute(&format!("tracepoints {}", globs.join(" "))),
                )
            }
        }
        "fbt-fs-occ" => {
            if kprobes.is_none() {
                let fs = fs.probe_prefix()?;
                let functions = [
                    format!("{fs}_file_open"),
                    format!("{fs}_release_file"),
                    format!("{fs}_create"),
                    "fput".to_string(),
                ];
                (
                    kprobe_functions(&functions, features, kprobe_mechanism)?,
                    None,
                )
            } else {
                (
                    syscall_set(&["openat", "close", "creat"]),
                    substitute("openat, close, creat syscall entry and exit"),
                )
            }
        }
        "syscall-all" | "syscall-entry" => (
            resolve(
                &ProbeSetKind::Syscalls {
                    entry_only: name == "syscall-entry",
                },
                Some(Mechanism::RawSyscalls),
                features,
            )?,
            None,
        ),
        "vfs-all" => {
            if kprobes.is_none() {
                (
                    kprobe_functions(&["vfs_*".into()], features, kprobe_mechanism)?,
                    None,
                )
            } else {
                let globs = ["filemap:*", "writeback:*", "block:*"];
                (
                    tracepoint_globs(&globs, features)?,
                    substitute("tracepoints filemap:* writeback:* block:*"),
                )
            }
        }
        "vfs-wroc" => {
            if kprobes.is_none() {
                let functions =
                    ["vfs_write", "vfs_read", "vfs_open", "filp_close"].map(String::from);
                (
                    kprobe_functions(&functions, features, kprobe_mechanism)?,
                    None,
                )
            } else {
                (
                    syscall_set(&["read", "write", "openat", "close"]),
                    substitute("read, write, openat, close syscall entry and exit"),
                )
            }
        }
        "sched-all" => (tracepoint_globs(&["sched:*"], features)?, None),
        other => {
            let kind = ProbeSetKind::parse(other)?;
            let mechanism = match kind {
                ProbeSetKind::Tracepoints { .. } => Some(Mechanism::RawTracepoint),
                ProbeSetKind::Syscalls { .. } => Some(Mechanism::RawSyscalls),
                ProbeSetKind::Kprobes { .. } => Some(kprobe_mechanism),
                _ => None,
            };
            (resolve(&kind, mechanism, features)?, None)
        }
    };
    if set.probes.is_empty() {
        return Err(probecost_core::error::Error::from(format!(
            "set `{name}` resolved to no probe on this machine"
        )));
    }
    let used = SetUsed {
        set: name.to_string(),
        probes: set.kind.describe(),
        mechanism: set.mechanism.name().to_string(),
        count: set.probes.len(),
        substitution_reason: reason,
        attach_ms: None,
        detach_ms: None,
        activations: None,
    };
    Ok((used, set))
}

/// Resolves every scenario and attaches and detaches each of its sets once, so an unknown
/// glob or a set the kernel cannot attach fails before anything is timed. Kprobe sets attach
/// through `kprobe_mechanism`: one perf event per function, or kprobe.multi links.
fn prepare(
    scenarios: &[WorkloadScenario],
    features: &KernelFeatures,
    build_dir: &Path,
    kprobe_mechanism: Mechanism,
) -> probecost_core::error::Result<Vec<ResolvedScenario>> {
    let fs = FileSystem::of(build_dir)?;
    let mut resolved = Vec::new();
    for scenario in scenarios {
        let sets = scenario
            .sets
            .iter()
            .map(|name| {
                resolve_set(name, features, &fs, kprobe_mechanism)
                    .map_err(|e| format!("scenario {}: set `{name}`: {e}", scenario.name))
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (used, set) in &sets {
            AttachedSet::attach(set)
                .and_then(AttachedSet::detach)
                .map_err(|e| format!("scenario {}: set `{}`: {e}", scenario.name, used.set))?;
        }
        resolved.push(ResolvedScenario {
            scenario: scenario.clone(),
            sets,
        });
    }
    Ok(resolved)
}

fn run_quiet(
    argv: &[String],
    dir: &Path,
    stop: &AtomicBool,
) -> probecost_core::error::Result<Duration> {
    let started = Instant::now();
    let mut child = Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(Error::io(format!("cannot run `{}`", argv.join(" "))))?;
    loop {
        if let Some(status) = child
            .try_wait()
            .map_err(Error::io("waiting for the command"))?
        {
            let took = started.elapsed();
            if !status.success() {
                return Err(Error::operation(format!(
                    "`{}` failed: {status}",
                    argv.join(" ")
                )));
            }
            return Ok(took);
        }
        if stop.load(Ordering::Relaxed) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::Interrupted);
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Times the command untraced and under each scenario, `runs` rounds, the order of the
/// scenarios alternating direction between rounds.
fn measure(
    command: &TimedCommand,
    scenarios: &[ResolvedScenario],
    runs: usize,
    stop: &AtomicBool,
    on_run: &mut dyn FnMut(&str, f64),
) -> probecost_core::error::Result<Vec<WorkloadResult>> {
    let mut results: Vec<WorkloadResult> = std::iter::once(("baseline".to_string(), Vec::new()))
        .chain(scenarios.iter().map(|s| {
            (
                s.scenario.name.clone(),
                s.sets.iter().map(|(u, _)| u.clone()).collect(),
            )
        }))
        .map(|(name, sets): (String, Vec<SetUsed>)| WorkloadResult {
            probes: sets.iter().map(|s| s.count).sum(),
            name,
            sets,
            runs_s: Vec::new(),
            best_s: None,
            median_s: None,
            slowdown_pct: None,
            activations: None,
            ns_per_activation: None,
            attach_ms: None,
            detach_ms: None,
        })
        .collect();
    let mut attach_ms = vec![Vec::new(); results.len()];
    let mut detach_ms = vec![Vec::new(); results.len()];
    // Per scenario, per set: each attach and detach time.
    let mut set_attach_ms: Vec<Vec<Vec<f64>>> = results
        .iter()
        .map(|r| vec![Vec::new(); r.sets.len()])
        .collect();
    let mut set_detach_ms = set_attach_ms.clone();
    'rounds: for round in 0..runs {
        for side in run_order::round(round, scenarios.len()) {
            if stop.load(Ordering::Relaxed) {
                break 'rounds;
            }
            let index = match side {
                Side::Control => 0,
                Side::Traced(i) => i + 1,
            };
            if let Some(reset) = &command.reset {
                // Interrupted during the untimed reset: keep what the finished runs measured.
                match run_quiet(reset, &command.dir, stop) {
                    Err(Error::Interrupted) => break 'rounds,
                    other => {
                        other?;
                    }
                }
            }
            let ms = |since: Instant| since.elapsed().as_secs_f64() * 1e3;
            let mut attached = Vec::new();
            if index > 0 {
                let started = Instant::now();
                for (i, (_, set)) in scenarios[index - 1].sets.iter().enumerate() {
                    let set_started = Instant::now();
                    attached.push(AttachedSet::attach(set)?);
                    set_attach_ms[index][i].push(ms(set_started));
                }
                attach_ms[index].push(ms(started));
            }
            let took = run_quiet(&command.command, &command.dir, stop);
            if index > 0 {
                let mut activations = 0;
                for (i, set) in attached.iter().enumerate() {
                    let counted = set.activations()?.total;
                    results[index].sets[i].activations = Some(counted);
                    activations += counted;
                }
                results[index].activations = Some(activations);
                let started = Instant::now();
                for (i, set) in attached.into_iter().enumerate() {
                    let set_started = Instant::now();
                    set.detach()?;
                    set_detach_ms[index][i].push(ms(set_started));
                }
                detach_ms[index].push(ms(started));
            }
            let took = match took {
                Err(Error::Interrupted) => break 'rounds,
                other => other?,
            };
            results[index].runs_s.push(took.as_secs_f64());
            on_run(&results[index].name, took.as_secs_f64());
        }
    }
    let min = |v: &[f64]| (!v.is_empty()).then(|| stats::min(v));
    let med = |v: &[f64]| (!v.is_empty()).then(|| stats::median(v));
    let (base_best, base_median) = (min(&results[0].runs_s), med(&results[0].runs_s));
    for (i, r) in results.iter_mut().enumerate() {
        r.best_s = min(&r.runs_s);
        r.median_s = med(&r.runs_s);
        r.attach_ms = med(&attach_ms[i]);
        r.detach_ms = med(&detach_ms[i]);
        for (j, set) in r.sets.iter_mut().enumerate() {
            set.attach_ms = med(&set_attach_ms[i][j]);
            set.detach_ms = med(&set_detach_ms[i][j]);
        }
        if i > 0 {
            if let (Some(b), Some(best)) = (base_best, r.best_s) {
                r.slowdown_pct = Some((best - b) / b * 100.0);
            }
            if let (Some(b), Some(m), Some(a)) = (base_median, r.median_s, r.activations) {
                r.ns_per_activation = (a > 0).then(|| (m - b) * 1e9 / a as f64);
            }
        }
    }
    Ok(results)
}
