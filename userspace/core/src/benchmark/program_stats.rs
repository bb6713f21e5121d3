//! What the kernel counted for a scenario's programs over the verification run, and the
//! verification a result keeps from it.

use super::EventsPerOp;
use crate::result::Verification;

/// What the kernel counted for one program (or probe clause) over the verification run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgramRun {
    /// Times it ran.
    pub count: u64,
    /// Time spent in it, where the tracer measures that (BPF statistics do; DTrace does not).
    pub time_ns: Option<u64>,
    /// Its size in instructions after the kernel's rewrites, where the tracer knows its
    /// program (probecost's own do).
    pub xlated_insns: Option<u32>,
    /// Instructions the verifier processed to accept it, where known.
    pub verified_insns: Option<u32>,
}

/// The kernel's counts for each program of a scenario over the verification run.
#[derive(Clone, Debug, Default)]
pub struct ProgramStats {
    /// One entry per program, in the scenario's order.
    pub programs: Vec<ProgramRun>,
}

impl ProgramStats {
    /// The verification of `ops` operations. With `events` counted, the per-event figure
    /// divides by every program's runs together, so any run verifies it; otherwise each
    /// program must have run once per operation.
    pub(super) fn into_verification(self, ops: u64, events: EventsPerOp) -> Verification {
        let run_counts: Vec<u64> = self.programs.iter().map(|p| p.count).collect();
        let events_counted = match events {
            EventsPerOp::One => run_counts.iter().copied().min().unwrap_or(0),
            EventsPerOp::Counted | EventsPerOp::Given(_) => run_counts.iter().sum(),
        };
        let events_verified = match events {
            EventsPerOp::One => events_counted >= ops,
            EventsPerOp::Counted => events_counted > 0,
            EventsPerOp::Given(_) => false,
        };
        let body_ns = self
            .programs
            .iter()
            .map(|p| Some(p.time_ns? as f64 / p.count.max(1) as f64))
            .sum();
        let total = |insns: fn(&ProgramRun) -> Option<u32>| -> Option<u64> {
            self.programs.iter().map(|p| insns(p).map(u64::from)).sum()
        };
        let xlated_insns = total(|p| p.xlated_insns);
        let verified_insns = total(|p| p.verified_insns.filter(|&n| n > 0));
        Verification {
            ops,
            events_verified,
            events_per_op_observed: events_counted as f64 / ops.max(1) as f64,
            run_counts,
            body_ns,
            xlated_insns,
            verified_insns,
        }
    }
}
