//! DTrace's side of the talk's Benchmark 1: one D program per scenario, as the talk ran them
//! (`dofileread` stands for Linux's `vfs_read`; `args[3]` is its `struct uio *`). A scenario
//! without a program here is one DTrace does not run. Pure text handling, tested on any
//! platform.

/// A scenario's D program: clauses, one per line, each starting with its probe description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DProgram(pub &'static str);

impl DProgram {
    /// The D program of scenario `name`, if DTrace runs it.
    pub fn of(name: &str) -> Option<Self> {
        PROGRAMS
            .iter()
            .find(|(scenario, _)| *scenario == name)
            .map(|(_, program)| Self(program))
    }

    /// The program's text.
    pub fn text(self) -> &'static str {
        self.0
    }

    /// The probe descriptions, one per clause, in order.
    pub fn probes(self) -> Vec<&'static str> {
        self.0
            .lines()
            .filter_map(|line| line.split_whitespace().next())
            .collect()
    }

    /// The DTrace providers the program needs (`pid$target:...` needs `pid`), each once.
    pub fn providers(self) -> Vec<&'static str> {
        let mut providers: Vec<&'static str> = Vec::new();
        for probe in self.probes() {
            let provider = probe.split(':').next().unwrap_or(probe);
            let provider = provider.strip_suffix("$target").unwrap_or(provider);
            if !providers.contains(&provider) {
                providers.push(provider);
            }
        }
        providers
    }

    /// Whether the program traces a process of its own (`pid$target`).
    pub fn needs_target(self) -> bool {
        self.0.contains("$target")
    }

    /// The program plus one clause per probe counting its firings in
    /// `@probecost_events_<i>`, for the verification run.
    pub fn counting_program(self) -> String {
        let mut program = self.0.to_string();
        for (i, probe) in self.probes().iter().enumerate() {
            program.push_str(&format!("{probe} {{ @probecost_events_{i} = count(); }}\n"));
        }
        program
    }
}

const PROGRAMS: &[(&str, &str)] = &[
    ("control", "dtrace:::BEGIN {}\n"),
    ("kprobe", "fbt::dofileread:entry {}\n"),
    ("kretprobe", "fbt::dofileread:return {}\n"),
    ("tracepoint-entry", "syscall:freebsd:read:entry {}\n"),
    ("tracepoint-return", "syscall:freebsd:read:return {}\n"),
    ("uprobe", "pid$target:libc.so.7:read:entry {}\n"),
    ("uretprobe", "pid$target:libc.so.7:read:return {}\n"),
    ("filter", "fbt::dofileread:entry /args[3]->uio_resid > 0/ {}\n"),
    ("map", "fbt::dofileread:entry { @ = count(); }\n"),
    ("single-key", "fbt::dofileread:entry { @[pid] = count(); }\n"),
    ("string-key", "fbt::dofileread:entry { @[execname] = count(); }\n"),
    ("two-keys", "fbt::dofileread:entry { @[pid, execname] = count(); }\n"),
    ("kernel-stack", "fbt::dofileread:entry { @[stack()] = count(); }\n"),
    ("user-stack", "fbt::dofileread:entry { @[ustack()] = count(); }\n"),
    ("histogram", "fbt::dofileread:entry { @ = quantize(args[3]->uio_resid); }\n"),
    ("timing", "fbt::dofileread:entry { self->s = timestamp; }\nfbt::dofileread:return /self->s/ { @ = quantize(timestamp - self->s); self->s = 0; }\n"),
    ("multiple", "fbt::dofileread:entry { @[stack(), ustack()] = quantize(args[3]->uio_resid); }\n"),
    ("per-event", "fbt::dofileread:entry { printf(\"%d bytes\\n\", args[3]->uio_resid); }\n"),
    ("per-event-aya-log", "fbt::dofileread:entry { printf(\"%d bytes\\n\", args[3]->uio_resid); }\n"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn d_programs_are_the_talks() {
        let d = |name: &str| DProgram::of(name).unwrap().text();
        let timing = DProgram::of("timing").unwrap();
        assert_eq!(
            timing.probes(),
            ["fbt::dofileread:entry", "fbt::dofileread:return"]
        );
        assert_eq!(timing.providers(), ["fbt"]);
        assert!(timing
            .counting_program()
            .ends_with("fbt::dofileread:return { @probecost_events_1 = count(); }\n"));
        let uretprobe = DProgram::of("uretprobe").unwrap();
        assert_eq!(uretprobe.providers(), ["pid"]);
        assert!(uretprobe.needs_target());
        assert!(!timing.needs_target());
        assert_eq!(d("control"), "dtrace:::BEGIN {}\n");
        assert_eq!(d("kprobe"), "fbt::dofileread:entry {}\n");
        assert_eq!(d("uretprobe"), "pid$target:libc.so.7:read:return {}\n");
        assert_eq!(
            d("filter"),
            "fbt::dofileread:entry /args[3]->uio_resid > 0/ {}\n"
        );
        assert_eq!(
            d("multiple"),
            "fbt::dofileread:entry { @[stack(), ustack()] = quantize(args[3]->uio_resid); }\n"
        );
        assert_eq!(
            d("timing"),
            "fbt::dofileread:entry { self->s = timestamp; }\nfbt::dofileread:return /self->s/ { @ = quantize(timestamp - self->s); self->s = 0; }\n"
        );
        assert_eq!(
            d("per-event"),
            "fbt::dofileread:entry { printf(\"%d bytes\\n\", args[3]->uio_resid); }\n"
        );
        assert!(DProgram::of("tracepoint-empty").is_none());
    }

    #[test]
    fn every_program_is_a_talk_scenarios_and_every_talk_row_has_one() {
        use probecost_core::scenario::{ScenarioCatalog, ScenarioSuite};
        for (name, _) in PROGRAMS {
            assert!(ScenarioCatalog.find(name).is_some(), "no scenario {name}");
        }
        for scenario in ScenarioCatalog.suite(ScenarioSuite::Talk) {
            assert!(DProgram::of(scenario.name).is_some(), "{}", scenario.name);
        }
    }
}
