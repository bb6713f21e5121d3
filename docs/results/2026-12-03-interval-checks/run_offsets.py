#!/usr/bin/env python3
"""Whether a run's rows are off their set's median together: per run of each set given, and
per tracer, the median over rows of 100 ns or more of (the row's figure / its median over the
set's runs - 1), in %, with the rows' interquartile range. A level that the whole run keeps
moves every row of every tracer alike.

    cd docs/results && python3 2026-12-03-interval-checks/run_offsets.py 'SET/benchmark1-run-*.json'...
"""
import glob
import json
import statistics
import sys

TRACERS = ("aya", "libbpf", "bpftrace")


def figures(path):
    found = {}
    for scenario in json.load(open(path))["scenarios"]:
        if scenario["name"] == "control":
            continue
        for tracer in scenario["tracers"]:
            if tracer.get("per_event_ns") is not None and tracer["per_event_ns"] >= 100:
                found[(scenario["name"], tracer["tracer"])] = tracer["per_event_ns"]
    return found


def main():
    for pattern in sys.argv[1:]:
        runs = [figures(path) for path in sorted(glob.glob(pattern))]
        keys = set.intersection(*(set(r) for r in runs))
        middle = {key: statistics.median(r[key] for r in runs) for key in keys}
        print(pattern)
        for number, run in enumerate(runs, 1):
            cells = []
            for tracer in TRACERS:
                moves = sorted(100 * (run[k] / middle[k] - 1) for k in keys if k[1] == tracer)
                if moves:
                    quarter = len(moves) // 4
                    cells.append(f"{tracer} {statistics.median(moves):+5.1f} % "
                                 f"({moves[quarter]:+.1f} to {moves[-1 - quarter]:+.1f})")
            print(f"  run {number}: " + "   ".join(cells))


if __name__ == "__main__":
    main()
