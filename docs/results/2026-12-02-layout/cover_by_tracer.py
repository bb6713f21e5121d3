#!/usr/bin/env python3
"""`paired-med` cover (one run's floor inside another run's interval, over ordered pairs of
runs) split by tracer, as candidates.py computes it (bootstrap over whole rounds, m = n).

    python3 cover_by_tracer.py r1.json r2.json ...
"""
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "2026-12-02-noisy-instance"))
import candidates  # noqa: E402


def main():
    reports = [candidates.rows(path) for path in sys.argv[1:]]
    keys = sorted(set.intersection(*(set(r) for r in reports)))
    rng = random.Random(1)
    estimates = []
    for report in reports:
        estimate = {}
        for key in keys:
            control, traced = report[key]
            estimate[key] = (candidates.paired(control, traced),) + candidates.interval(
                candidates.paired, control, traced, rng, len(control)
            )
        estimates.append(estimate)
    for tracer in sorted({key[1] for key in keys}):
        cover = pairs = 0
        for key in (k for k in keys if k[1] == tracer):
            for i, a in enumerate(estimates):
                for j, b in enumerate(estimates):
                    if i != j:
                        pairs += 1
                        cover += b[key][1] <= a[key][0] <= b[key][2]
        print(f"{tracer:9} cover {100 * cover / pairs:5.1f} % of {pairs} pairs")


if __name__ == "__main__":
    main()
