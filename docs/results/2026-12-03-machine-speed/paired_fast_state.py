#!/usr/bin/env python3
"""A candidate tried and not kept: the fast state taken on rounds, not on sides. Where the
estimator takes each side's fast state on its own (the median of its run floors within 8 % of
its second-lowest, traced minus control), `paired-fast` keeps the rounds whose control *and*
traced runs are both in their side's fast state and takes the median of their differences,
so that a slow drift shared by the two runs of a round cancels; `ratio-fast` takes the median
of their ratios, times the control side's fast-state floor. Evaluated with
2026-12-03-fast-state/fast_state.py's bootstrap and checks over its sets and those kept since.

    cd docs/results && python3 2026-12-03-machine-speed/paired_fast_state.py
"""
import glob
import random
import statistics
import sys

sys.path.insert(0, "2026-12-03-fast-state")
import fast_state  # noqa: E402

SETS = dict(fast_state.SETS)
SETS["shorter-runs 5"] = "2026-12-03-shorter-runs/benchmark1-run-*.json"
SETS["run-length 4"] = "2026-12-03-shorter-runs/run-length-*.json"
SETS["steady final 5"] = "2026-12-03-fast-state/benchmark1-final-run-*.json"
SETS["machine-speed 5"] = "2026-12-03-machine-speed/benchmark1-run-*.json"


def fast_rounds(floors, window=0.08, anchor=1):
    lowest = sorted(floors)[min(anchor, len(floors) - 1)]
    return {i for i, f in enumerate(floors) if f <= lowest * (1 + window)}


def paired_fast(control, traced):
    both = sorted(fast_rounds(control) & fast_rounds(traced))
    if not both:
        return fast_state.fast_state(0.08, 1)(control, traced)
    return statistics.median(traced[i] - control[i] for i in both)


def ratio_fast(control, traced):
    both = sorted(fast_rounds(control) & fast_rounds(traced))
    if not both:
        return fast_state.fast_state(0.08, 1)(control, traced)
    control_floor = statistics.median(control[i] for i in fast_rounds(control))
    return control_floor * statistics.median(traced[i] / control[i] - 1 for i in both)


CANDIDATES = {
    "fast-state (kept)": fast_state.fast_state(0.08, 1),
    "paired-fast": paired_fast,
    "ratio-fast": ratio_fast,
}


def main():
    data = {name: fast_state.load(sorted(glob.glob(p))) for name, p in SETS.items()}
    print("per set: ±% median half-width, % within 3 % of the set's median, % cover; then the "
          "means over sets of the last two and of the half-width")
    for name, statistic in CANDIDATES.items():
        rng = random.Random(1)
        results = [fast_state.evaluate(r, statistic, rng) for r in data.values()]
        print(name)
        for set_name, (h, w, c) in zip(SETS, results):
            print(f"  {set_name:18} ±{h:4.1f} {w:4.0f} {c:4.0f}")
        print("  mean over sets: within 3 %% %.1f, cover %.1f, half-width ±%.2f"
              % tuple(statistics.mean(r[k] for r in results) for k in (1, 2, 0)))


if __name__ == "__main__":
    main()
