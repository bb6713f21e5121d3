#!/usr/bin/env python3
"""How the `cargo xtask run` reports of one build kept here agree with each other, from the
figures the reports themselves give (no re-estimation): per row, each run's floor and its
half-width; the share of rows within 3 % (or 3 ns) of the median of the runs; how often one
run's floor lies inside another run's 95% interval ("cover", about 83 % with honest intervals of
equal width); how often two runs' floors differ by less than the root of the sum of squares of
their half-widths ("z < 1", about 95 % with honest intervals).

    cd docs/results && python3 2026-12-03-fast-state/reproducibility.py 2026-12-03-fast-state/benchmark1-run-*.json
"""
import json
import statistics
import sys


def figures(path):
    rows = {}
    for scenario in json.load(open(path))["scenarios"]:
        if scenario["name"] == "control":
            continue
        for tracer in scenario["tracers"]:
            if tracer.get("per_event_ns") is None:
                continue
            rows[(scenario["name"], tracer["tracer"])] = (
                tracer["per_event_ns"],
                tracer["per_event_ns_ci95"],
                tracer["ci95_half_width_pct"],
                len(tracer["traced_runs"]),
            )
    return rows


def main(paths):
    runs = [figures(p) for p in paths]
    keys = [k for k in runs[0] if all(k in r for r in runs)]
    print("| scenario | tracer | " + " | ".join(f"run {i + 1}" for i in range(len(runs)))
          + " | median | within 3 % |")
    print("|---|---|" + "---|" * (len(runs) + 2))
    close = cover = pairs = z = 0
    for key in keys:
        points = [r[key][0] for r in runs]
        middle = statistics.median(points)
        near = [abs(p - middle) <= max(3.0, 0.03 * abs(middle)) for p in points]
        close += sum(near)
        for i, a in enumerate(runs):
            for j, b in enumerate(runs):
                if i != j:
                    pairs += 1
                    cover += b[key][1][0] <= a[key][0] <= b[key][1][1]
                    if i < j:
                        half = [(r[key][1][1] - r[key][1][0]) / 2 for r in (a, b)]
                        z += abs(a[key][0] - b[key][0]) <= (half[0] ** 2 + half[1] ** 2) ** 0.5
        cells = " | ".join(f"{r[key][0]:.1f} ±{r[key][2]:.1f} % ({r[key][3]})" for r in runs)
        print(f"| {key[0]} | {key[1]} | {cells} | {middle:.1f} | {sum(near)} of {len(runs)} |")
    print()
    print(f"rows within 3 % (or 3 ns) of their median: {100 * close / (len(keys) * len(runs)):.1f} %"
          f" of {len(keys) * len(runs)}")
    print(f"a run's floor inside another run's interval: {100 * cover / pairs:.1f} % of {pairs} pairs")
    print(f"two runs' floors within the root of the sum of squares of their half-widths: "
          f"{200 * z / pairs:.1f} % of {pairs // 2} pairs")
    for i, r in enumerate(runs):
        widths = [r[k][2] for k in keys]
        print(f"run {i + 1}: median ±{statistics.median(widths):.2f} %, "
              f"{sum(w <= 2 or r[k][0] < 100 and w * r[k][0] / 100 <= 2 for w, k in zip(widths, keys))}"
              f" of {len(keys)} rows within ±2 % (±2 ns below 100 ns)")


if __name__ == "__main__":
    main(sys.argv[1:])
