#!/usr/bin/env python3
"""Whether stopping a row as soon as its interval reaches the target (`--target-ci`) gives
intervals too narrow, and how many rounds a row should have before the question is asked.

For every row of every kept set of `run` reports of one build: the row's rounds in each run, in
the order they ran, re-estimated as probecost does (fast-state floors, percentile bootstrap over
whole rounds, widened by t(0.975, k - 1) / 1.96) from its first k rounds. The stopping rule
with a minimum of m rounds stops at the first k >= m whose interval is within ±2 % (±2 ns below
100 ns). The reference for a row and run is the median of the row's figure in the set's other
runs. Printed per minimum: how often the reference lies inside the stopping interval, how
often the figure is within 3 % (or 3 ns) of it, the mean rounds at the stop, and the same for
a fixed k = m (no stopping rule), so that the rule's own effect shows.

    cd docs/results && python3 2026-12-03-interval-checks/sequential_stop.py   (needs numpy)
"""
import glob
import json
import statistics
import sys

import numpy as np

from kept_sets import SETS

MINIMA = [5, 8, 10, 12, 15, 20]
# With an argument N, only row-runs that had at least N rounds, so that every minimum is tried
# on the same rows.
AT_LEAST = int(sys.argv[1]) if len(sys.argv) > 1 else 0
TARGET_PCT, FLOOR_NS, RESAMPLES = 2.0, 100.0, 400
T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t_widening(k):
    d = k - 1
    return 1.0 if d < 1 else (T_975[d - 1] if d <= 30 else 2.0) / 1.959964


def fast_state(floors):
    """floors: (resamples, k) -> (resamples,): median of the floors within 8 % of the
    second-lowest."""
    ordered = np.sort(floors, axis=1)
    anchor = ordered[:, min(1, ordered.shape[1] - 1)][:, None]
    kept = np.where(ordered <= anchor * 1.08, ordered, np.nan)
    return np.nanmedian(kept, axis=1)


def estimate(control, traced, events, rng):
    k = len(control)
    picks = rng.integers(0, k, size=(RESAMPLES, k))
    values = (fast_state(traced[picks]) - fast_state(control[picks])) / events
    point = (fast_state(traced[None, :]) - fast_state(control[None, :]))[0] / events
    low, high = np.percentile(values, [2.5, 97.5])
    w = t_widening(k)
    return point, point - (point - low) * w, point + (high - point) * w


def reached(point, low, high):
    return (high - low) / 2 <= TARGET_PCT / 100 * max(abs(point), FLOOR_NS)


def load(path):
    rows = {}
    for scenario in json.load(open(path))["scenarios"]:
        if scenario["name"] == "control":
            continue
        events = scenario.get("events_per_op") or 1.0
        control = [r["batch_ns_per_op"]["p1"] for r in scenario["control_runs"]]
        for tracer in scenario["tracers"]:
            traced = [r["batch_ns_per_op"]["p1"] for r in tracer["traced_runs"]]
            n = min(len(control), len(traced))
            if n >= 3:
                rows[(scenario["name"], tracer["tracer"])] = (
                    np.array(control[:n]), np.array(traced[:n]), events)
    return rows


def main():
    rng = np.random.default_rng(1)
    sequential = {m: [] for m in MINIMA}
    fixed = {m: [] for m in MINIMA}
    sets = 0
    for pattern in SETS:
        runs = [load(p) for p in sorted(glob.glob(pattern))]
        if len(runs) < 3:
            continue
        sets += 1
        keys = set.intersection(*(set(r) for r in runs))
        for key in sorted(keys):
            paths = []
            for rows in runs:
                control, traced, events = rows[key]
                path = [estimate(control[:k], traced[:k], events, rng)
                        for k in range(1, len(control) + 1)]
                paths.append(path)
            for i, path in enumerate(paths):
                if len(path) < AT_LEAST:
                    continue
                reference = statistics.median(p[-1][0] for j, p in enumerate(paths) if j != i)
                n = len(path)
                for m in MINIMA:
                    if n < m:
                        continue
                    stop = next((k for k in range(m, n + 1) if reached(*path[k - 1])), None)
                    # Rows that never reached the target within the rounds they had are left
                    # out: the rule did not stop them.
                    if stop is not None:
                        sequential[m].append((stop, path[stop - 1], reference))
                    fixed[m].append((m, path[m - 1], reference))
    print(f"{sets} sets of at least three runs")
    print("minimum | stopped by the rule: rows, mean rounds, reference inside, within 3 % "
          "| fixed k = minimum: rows, reference inside, within 3 %")
    for m in MINIMA:
        def summary(cases):
            inside = sum(lo <= ref <= hi for _, (_, lo, hi), ref in cases)
            close = sum(abs(p - ref) <= max(3.0, 0.03 * abs(ref)) for _, (p, _, _), ref in cases)
            return (len(cases), statistics.mean(k for k, _, _ in cases),
                    100 * inside / len(cases), 100 * close / len(cases))
        s, f = summary(sequential[m]), summary(fixed[m])
        print(f"{m:7} | {s[0]:5} {s[1]:5.1f} {s[2]:5.1f} % {s[3]:5.1f} % "
              f"| {f[0]:5} {f[2]:5.1f} % {f[3]:5.1f} %")
    print("with a minimum of 5, by the round the rule stopped at: rows, reference inside, "
          "within 3 %, median half-width")
    for low, high in ((5, 7), (8, 15), (16, 1000)):
        cases = [c for c in sequential[5] if low <= c[0] <= high]
        if cases:
            inside = sum(lo <= ref <= hi for _, (_, lo, hi), ref in cases)
            close = sum(abs(p - ref) <= max(3.0, 0.03 * abs(ref)) for _, (p, _, _), ref in cases)
            half = statistics.median((hi - lo) / 2 / abs(p) * 100 for _, (p, lo, hi), _ in cases)
            print(f"  {low}-{high}: {len(cases)}, {100 * inside / len(cases):.1f} %, "
                  f"{100 * close / len(cases):.1f} %, ±{half:.2f} %")


if __name__ == "__main__":
    sys.exit(main())
