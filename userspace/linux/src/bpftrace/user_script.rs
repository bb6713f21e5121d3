//! `measure --bpftrace FILE.bt` and `--bpftrace-e 'PROGRAM'`: a user's bpftrace script as the
//! traced side, started for each traced run as the bpftrace tracer starts its scenarios'
//! scripts (ready when every probe reports attached, SIGINT and reaped after the run), its
//! programs found among those loaded and their runs counted.

use std::path::PathBuf;

use super::{bpftrace_version, BpftraceScenario};
use probecost_core::{
    benchmark::{AttachChoice, Prepared, SuiteRow, TracerBackend},
    error::{Error, Result},
    platform::{ObjectBackend, ScriptRequest},
    scenario::Scenario,
    tracer::Tracer,
};

/// A user's bpftrace script, measured as its own row.
pub struct UserScript {
    request: ScriptRequest,
    version: String,
}

impl UserScript {
    /// The script's backend, ready to measure: bpftrace runs here (`Err` when it does not).
    pub fn open(request: &ScriptRequest) -> Result<ObjectBackend> {
        let script = Self {
            request: request.clone(),
            version: bpftrace_version()?,
        };
        Ok(ObjectBackend {
            row_name: request.name.clone(),
            programs: Vec::new(),
            description: probe_specs(&request.text).join(" + "),
            backend: Box::new(script),
        })
    }
}

impl TracerBackend for UserScript {
    fn tracer(&self) -> Tracer {
        Tracer::Bpftrace
    }

    fn version(&self) -> String {
        self.version.clone()
    }

    fn prepare(&mut self, scenario: &'static Scenario) -> Result<Prepared> {
        Err(Error::unsupported(format!(
            "the script {} is measured as its own row, not as the catalog's `{}`",
            self.request.name, scenario.name
        )))
    }

    fn prepare_row(&mut self, row: SuiteRow<'_>) -> Result<Prepared> {
        let SuiteRow::Object(_) = row else {
            return Err(Error::unsupported(format!(
                "the script {} is measured as its own row, not as the catalog's `{}`",
                self.request.name,
                row.name()
            )));
        };
        let choice = AttachChoice {
            attach: probe_specs(&self.request.text).join(" + "),
            substitution_reason: None,
        };
        let programs = BpftraceScenario::new(
            format!("bpftrace script {}", self.request.name),
            // What a user's script prints is its own business, not a count of events.
            false,
            self.request.text.clone(),
            choice.clone(),
            PathBuf::from("/dev/null"),
            self.request.workload_cpu,
        );
        Ok(Prepared {
            choice,
            programs: Box::new(programs),
        })
    }
}

/// The probe specifications of a bpftrace program, as its text gives them: what comes before
/// each action block, predicates and comments left out (`kprobe:vfs_read`,
/// `tracepoint:syscalls:sys_enter_*`).
pub fn probe_specs(text: &str) -> Vec<String> {
    let mut specs = Vec::new();
    let mut depth = 0usize;
    let mut header = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for next in chars.by_ref() {
                    if next == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                let mut last = ' ';
                for next in chars.by_ref() {
                    if last == '*' && next == '/' {
                        break;
                    }
                    last = next;
                }
            }
            '{' => {
                if depth == 0 {
                    specs.extend(header_probes(&header));
                    header.clear();
                }
                depth += 1;
            }
            '}' => depth = depth.saturating_sub(1),
            _ if depth == 0 => header.push(c),
            _ => {}
        }
    }
    specs
}

/// The probes of one clause's header, its predicate (`/.../`) and any `#include` left out; a
/// type definition (`struct cfs_rq { ... };`) has none.
fn header_probes(header: &str) -> Vec<String> {
    let header = header.trim_start_matches(|c: char| c == ';' || c.is_whitespace());
    let last_line = header.lines().last().unwrap_or_default().trim_start();
    if ["struct ", "union ", "enum ", "typedef "]
        .iter()
        .any(|keyword| last_line.starts_with(keyword))
    {
        return Vec::new();
    }
    let without_predicate = match (header.find('/'), header.rfind('/')) {
        (Some(open), Some(close)) if close > open => {
            format!("{}{}", &header[..open], &header[close + 1..])
        }
        _ => header.to_string(),
    };
    without_predicate
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .flat_map(|line| line.split(','))
        .map(str::trim)
        .filter(|probe| !probe.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::probe_specs;

    #[test]
    fn probes_come_without_predicates_actions_or_comments() {
        assert_eq!(
            probe_specs("tracepoint:syscalls:sys_enter_read { @ = count(); }"),
            ["tracepoint:syscalls:sys_enter_read"]
        );
        let script = "#!/usr/bin/env bpftrace\n#include <linux/fs.h>\n// counts\nBEGIN { printf(\"hi\"); }\n\
                      kprobe:vfs_read, kprobe:vfs_write /pid == 1/ { @[comm] = count(); if (1) { } }\n\
                      /* timer */ interval:s:1 { print(@); }";
        assert_eq!(
            probe_specs(script),
            [
                "BEGIN",
                "kprobe:vfs_read",
                "kprobe:vfs_write",
                "interval:s:1"
            ]
        );
        assert_eq!(
            probe_specs("struct cfs_rq { int x; };\nprofile:hz:99 { @ = count(); }"),
            ["profile:hz:99"]
        );
    }
}
