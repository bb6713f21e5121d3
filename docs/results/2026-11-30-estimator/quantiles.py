#!/usr/bin/env python3
"""Which floor estimator holds still: reads `probecost run --export-json` reports (each run
keeps its mean and the low quantiles of its batches) and, for each candidate, gives the rows'
95% interval half-widths (bootstrap over rounds, as probecost's estimator does) and, across
the reports, how often each report's figure lies within 3 % (or 3 ns) of the median of all
of them.

Candidates: `paired-Q`, the median over rounds of (traced run's Q - control run's Q);
`lowest-Q`, (lowest traced run's Q - lowest control run's Q), probecost's floor; `mean`, the
median over rounds of the paired means (probecost's typical figure).

    python3 quantiles.py r1.json r2.json ...
"""
import json
import random
import statistics
import sys

QUANTILES = ["min", "p1", "p5", "p10"]


def figure(run, q):
    return run["mean_ns_per_op"] if q == "mean" else run["batch_ns_per_op"][q]


def paired(rounds):
    return statistics.median(t - c for c, t in rounds)


def lowest(rounds):
    return min(t for _, t in rounds) - min(c for c, _ in rounds)


CANDIDATES = [(f"paired-{q}", q, paired) for q in QUANTILES]
CANDIDATES += [(f"lowest-{q}", q, lowest) for q in QUANTILES]
CANDIDATES += [("mean", "mean", paired)]


def interval(rounds, statistic, rng, resamples=1000):
    # m-out-of-n bootstrap for the `lowest-*` statistics (a minimum's n-of-n bootstrap is
    # too narrow): resamples of half the rounds.
    m = len(rounds) if statistic is paired else max(2, len(rounds) // 2)
    values = sorted(
        statistic([rng.choice(rounds) for _ in range(m)]) for _ in range(resamples)
    )
    return values[int(0.025 * (resamples - 1))], values[int(0.975 * (resamples - 1))]


def main(paths):
    reports = [json.load(open(p)) for p in paths]
    rng = random.Random(1)
    print(f"{len(reports)} report(s); the control row left out")
    print(f"{'estimator':>10} {'median ±%':>10} {'p90 ±%':>8} {'within ±2 % (2 ns)':>19} "
          f"{'within 3 % (3 ns) of the reports median':>40} {'inside the others CI':>21}")
    for name, q, statistic in CANDIDATES:
        widths, within, points = [], [], {}
        for index, report in enumerate(reports):
            for scenario in report["scenarios"]:
                if scenario["name"] == "control":
                    continue
                events = scenario["events_per_op"]
                for tracer in scenario["tracers"]:
                    if not tracer["traced_runs"]:
                        continue
                    rounds = [
                        (figure(c, q) / events, figure(t, q) / events)
                        for c, t in zip(scenario["control_runs"], tracer["traced_runs"])
                    ]
                    point = statistic(rounds)
                    low, high = interval(rounds, statistic, rng)
                    half = (high - low) / 2
                    widths.append(half / abs(point) * 100 if point else float("inf"))
                    within.append(half <= max(2.0, 0.02 * abs(point)))
                    points.setdefault((scenario["name"], tracer["tracer"]), []).append(
                        (point, low, high))
        close, covered = [], []
        for per_report in points.values():
            if len(per_report) < 2:
                continue
            centre = statistics.median(p for p, _, _ in per_report)
            close += [abs(p - centre) <= max(3.0, 0.03 * abs(centre)) for p, _, _ in per_report]
            for i, (p, _, _) in enumerate(per_report):
                covered += [lo <= p <= hi for j, (_, lo, hi) in enumerate(per_report) if j != i]
        widths.sort()
        share = lambda xs: f"{sum(xs)}/{len(xs)} ({100 * sum(xs) / len(xs):.0f} %)" if xs else "-"
        print(f"{name:>10} {statistics.median(widths):>10.1f} "
              f"{widths[int(0.9 * (len(widths) - 1))]:>8.1f} {share(within):>19} "
              f"{share(close):>40} {share(covered):>21}")


if __name__ == "__main__":
    main(sys.argv[1:])
