#!/usr/bin/env python3
"""Which statistic of a side's fast-state runs makes the floor: the median (probecost's until
this comparison) against means that trim less. Every kept set of `probecost run` reports of one
build (kept_sets.py, plus the five runs of 2026-12-03-interval-checks and the five of this
page, made with the mean) is re-estimated from its runs' kept floors (the 1st percentile of each run's batches) with each candidate: per side, the
runs within 8 % of the side's second-lowest run floor (the fast state), then

* `median`: their median;
* `mean`: their mean;
* `trim10`, `trim25`: their mean with 10 % / 25 % cut from each end (`trim25` is the midmean);

traced minus control, per event. The interval is a bootstrap over whole rounds (200
resamples), widened by t(0.975, n - 1) / 1.96 as probecost widens it. Per candidate, the means
over sets of: the median half-width, the rows within the done-when precision (±2 % at 100 ns
or more, ±2 ns below), rows within 3 % (or 3 ns) of their set's median, "z < 1" (two runs'
figures closer than the root of the sum of squares of their half-widths; about 95 % with honest
intervals) and "cover" (one run's figure inside another's interval; about 83 % with honest
intervals).

    cd docs/results && python3 2026-12-03-side-statistic/side_statistic.py
"""
import glob
import math
import os
import random
import statistics
import sys

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, "..", "2026-12-03-interval-checks"))
sys.path.insert(0, os.path.join(HERE, "..", "2026-12-03-fast-state"))
from fast_state import load as load_reports  # noqa: E402
from kept_sets import SETS as KEPT_SETS  # noqa: E402
from widened_intervals import t_widening  # noqa: E402

SETS = KEPT_SETS + [
    "2026-12-03-interval-checks/five-runs/benchmark1-run-*.json",
    "2026-12-03-side-statistic/five-runs/benchmark1-run-*.json",
]


def trimmed_mean(cut):
    def statistic(xs):
        xs = sorted(xs)
        k = int(len(xs) * cut)
        return statistics.mean(xs[k:len(xs) - k])
    return statistic


CANDIDATES = {
    "median": statistics.median,
    "trim25": trimmed_mean(0.25),
    "trim10": trimmed_mean(0.10),
    "mean": statistics.mean,
}


def fast_state(floors):
    anchor = sorted(floors)[min(1, len(floors) - 1)]
    return [f for f in floors if f <= anchor * 1.08]


def load(path):
    """One report's rows: {(scenario, tracer): (control floors, traced floors, events)}."""
    return load_reports([path])[0]


def estimate(rows, side, rng):
    """Per row: (figure, low, high)."""
    found = {}
    for key, (control, traced, events) in rows.items():
        n = len(control)
        cost = lambda c, t: (side(fast_state(t)) - side(fast_state(c))) / events  # noqa: E731
        values = []
        for _ in range(200):
            picks = [rng.randrange(n) for _ in range(n)]
            values.append(cost([control[i] for i in picks], [traced[i] for i in picks]))
        values.sort()
        point, k = cost(control, traced), t_widening(n)
        found[key] = (point, point - (point - values[4]) * k, point + (values[195] - point) * k)
    return found


def checks(runs):
    keys = sorted(set.intersection(*(set(r) for r in runs)))
    halves, precise, close, z, cover, pairs = [], 0, 0, 0, 0, 0
    for key in keys:
        middle = statistics.median(r[key][0] for r in runs)
        for point, low, high in (r[key] for r in runs):
            half = (high - low) / 2
            halves.append(half / abs(point) * 100)
            precise += half <= 0.02 * max(abs(point), 100)
            close += abs(point - middle) <= max(3, 0.03 * abs(middle))
        for i, a in enumerate(runs):
            for b in runs[i + 1:]:
                pairs += 1
                ha, hb = (a[key][2] - a[key][1]) / 2, (b[key][2] - b[key][1]) / 2
                z += abs(a[key][0] - b[key][0]) <= math.hypot(ha, hb)
                cover += (b[key][1] <= a[key][0] <= b[key][2]) + (a[key][1] <= b[key][0] <= a[key][2])
    figures = len(keys) * len(runs)
    return (statistics.median(halves), 100 * precise / figures, 100 * close / figures,
            100 * z / pairs, 100 * cover / (2 * pairs))


def main():
    data = [[load(path) for path in sorted(glob.glob(pattern))] for pattern in SETS]
    names = ["median ±%", "±2 %/2 ns", "within 3 %", "z < 1", "cover"]
    print("means over the", len(SETS), "sets; then, per set, median ±% / within 3 % / z < 1")
    print(f"{'':8}" + "".join(f"{n:>12}" for n in names))
    for name, side in CANDIDATES.items():
        rng = random.Random(1)
        results = [checks([estimate(rows, side, rng) for rows in runs]) for runs in data]
        means = [statistics.mean(r[i] for r in results) for i in range(len(names))]
        print(f"{name:8}" + "".join(f"{m:12.1f}" for m in means))
        print("        " + " ".join(f"{h:.1f}/{c:.0f}/{z:.0f}" for h, _, c, z, _ in results))


if __name__ == "__main__":
    main()
