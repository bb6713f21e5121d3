#!/usr/bin/env python3
"""Whether the fast state's intervals are honest between runs of one build, as they come from
the percentile bootstrap and widened by t(0.975, n - 1) / z(0.975) for n rounds, on every set
of fast_state.py. Two checks over every row and pair of runs of a set: "z < 1", the two
floors differ by less than the root of the sum of squares of their half-widths (about 95 %
with honest intervals), and "cover", one run's floor lies inside the other's interval (about
83 % with honest intervals of equal width). Prints, per set, the median half-width and the two
checks; then the means over sets.

    cd docs/results && python3 2026-12-03-fast-state/widened_intervals.py
"""
import glob
import random
import statistics

import fast_state

# t(0.975, d) for d = 1..30 degrees of freedom.
T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
         2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
         2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def t_widening(rounds):
    d = rounds - 1
    return 1.0 if d < 1 else (T_975[d - 1] if d <= 30 else 2.02) / 1.959964


WIDENINGS = {
    "percentile": lambda n: 1.0,
    "t-widened": t_widening,
    "t-widened x1.5": lambda n: 1.5 * t_widening(n),
}


def checks(runs):
    keys = sorted(set.intersection(*(set(e) for e in runs)))
    half_widths, z, cover, pairs = [], 0, 0, 0
    for key in keys:
        for i, a in enumerate(runs):
            point, low, high = a[key]
            half_widths.append((high - low) / 2 / abs(point) * 100)
            for b in runs[i + 1:]:
                pairs += 1
                half_a, half_b = (a[key][2] - a[key][1]) / 2, (b[key][2] - b[key][1]) / 2
                z += abs(a[key][0] - b[key][0]) <= (half_a ** 2 + half_b ** 2) ** 0.5
                cover += (b[key][1] <= a[key][0] <= b[key][2]) + (a[key][1] <= b[key][0] <= a[key][2])
    return statistics.median(half_widths), 100 * z / pairs, 100 * cover / (2 * pairs)


def main():
    data = {name: fast_state.load(sorted(glob.glob(pattern)))
            for name, pattern in fast_state.SETS.items()}
    print("per set: median ±%, z < 1 %, cover %; then the means of z < 1 and cover over sets")
    for name, widening in WIDENINGS.items():
        rng = random.Random(1)
        statistic = fast_state.CANDIDATES["fast-state 8% a1"]
        results = [checks(fast_state.estimate_runs(reports, statistic, rng, widening))
                   for reports in data.values()]
        cells = " ".join(f"{s.replace(' ', '')}:±{h:.1f}/{z:.0f}/{c:.0f}"
                         for s, (h, z, c) in zip(data, results))
        print(f"{name:15} z<1 {statistics.mean(r[1] for r in results):5.1f}  "
              f"cover {statistics.mean(r[2] for r in results):5.1f}  {cells}")


if __name__ == "__main__":
    main()
