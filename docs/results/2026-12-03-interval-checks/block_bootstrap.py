#!/usr/bin/env python3
"""Whether a row's rounds depend on the rounds before them, and whether a bootstrap that
resamples runs of consecutive rounds (a moving-block bootstrap) gives more honest intervals
than the bootstrap of single rounds that probecost uses.

First, over every row and run with at least 16 rounds in the kept sets: the mean rank
autocorrelation of the control runs' floors, the traced runs' floors and their differences at
lags of 1, 2 and 4 rounds (about -1/n, near -0.03, for independent rounds).

Then every row of every set re-estimated as probecost does (fast-state floors, percentile
bootstrap, widened by t(0.975, n - 1) / 1.96), with the resampled rounds drawn one by one (as
probecost does) or in circular blocks of consecutive rounds, and, per variant: "z < 1" (two
runs' figures closer than the root of the sum of squares of their half-widths; about 95 % with
honest intervals), "cover" (a run's figure inside another run's interval; about 83 %), the
median half-width and the share of rows within ±2 % (±2 ns below 100 ns); then z < 1 per set.

    cd docs/results && python3 2026-12-03-interval-checks/block_bootstrap.py   (needs numpy)
"""
import glob
import json
import math
import statistics

import numpy as np

from kept_sets import SETS
from sequential_stop import load, t_widening, fast_state

RESAMPLES = 400


def rank_autocorrelation(values, lag):
    ranks = np.argsort(np.argsort(values)).astype(float)
    ranks -= ranks.mean()
    return float((ranks[:-lag] * ranks[lag:]).sum() / (ranks * ranks).sum())


def single_rounds(n, rng):
    return rng.integers(0, n, size=(RESAMPLES, n))


def blocks_of(length):
    def picks(n, rng):
        size = max(1, min(n, length(n)))
        blocks = math.ceil(n / size)
        starts = rng.integers(0, n, size=(RESAMPLES, blocks))
        rounds = (starts[:, :, None] + np.arange(size)[None, None, :]) % n
        return rounds.reshape(RESAMPLES, -1)[:, :n]
    return picks


VARIANTS = {
    "single rounds": single_rounds,
    "blocks of 2": blocks_of(lambda n: 2),
    "blocks of 3": blocks_of(lambda n: 3),
    "blocks of n^(1/3)": blocks_of(lambda n: round(n ** (1 / 3))),
    "blocks of n^(1/2)": blocks_of(lambda n: round(n ** 0.5)),
}


def estimate(control, traced, events, picks):
    values = (fast_state(traced[picks]) - fast_state(control[picks])) / events
    point = (fast_state(traced[None, :]) - fast_state(control[None, :]))[0] / events
    low, high = np.percentile(values, [2.5, 97.5])
    widening = t_widening(len(control))
    return point, point - (point - low) * widening, point + (high - point) * widening


def main():
    data = [[load(path) for path in sorted(glob.glob(pattern))] for pattern in SETS]
    data = [runs for runs in data if len(runs) >= 3]

    lags = (1, 2, 4)
    correlations = {side: {lag: [] for lag in lags} for side in ("control", "traced", "difference")}
    for runs in data:
        for rows in runs:
            for control, traced, _ in rows.values():
                if len(control) < 16:
                    continue
                for lag in lags:
                    for side, values in (("control", control), ("traced", traced),
                                         ("difference", traced - control)):
                        correlations[side][lag].append(rank_autocorrelation(values, lag))
    print("mean rank autocorrelation of a row's rounds (row-runs with 16 rounds or more)")
    for side, by_lag in correlations.items():
        cells = ", ".join(f"lag {lag}: {statistics.mean(v):+.3f}" for lag, v in by_lag.items())
        print(f"  {side:10} {cells} ({len(by_lag[1])} row-runs)")

    print(f"\n{len(data)} sets; variant, z < 1, cover, median ±, rows within ±2 %; z < 1 per set")
    for name, picks in VARIANTS.items():
        rng = np.random.default_rng(1)
        z = cover = pairs = within = count = 0
        half_widths, per_set = [], []
        for runs in data:
            keys = sorted(set.intersection(*(set(rows) for rows in runs)))
            figures = [{key: estimate(*rows[key], picks(len(rows[key][0]), rng)) for key in keys}
                       for rows in runs]
            set_z = set_pairs = 0
            for key in keys:
                for i, a in enumerate(figures):
                    point, low, high = a[key]
                    half = (high - low) / 2
                    half_widths.append(half / abs(point) * 100)
                    within += half <= 0.02 * max(abs(point), 100.0)
                    count += 1
                    for j, b in enumerate(figures):
                        if i == j:
                            continue
                        close = abs(point - b[key][0]) <= math.hypot(half, (b[key][2] - b[key][1]) / 2)
                        z += close
                        set_z += close
                        cover += b[key][1] <= point <= b[key][2]
                        pairs += 1
                        set_pairs += 1
            per_set.append(100 * set_z / set_pairs)
        print(f"  {name:18} {100 * z / pairs:5.1f} % {100 * cover / pairs:5.1f} % "
              f"±{statistics.median(half_widths):.2f} % {100 * within / count:5.1f} %   "
              + " ".join(f"{v:.0f}" for v in per_set))


if __name__ == "__main__":
    main()
