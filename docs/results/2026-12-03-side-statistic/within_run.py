#!/usr/bin/env python3
"""Whether each candidate's intervals are honest for what they claim, the precision of one run:
every row-run with 10 rounds or more, in every set side_statistic.py reads, is cut into its
odd and even rounds (two halves that met the same run's level), each half estimated with its
own interval as side_statistic.py does, and "z < 1" counted: the two halves' figures closer
than the root of the sum of squares of their half-widths (about 95 % with honest intervals).
Between runs, side_statistic.py's z < 1 adds the level each run keeps.

    cd docs/results && python3 2026-12-03-side-statistic/within_run.py
"""
import glob
import math
import random

import side_statistic as ss


def main():
    runs = [ss.load(path) for pattern in ss.SETS for path in sorted(glob.glob(pattern))]
    halves = []
    for rows in runs:
        for key, (control, traced, events) in sorted(rows.items()):
            if len(control) >= 10:
                halves.append([(control[k::2], traced[k::2], events) for k in (0, 1)])
    print(f"{len(halves)} row-runs of 10 rounds or more, cut into odd and even rounds")
    for name, side in ss.CANDIDATES.items():
        rng = random.Random(1)
        z = 0
        for odd, even in halves:
            a, b = (ss.estimate({"row": half}, side, rng)["row"] for half in (odd, even))
            z += abs(a[0] - b[0]) <= math.hypot((a[2] - a[1]) / 2, (b[2] - b[1]) / 2)
        print(f"{name:8} z < 1 between the halves of one run: {100 * z / len(halves):.1f} %")


if __name__ == "__main__":
    main()
