//! A resolved probe set attached with probecost's counting programs (ebpf/src/probe_sets.rs),
//! held by owned links: dropping the set detaches it, and so does the death of the process.

use aya::{
    maps::Array,
    programs::{KProbe, RawTracePoint, TracePoint, UProbe},
    Ebpf,
};
use aya_obj::generated::{bpf_attach_type, bpf_prog_type};
use probecost_common::{
    map_names,
    probe_sets::{MAX_SYSCALLS, SELECT_ENTER, SELECT_EXIT},
};

use crate::{
    btf_functions::BtfFunctions,
    object,
    programs::{attach_kprobe_multi, attach_tracing, LoadAs, OwnedLink, RelocatedProgram},
};
use probecost_core::error::Error;
use probecost_core::{
    error::error_chain,
    probe_set::{Mechanism, Probe, ProbeSet},
};

/// The set in the kernel. Field order is drop order: links first, then programs and maps.
pub struct AttachedSet {
    links: Vec<OwnedLink>,
    /// The counting programs and maps; every link of the set counts into its maps.
    pub(super) object: Ebpf,
    pub(super) set: ProbeSet,
}

fn attach_error(probe: &Probe, error: &dyn std::error::Error) -> Error {
    Error::Operation(format!(
        "cannot attach {}: {}",
        probe.bpftrace_name(),
        error_chain(error)
    ))
}

pub(super) fn load_error(what: &str, error: &dyn std::error::Error) -> Error {
    Error::Operation(format!("cannot load {what}: {}", error_chain(error)))
}

fn fresh_object() -> probecost_core::error::Result<Ebpf> {
    object::load().map_err(|e| Error::operation(e.to_string()))
}

impl AttachedSet {
    /// Loads the counting program for the set's mechanism and attaches it to every probe.
    /// On error, whatever was attached is detached again (by drop) before returning.
    pub fn attach(set: &ProbeSet) -> probecost_core::error::Result<Self> {
        let mut attached = Self {
            links: Vec::with_capacity(set.probes.len()),
            object: fresh_object()?,
            set: set.clone(),
        };
        match set.mechanism {
            Mechanism::PerfEvent => attached.attach_tracepoints()?,
            Mechanism::RawTracepoint => attached.attach_raw_tracepoints()?,
            Mechanism::RawSyscalls => attached.attach_raw_syscalls()?,
            Mechanism::Kprobe => attached.attach_kprobes()?,
            Mechanism::KprobeMulti => attached.attach_kprobe_multi()?,
            Mechanism::Uprobe => attached.attach_uprobes()?,
            Mechanism::Fentry => attached.attach_fentries()?,
        }
        Ok(attached)
    }

    /// Number of attachments (links) in the kernel.
    pub fn links(&self) -> usize {
        self.links.len()
    }

    fn program_mut<'a, T>(
        ebpf: &'a mut Ebpf,
        name: &str,
    ) -> probecost_core::error::Result<&'a mut T>
    where
        &'a mut T: TryFrom<&'a mut aya::programs::Program, Error = aya::programs::ProgramError>,
    {
        let program = ebpf.program_mut(name).ok_or_else(|| {
            Error::operation(format!("program `{name}` is not in the eBPF object"))
        })?;
        program.try_into().map_err(|e| load_error(name, &e))
    }

    fn attach_tracepoints(&mut self) -> probecost_core::error::Result<()> {
        // Syscall tracepoints get the programs that count per syscall number.
        let program_for = |category: &str, name: &str| match (category, name) {
            ("syscalls", n) if n.starts_with("sys_enter_") => "count_syscall_enter_tp",
            ("syscalls", n) if n.starts_with("sys_exit_") => "count_syscall_exit_tp",
            _ => "count_tracepoint",
        };
        for program_name in [
            "count_tracepoint",
            "count_syscall_enter_tp",
            "count_syscall_exit_tp",
        ] {
            let probes: Vec<&Probe> = self
                .set
                .probes
                .iter()
                .filter(|p| {
                    matches!(p, Probe::Tracepoint { category, name } if program_for(category, name) == program_name)
                })
                .collect();
            if probes.is_empty() {
                continue;
            }
            let program: &mut TracePoint = Self::program_mut(&mut self.object, program_name)?;
            program.load().map_err(|e| load_error(program_name, &e))?;
            for probe in probes {
                let Probe::Tracepoint { category, name } = probe else {
                    continue;
                };
                let id = program
                    .attach(category, name)
                    .map_err(|e| attach_error(probe, &e))?;
                let link = program.take_link(id).map_err(|e| attach_error(probe, &e))?;
                self.links.push(OwnedLink::Tracepoint(link));
            }
        }
        Ok(())
    }

    fn attach_raw_tracepoints(&mut self) -> probecost_core::error::Result<()> {
        let program: &mut RawTracePoint =
            Self::program_mut(&mut self.object, "count_raw_tracepoint")?;
        program
            .load()
            .map_err(|e| load_error("count_raw_tracepoint", &e))?;
        for probe in &self.set.probes {
            let Probe::Tracepoint { name, .. } = probe else {
                continue;
            };
            let id = program.attach(name).map_err(|e| attach_error(probe, &e))?;
            let link = program.take_link(id).map_err(|e| attach_error(probe, &e))?;
            self.links.push(OwnedLink::RawTracepoint(link));
        }
        Ok(())
    }

    fn attach_raw_syscalls(&mut self) -> probecost_core::error::Result<()> {
        let mut selected = vec![0u8; MAX_SYSCALLS as usize];
        for probe in &self.set.probes {
            if let Probe::Syscall { nr, exit } = probe {
                if let Some(bits) = selected.get_mut(*nr as usize) {
                    *bits |= if *exit { SELECT_EXIT } else { SELECT_ENTER };
                }
            }
        }
        {
            let ebpf = &mut self.object;
            let map = ebpf.map_mut(map_names::SYSCALLS_SELECTED).ok_or_else(|| {
                Error::operation("map SYSCALLS_SELECTED is not in the eBPF object")
            })?;
            let mut array =
                Array::<_, u8>::try_from(map).map_err(|e| load_error("SYSCALLS_SELECTED", &e))?;
            for (nr, bits) in selected.iter().enumerate().filter(|(_, b)| **b != 0) {
                array
                    .set(nr as u32, *bits, 0)
                    .map_err(|e| load_error("SYSCALLS_SELECTED", &e))?;
            }
        }
        let wants_exit = selected.iter().any(|b| b & SELECT_EXIT != 0);
        let hooks: &[(&str, &str)] = if wants_exit {
            &[
                ("count_raw_sys_enter", "sys_enter"),
                ("count_raw_sys_exit", "sys_exit"),
            ]
        } else {
            &[("count_raw_sys_enter", "sys_enter")]
        };
        for (program_name, tracepoint) in hooks {
            let program: &mut RawTracePoint = Self::program_mut(&mut self.object, program_name)?;
            program.load().map_err(|e| load_error(program_name, &e))?;
            let id = program
                .attach(tracepoint)
                .map_err(|e| load_error(&format!("raw_syscalls:{tracepoint}"), &e))?;
            let link = program
                .take_link(id)
                .map_err(|e| load_error(&format!("raw_syscalls:{tracepoint}"), &e))?;
            self.links.push(OwnedLink::RawTracepoint(link));
        }
        Ok(())
    }

    fn attach_kprobes(&mut self) -> probecost_core::error::Result<()> {
        for (program_name, returns) in [("count_kprobe", false), ("count_kretprobe", true)] {
            let program: &mut KProbe = Self::program_mut(&mut self.object, program_name)?;
            program.load().map_err(|e| load_error(program_name, &e))?;
            for probe in &self.set.probes {
                let Probe::Kprobe { function, ret } = probe else {
                    continue;
                };
                if *ret != returns {
                    continue;
                }
                let id = program
                    .attach(function, 0)
                    .map_err(|e| attach_error(probe, &e))?;
                let link = program.take_link(id).map_err(|e| attach_error(probe, &e))?;
                self.links.push(OwnedLink::Kprobe(link));
            }
        }
        Ok(())
    }

    fn attach_kprobe_multi(&mut self) -> probecost_core::error::Result<()> {
        for (program_name, returns) in [("count_kprobe", false), ("count_kretprobe", true)] {
            let functions: Vec<String> = self
                .set
                .probes
                .iter()
                .filter_map(|p| match p {
                    Probe::Kprobe { function, ret } if *ret == returns => Some(function.clone()),
                    _ => None,
                })
                .collect();
            if functions.is_empty() {
                continue;
            }
            let link = attach_kprobe_multi(&self.object, program_name, &functions, returns)?;
            self.links.push(OwnedLink::Fd(link));
        }
        Ok(())
    }

    fn attach_uprobes(&mut self) -> probecost_core::error::Result<()> {
        let program: &mut UProbe = Self::program_mut(&mut self.object, "count_uprobe")?;
        program.load().map_err(|e| load_error("count_uprobe", &e))?;
        for probe in &self.set.probes {
            let Probe::Uprobe { path, symbol } = probe else {
                continue;
            };
            let id = program
                .attach(
                    symbol.as_str(),
                    path,
                    aya::programs::uprobe::UProbeScope::AllProcesses,
                )
                .map_err(|e| attach_error(probe, &e))?;
            let link = program.take_link(id).map_err(|e| attach_error(probe, &e))?;
            self.links.push(OwnedLink::Uprobe(link));
        }
        Ok(())
    }

    fn attach_fentries(&mut self) -> probecost_core::error::Result<()> {
        // An fentry program is verified against one function's BTF, so each function gets a
        // copy of the program; all copies share the first object's maps.
        let btf = BtfFunctions::kernel()?;
        let program = RelocatedProgram::new(object::bytes(), &self.object, "count_fentry")?;
        for probe in &self.set.probes {
            let Probe::Fentry { function } = probe else {
                continue;
            };
            let attach_btf_id = btf.id(function).ok_or_else(|| {
                Error::operation(format!(
                    "cannot attach {}: no BTF entry",
                    probe.bpftrace_name()
                ))
            })?;
            let fd = program
                .load(LoadAs {
                    prog_type: bpf_prog_type::BPF_PROG_TYPE_TRACING,
                    attach_type: bpf_attach_type::BPF_TRACE_FENTRY,
                    attach_btf_id,
                })
                .map_err(|e| {
                    Error::operation(format!("cannot attach {}: {e}", probe.bpftrace_name()))
                })?;
            let link = attach_tracing(&fd).map_err(|e| attach_error(probe, &e))?;
            self.links.push(OwnedLink::Fd(link));
        }
        Ok(())
    }

    /// Detaches every probe, in attach order, then unloads the programs.
    pub fn detach(mut self) -> probecost_core::error::Result<()> {
        let mut first_error = None;
        for link in self.links.drain(..) {
            if let Err(e) = link.detach() {
                first_error.get_or_insert_with(|| format!("detaching: {}", error_chain(&e)));
            }
        }
        drop(self.object);
        first_error.map_or(Ok(()), |e| Err(Error::Operation(e)))
    }
}
