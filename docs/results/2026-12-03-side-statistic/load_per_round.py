#!/usr/bin/env python3
"""`measure --object` with the object loaded once per invocation against loaded anew before
every round: twelve invocations of each, alternating (load-per-round/ab-once-N.json,
ab-reload-N.json). Prints each build's figures, their spread between invocations, the
intervals' half-widths and "z < 1" over every pair of invocations (two figures within the root
of the sum of squares of their half-widths; about 95 % with honest intervals).

    cd docs/results && python3 2026-12-03-side-statistic/load_per_round.py
"""
import json
import math
import statistics


def main():
    for build in ("once", "reload"):
        runs = []
        for i in range(1, 13):
            path = f"2026-12-03-side-statistic/load-per-round/ab-{build}-{i}.json"
            tracer = json.load(open(path))["scenarios"][0]["tracers"][0]
            low, high = tracer["per_event_ns_ci95"]
            runs.append((tracer["per_event_ns"], (high - low) / 2))
        points = [p for p, _ in runs]
        halves = [h / p * 100 for p, h in runs]
        pairs = [(a, b) for i, a in enumerate(runs) for b in runs[i + 1:]]
        z = sum(abs(a[0] - b[0]) <= math.hypot(a[1], b[1]) for a, b in pairs)
        print(f"{build:6} " + " ".join(f"{p:.1f}" for p in points))
        print(f"{build:6} mean {statistics.mean(points):.1f} ns, SD between invocations "
              f"{statistics.stdev(points) / statistics.mean(points) * 100:.2f} %, half-widths "
              f"±{min(halves):.2f}-{max(halves):.2f} % (median ±{statistics.median(halves):.2f} %), "
              f"z < 1 {100 * z / len(pairs):.1f} % of {len(pairs)} pairs")


if __name__ == "__main__":
    main()
