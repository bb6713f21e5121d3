#!/usr/bin/env python3
"""How well runs of one build agree, per group of `probecost run --export-json` reports:

* "MAD": for each row, the median absolute deviation of the runs' floors (ns/event) from
  their median, in % of it; the median over rows;
* "z < 1": over every row and pair of runs, how often the two floors differ by less than
  sqrt(hA^2 + hB^2), h being each run's own printed 95% half-width. With honest intervals
  that is about 95 % of pairs.

    python3 agreement.py NAME=GLOB [NAME=GLOB ...]
"""
import glob
import itertools
import json
import statistics
import sys


def rows(path):
    out = {}
    for scenario in json.load(open(path))["scenarios"]:
        for tracer in scenario["tracers"]:
            if tracer.get("per_event_ns") is None:
                continue
            lo, hi = tracer["per_event_ns_ci95"]
            out[(scenario["name"], tracer["tracer"])] = (tracer["per_event_ns"], (hi - lo) / 2)
    return out


def main():
    for argument in sys.argv[1:]:
        name, pattern = argument.split("=", 1)
        runs = [rows(path) for path in sorted(glob.glob(pattern))]
        keys = sorted(set.intersection(*(set(r) for r in runs)))
        mads, zs = [], []
        for key in keys:
            points = [run[key][0] for run in runs]
            middle = statistics.median(points)
            mads.append(statistics.median(abs(p - middle) for p in points) / abs(middle) * 100)
            for a, b in itertools.combinations(runs, 2):
                spread = (a[key][1] ** 2 + b[key][1] ** 2) ** 0.5
                zs.append(abs(a[key][0] - b[key][0]) / max(spread, 1e-9))
        below = 100 * sum(z < 1 for z in zs) / len(zs)
        print(
            f"{name:16} runs {len(runs):2}  rows {len(keys):2}  MAD {statistics.median(mads):4.2f} %"
            f"  z < 1 {below:5.1f} % of {len(zs)} pairs"
        )


if __name__ == "__main__":
    main()
