//! What an attached set counted: its counting programs' per-CPU maps, summed, per syscall where
//! the mechanism tells syscalls apart.

use aya::{
    maps::{MapData, PerCpuArray},
    Ebpf,
};
use probecost_common::{map_names, probe_sets::MAX_SYSCALLS};

use super::attached::{load_error, AttachedSet};
use probecost_core::{
    error::{error_chain, Error},
    probe_set::{Mechanism, Probe},
};

/// Activations counted while a set was attached.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Activations {
    /// All of the set's activations.
    pub total: u64,
    /// Per probe, where the mechanism tells probes apart (tracepoints, syscalls).
    pub per_probe: Vec<(String, u64)>,
}

fn is_syscall_tracepoint(probe: &Probe) -> bool {
    matches!(probe, Probe::Tracepoint { category, .. } if category == "syscalls")
}

/// The per-CPU counter array `name` of `ebpf`.
fn counters<'a>(
    ebpf: &'a Ebpf,
    name: &str,
) -> probecost_core::error::Result<PerCpuArray<&'a MapData, u64>> {
    let map = ebpf
        .map(name)
        .ok_or_else(|| Error::operation(format!("map {name} is not in the eBPF object")))?;
    PerCpuArray::try_from(map).map_err(|e| load_error(name, &e))
}

/// Slot `index` of a per-CPU counter array, summed over the CPUs.
fn total(
    counters: &PerCpuArray<&MapData, u64>,
    name: &str,
    index: u32,
) -> probecost_core::error::Result<u64> {
    let values = counters
        .get(&index, 0)
        .map_err(|e| Error::operation(format!("reading {name}[{index}]: {}", error_chain(&e))))?;
    Ok(values.iter().sum())
}

impl AttachedSet {
    /// Activations counted so far.
    pub fn activations(&self) -> probecost_core::error::Result<Activations> {
        let mut activations = Activations::default();
        // Per syscall: the selected numbers for the raw programs, every number for syscall
        // tracepoints (their programs count whichever fires); nothing for other sets.
        let syscalls: Vec<(u32, bool)> = match self.set.mechanism {
            Mechanism::RawSyscalls => self
                .set
                .probes
                .iter()
                .filter_map(|p| match p {
                    Probe::Syscall { nr, exit } => Some((*nr, *exit)),
                    _ => None,
                })
                .collect(),
            Mechanism::PerfEvent if self.set.probes.iter().any(is_syscall_tracepoint) => (0
                ..MAX_SYSCALLS)
                .flat_map(|nr| [(nr, false), (nr, true)])
                .collect(),
            _ => Vec::new(),
        };
        if !syscalls.is_empty() {
            let ebpf = &self.object;
            let enters = counters(ebpf, map_names::SYSCALL_ENTERS)?;
            let exits = counters(ebpf, map_names::SYSCALL_EXITS)?;
            for (nr, exit) in syscalls {
                let count = if exit {
                    total(&exits, map_names::SYSCALL_EXITS, nr)?
                } else {
                    total(&enters, map_names::SYSCALL_ENTERS, nr)?
                };
                activations.total += count;
                if count > 0 {
                    let side = if exit { "exit" } else { "enter" };
                    activations
                        .per_probe
                        .push((format!("syscall {nr} {side}"), count));
                }
            }
        }
        if self.set.mechanism != Mechanism::RawSyscalls {
            let counts = counters(&self.object, map_names::ACTIVATIONS_TOTAL)?;
            activations.total += total(&counts, map_names::ACTIVATIONS_TOTAL, 0)?;
        }
        Ok(activations)
    }
}
