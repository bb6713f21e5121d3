#!/usr/bin/env python3
"""Which rows of the five runs each rule for `bursty` marks: the reports' own (the typical
cost beyond the floor by more than the control's mean-over-floor ratio applied to the row's
floor, plus the floor's and the typical's half-widths), and the rule since (the larger of that
and the control's own gap between mean and floor, ns per event). Prints, per row, in how many
of the five runs each marks it, and the totals.

    cd docs/results && python3 2026-12-03-side-statistic/bursty_rule.py
"""
import glob
import json
import statistics
from collections import Counter


def main():
    own, since = Counter(), Counter()
    for path in sorted(glob.glob("2026-12-03-side-statistic/five-runs/benchmark1-run-*.json")):
        for scenario in json.load(open(path))["scenarios"]:
            if scenario["name"] == "control":
                continue
            runs = scenario["control_runs"]
            ratio = statistics.median(r["mean_ns_per_op"] / r["batch_ns_per_op"]["p1"] - 1 for r in runs)
            gap = statistics.median(r["mean_ns_per_op"] - r["batch_ns_per_op"]["p1"] for r in runs)
            events = scenario.get("events_per_op") or 1.0
            for tracer in scenario["tracers"]:
                if tracer.get("per_event_ns") is None:
                    continue
                key = (scenario["name"], tracer["tracer"])
                floor, typical = tracer["per_event_ns"], tracer["typical_ns"]
                noise = sum((hi - lo) / 2 for lo, hi in (tracer["per_event_ns_ci95"],
                                                         tracer["typical_ns_ci95"]))
                own[key] += tracer["bursty"]
                allowed = max(max(floor, 0) * max(ratio, 0), max(gap, 0) / events)
                since[key] += typical - floor > allowed + noise
    print(f"{'row':32} {'reports':>8} {'since':>6}")
    for key in sorted(set(own) | set(since)):
        if own[key] or since[key]:
            print(f"{key[0] + ' ' + key[1]:32} {own[key]:8} {since[key]:6}")
    print(f"{'row-runs marked':32} {sum(own.values()):8} {sum(since.values()):6}")


if __name__ == "__main__":
    main()
