#!/usr/bin/env python3
"""Each round's floor cost of a `probecost run --export-json` report, row by row: the traced
run's 1st-percentile batch cost minus the control run's (ns per operation), in round order,
with the range of the control runs' own floors. A level that changes part-way through a run
shows as a step in a row's sequence.

    python3 round_costs.py report.json [ROW,ROW,...]
"""
import json
import sys


def main(path, names):
    report = json.load(open(path))
    for scenario in report["scenarios"]:
        if names and scenario["name"] not in names:
            continue
        control = [run["batch_ns_per_op"]["p1"] for run in scenario["control_runs"]]
        for tracer in scenario["tracers"]:
            traced = [run["batch_ns_per_op"]["p1"] for run in tracer["traced_runs"]]
            if not traced:
                continue
            costs = " ".join("%d" % (t - c) for t, c in zip(traced, control))
            print(
                scenario["name"][:16].ljust(16),
                tracer["tracer"][:8].ljust(8),
                "control %d-%d" % (min(control), max(control)),
                "rounds:",
                costs,
            )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2].split(",") if len(sys.argv) > 2 else None)
