#!/usr/bin/env python3
"""How well each floor estimator's interval predicts another run: reads `probecost run
--export-json` reports of one build (each run keeps the 1st percentile of its batches) and,
for each candidate, gives

* the median 95% half-width over rows and the share of rows within ±2 % (±2 ns below 100 ns),
  the interval a bootstrap over whole rounds (m of n rounds per resample, `M_FRACTION`);
* the share of rows within 3 % (or 3 ns) of the median of all the reports;
* how often one report's figure lies inside another report's interval ("cover"), the median
  and 90th percentile of the pairwise differences, and "x95", the factor by which the
  intervals would have to be widened for 95 % cover.

Candidates: `paired-med`, the median over rounds of (traced run's floor - control run's
floor), probecost's floor; `side-qNN`, the NN-th percentile over rounds of the traced runs'
floors minus the same of the control runs' floors; `side-min`, the lowest of each.

    python3 candidates.py M_FRACTION r1.json r2.json ...    (M_FRACTION 1: m = n)
"""
import json
import random
import statistics
import sys


def quantile(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def paired(control, traced):
    return statistics.median(t - c for c, t in zip(control, traced))


def side(p):
    return lambda control, traced: quantile(traced, p) - quantile(control, p)


CANDIDATES = {
    "paired-med": paired,
    "side-q10": side(0.10),
    "side-q20": side(0.20),
    "side-q30": side(0.30),
    "side-min": side(0.0),
}


def rows(path):
    """(scenario, tracer) -> (control floors, traced floors) per event, in round order."""
    report = json.load(open(path))
    out = {}
    for scenario in report["scenarios"]:
        if scenario["name"] == "control":
            continue
        events = scenario.get("events_per_op") or 1.0
        control = [r["batch_ns_per_op"]["p1"] / events for r in scenario["control_runs"]]
        for tracer in scenario["tracers"]:
            traced = [r["batch_ns_per_op"]["p1"] / events for r in tracer["traced_runs"]]
            n = min(len(control), len(traced))
            if n >= 3:
                out[(scenario["name"], tracer["tracer"])] = (control[:n], traced[:n])
    return out


def interval(statistic, control, traced, rng, m, resamples=400):
    values = []
    for _ in range(resamples):
        picks = [rng.randrange(len(control)) for _ in range(m)]
        values.append(statistic([control[i] for i in picks], [traced[i] for i in picks]))
    values.sort()
    return values[int(0.025 * resamples)], values[int(0.975 * resamples) - 1]


def main():
    m_fraction = float(sys.argv[1])
    reports = [rows(path) for path in sys.argv[2:]]
    keys = sorted(set.intersection(*(set(r) for r in reports)))
    rng = random.Random(1)
    for name, statistic in CANDIDATES.items():
        estimates = []
        for report in reports:
            estimate = {}
            for key in keys:
                control, traced = report[key]
                m = max(2, int(len(control) * m_fraction))
                estimate[key] = (statistic(control, traced),) + interval(
                    statistic, control, traced, rng, m
                )
            estimates.append(estimate)
        half_widths, within, close, cover, pairs, diffs, ratios = [], 0, 0, 0, 0, [], []
        for key in keys:
            points = [e[key][0] for e in estimates]
            middle = statistics.median(points)
            for point, lo, hi in (e[key] for e in estimates):
                half = (hi - lo) / 2
                half_widths.append(half / abs(point) * 100)
                within += half <= 2 if abs(point) < 100 else half / abs(point) <= 0.02
                close += abs(point - middle) <= max(3, 0.03 * abs(middle))
            for i, a in enumerate(estimates):
                for j, b in enumerate(estimates):
                    if i == j:
                        continue
                    pairs += 1
                    cover += b[key][1] <= a[key][0] <= b[key][2]
                    ratios.append(abs(a[key][0] - b[key][0]) / max((b[key][2] - b[key][1]) / 2, 1e-9))
                    if i < j:
                        diffs.append(abs(a[key][0] - b[key][0]) / abs(b[key][0]) * 100)
        diffs.sort()
        ratios.sort()
        total = len(keys) * len(estimates)
        print(
            f"{name:10} median ±{statistics.median(half_widths):5.2f} %  within ±2 % {100 * within / total:5.1f} %"
            f"  within 3 % of median {100 * close / total:5.1f} %  cover {100 * cover / pairs:5.1f} %"
            f"  |A-B| median {diffs[len(diffs) // 2]:.2f} % p90 {diffs[int(0.9 * len(diffs))]:.2f} %"
            f"  x95 {ratios[int(0.95 * len(ratios))]:.1f}"
        )


if __name__ == "__main__":
    main()
