#!/usr/bin/env python3
"""How well each way of taking a side's floor over its rounds reproduces between runs, on every
set of `probecost run` reports of one build kept in docs/results (six instances of this machine
kind, 2026-12-01 to 2026-12-03). Every run keeps the 1st percentile of its batches (its floor);
a candidate turns a row's control and traced run floors into a per-event cost:

* `paired-median`: the median over rounds of (traced floor - control floor), the estimator of
  the reports before this comparison;
* `fast-state W aN`: for each side, the median of the runs whose floor is within W of the
  side's (N+1)-th lowest run floor (the runs that met the machine's fast state); traced minus
  control;
* `side-qNN`: the NN-th percentile over rounds of each side's floors; traced minus control.

For each set: the median 95% half-width (a bootstrap over whole rounds, 200 resamples), the
share of rows within 3 % (or 3 ns) of the median of the set's runs, and how often one run's
figure lies inside another run's interval ("cover").

    cd docs/results && python3 2026-12-03-fast-state/fast_state.py
"""
import glob
import json
import random
import statistics

SETS = {
    "restless 5": "2026-12-02-noisy-instance/benchmark1-run-*.json",
    "calm 5": "2026-12-01-fresh-task/benchmark1-run-*.json",
    "steady 5": "2026-12-03-fast-state/benchmark1-run-*.json",
    "ahead A 8": "2026-12-02-layout/started-ahead/started-ahead-a*.json",
    "ahead B 8": "2026-12-02-layout/started-ahead/started-ahead-b*.json",
    "forked A 8": "2026-12-02-layout/started-ahead/forked-a*.json",
    "forked B 8": "2026-12-02-layout/started-ahead/forked-b*.json",
    "new-proc A 12": "2026-12-02-layout/new-process/new-process-a*.json",
    "new-proc B 12": "2026-12-02-layout/new-process/new-process-b*.json",
    "np-forked A 12": "2026-12-02-layout/new-process/forked-a*.json",
    "np-forked B 12": "2026-12-02-layout/new-process/forked-b*.json",
    "fixed A 4": "2026-12-02-layout/aslr/fixed-a*.json",
    "fixed B 6": "2026-12-02-layout/aslr/fixed-b*.json",
    "fixed C 6": "2026-12-02-layout/aslr/fixed-c*.json",
    "random A 4": "2026-12-02-layout/aslr/randomized-a*.json",
    "random B 6": "2026-12-02-layout/aslr/randomized-b*.json",
    "random C 6": "2026-12-02-layout/aslr/randomized-c*.json",
}


def quantile(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def fast_state(window, anchor):
    def side(floors):
        lowest = sorted(floors)[min(anchor, len(floors) - 1)]
        return statistics.median(f for f in floors if f <= lowest * (1 + window))

    return lambda control, traced: side(traced) - side(control)


CANDIDATES = {
    "paired-median": lambda c, t: statistics.median(b - a for a, b in zip(c, t)),
    "fast-state 8% a1": fast_state(0.08, 1),
    "fast-state 5% a1": fast_state(0.05, 1),
    "fast-state 10% a1": fast_state(0.10, 1),
    "fast-state 5% a0": fast_state(0.05, 0),
    "fast-state 8% a2": fast_state(0.08, 2),
    "side-q10": lambda c, t: quantile(t, 0.1) - quantile(c, 0.1),
    "side-q20": lambda c, t: quantile(t, 0.2) - quantile(c, 0.2),
}


def load(paths):
    reports = []
    for path in paths:
        rows = {}
        for scenario in json.load(open(path))["scenarios"]:
            if scenario["name"] == "control":
                continue
            events = scenario.get("events_per_op") or 1.0
            control = [r["batch_ns_per_op"]["p1"] for r in scenario["control_runs"]]
            for tracer in scenario["tracers"]:
                traced = [r["batch_ns_per_op"]["p1"] for r in tracer["traced_runs"]]
                n = min(len(control), len(traced))
                if n >= 3:
                    rows[(scenario["name"], tracer["tracer"])] = (control[:n], traced[:n], events)
        reports.append(rows)
    return reports


def estimate_runs(reports, statistic, rng, widening=lambda rounds: 1.0):
    """Per run, per row: (figure, low, high), the interval a bootstrap over whole rounds
    (200 resamples), scaled about the figure by widening(rounds)."""
    estimates = []
    for rows in reports:
        estimate = {}
        for key, (control, traced, events) in rows.items():
            n = len(control)
            values = []
            for _ in range(200):
                picks = [rng.randrange(n) for _ in range(n)]
                values.append(
                    statistic([control[i] for i in picks], [traced[i] for i in picks]) / events
                )
            values.sort()
            point, k = statistic(control, traced) / events, widening(n)
            estimate[key] = (point, point - (point - values[4]) * k, point + (values[195] - point) * k)
        estimates.append(estimate)
    return estimates


def evaluate(reports, statistic, rng):
    estimates = estimate_runs(reports, statistic, rng)
    keys = sorted(set.intersection(*(set(e) for e in estimates)))
    half_widths, close, cover, pairs = [], 0, 0, 0
    for key in keys:
        middle = statistics.median(e[key][0] for e in estimates)
        for point, lo, hi in (e[key] for e in estimates):
            half_widths.append((hi - lo) / 2 / abs(point) * 100)
            close += abs(point - middle) <= max(3, 0.03 * abs(middle))
        for i, a in enumerate(estimates):
            for j, b in enumerate(estimates):
                if i != j:
                    pairs += 1
                    cover += b[key][1] <= a[key][0] <= b[key][2]
    return (
        statistics.median(half_widths),
        100 * close / (len(keys) * len(estimates)),
        100 * cover / pairs,
    )


def main():
    data = {name: load(sorted(glob.glob(pattern))) for name, pattern in SETS.items()}
    print("±% median half-width, within 3 % of the set's median, cover; then the means over sets")
    print(f"{'':18}" + "".join(f"{name:>18}" for name in SETS) + f"{'mean':>16}")
    for name, statistic in CANDIDATES.items():
        rng = random.Random(1)
        results = [evaluate(reports, statistic, rng) for reports in data.values()]
        cells = "".join(f"  ±{h:4.1f} {w:3.0f} {c:3.0f}   " for h, w, c in results)
        means = (
            statistics.mean(r[1] for r in results),
            statistics.mean(r[2] for r in results),
        )
        print(f"{name:18}{cells}  {means[0]:5.1f} {means[1]:5.1f}")


if __name__ == "__main__":
    main()
