//! Benchmark 2's rounds: the command timed untraced and under each scenario's sets, attached
//! by the platform's backend around each run, the order of the scenarios alternating
//! direction between rounds; best and median wall times, attach and detach times, and the
//! cost per activation at the end.

use std::{
    path::Path,
    process::{Command, Stdio},
    sync::atomic::{AtomicBool, Ordering},
    thread,
    time::{Duration, Instant},
};

use super::{ComplexWorkloadBackend, SetUsed, TimedCommand, WorkloadResult};
use crate::{
    benchmark::run_order::{self, Side},
    error::{Error, Result},
    stats,
};

/// Times `command` untraced and under each of the backend's prepared scenarios (`sets[i]`
/// describes scenario `i`'s sets, named `names[i]`), `rounds` rounds, calling `on_run` after
/// each run; stops early, keeping the runs so far, once `stop` is set.
pub fn measure(
    backend: &mut dyn ComplexWorkloadBackend,
    command: &TimedCommand,
    scenarios: &[(String, Vec<SetUsed>)],
    rounds: usize,
    stop: &AtomicBool,
    on_run: &mut dyn FnMut(&str, f64),
) -> Result<Vec<WorkloadResult>> {
    let mut results: Vec<WorkloadResult> = std::iter::once(("baseline".to_string(), Vec::new()))
        .chain(scenarios.iter().cloned())
        .map(|(name, sets)| WorkloadResult {
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
    'rounds: for round in 0..rounds {
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
                for (i, times) in set_attach_ms[index].iter_mut().enumerate() {
                    let set_started = Instant::now();
                    attached.push(backend.attach(index - 1, i)?);
                    times.push(ms(set_started));
                }
                attach_ms[index].push(ms(started));
            }
            let took = run_quiet(&command.command, &command.dir, stop);
            if index > 0 {
                let mut activations = 0;
                for (i, set) in attached.iter().enumerate() {
                    let counted = set.activations()?;
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

/// Runs `argv` in `dir` with no input or output and returns its wall time; a failure is an
/// error naming the command, and `stop` kills it (`Error::Interrupted`).
fn run_quiet(argv: &[String], dir: &Path, stop: &AtomicBool) -> Result<Duration> {
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
