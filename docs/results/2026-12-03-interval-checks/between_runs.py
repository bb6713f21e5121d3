#!/usr/bin/env python3
"""How much of the disagreement between runs of one build their own intervals leave out: per
set of kept `run` reports, the rounds a row had (median), "z < 1" (two runs' figures closer
than the root of the sum of squares of their half-widths; about 95 % with honest intervals),
and, per row, the variance of its figure between the runs less the mean of the runs' own
variances (half-width / 1.96, squared): the part of the spread that is a level each run keeps.
Printed as the root of that part's median over rows (rows of 100 ns or more), in % of the row's
median, beside the runs' median half-width.

    cd docs/results && python3 2026-12-03-interval-checks/between_runs.py
"""
import glob
import json
import math
import statistics

from kept_sets import SETS as KEPT_SETS

SETS = KEPT_SETS + ["2026-12-03-interval-checks/five-runs/benchmark1-run-*.json"]


def figures(path):
    found = {}
    for scenario in json.load(open(path))["scenarios"]:
        if scenario["name"] == "control":
            continue
        for tracer in scenario["tracers"]:
            if tracer.get("per_event_ns") is not None:
                found[(scenario["name"], tracer["tracer"])] = (
                    tracer["per_event_ns"], tracer["per_event_ns_ci95"],
                    len(tracer["traced_runs"]))
    return found


def main():
    print(f"{'set':55} {'runs':>4} {'rounds':>6} {'z<1':>6} {'median ±':>9} {'level SD':>9}")
    for pattern in SETS:
        runs = [figures(path) for path in sorted(glob.glob(pattern))]
        keys = sorted(set.intersection(*(set(r) for r in runs)))
        z = pairs = 0
        halves, levels, rounds = [], [], []
        for key in keys:
            points = [r[key][0] for r in runs]
            half = [(r[key][1][1] - r[key][1][0]) / 2 for r in runs]
            rounds += [r[key][2] for r in runs]
            for i in range(len(runs)):
                for j in range(i + 1, len(runs)):
                    pairs += 1
                    z += abs(points[i] - points[j]) <= math.hypot(half[i], half[j])
            middle = statistics.median(points)
            if abs(middle) < 100:
                continue
            halves += [h / abs(middle) * 100 for h in half]
            own = statistics.mean((h / 1.96) ** 2 for h in half)
            levels.append((statistics.variance(points) - own) / middle ** 2 * 1e4)
        level = math.sqrt(max(0.0, statistics.median(levels)))
        print(f"{pattern:55} {len(runs):4} {statistics.median(rounds):6.0f} "
              f"{100 * z / pairs:5.1f}% {statistics.median(halves):8.2f}% {level:8.2f}%")


if __name__ == "__main__":
    main()
