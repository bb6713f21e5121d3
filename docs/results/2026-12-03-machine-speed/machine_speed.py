#!/usr/bin/env python3
"""Whether a row's per-event cost moves with the machine's speed between runs of one build.

For each row of a set of `run` reports: each run's floor cost and interval as the report gives
them, and the same at the set's common speed, that is, times (the median over the runs of the
row's control floor) / (this run's control floor). The control floor is the control side's
fast-state floor, as the report's estimator takes it (median, or with `fast-state-mean` mean, of
the run floors within 8 % of the second-lowest). Prints, for both: the share of rows within 3 % (or 3 ns) of their median over
the runs; "cover" (a run's figure inside another run's interval) and "z < 1" (two runs'
figures closer than the root of the sum of squares of their half-widths), as
2026-12-03-fast-state/reproducibility.py counts them; and how a row's cost moved against its
control: the least-squares slope, through the origin, of log(cost / row median) on
log(control / row median) over rows and runs (1: costs move in proportion to the control).
Scaled intervals are the report's scaled by the same factor; the control floor's own
uncertainty is left out of them.

    cd docs/results && python3 2026-12-03-machine-speed/machine_speed.py REPORT.json...
"""
import json
import math
import statistics
import sys


def fast_state_floor(floors, over_rounds):
    ordered = sorted(floors)
    anchor = ordered[min(1, len(ordered) - 1)]
    fast = [f for f in ordered if f <= anchor * 1.08]
    return statistics.mean(fast) if over_rounds == "fast-state-mean" else statistics.median(fast)


def rows(path):
    found = {}
    report = json.load(open(path))
    over_rounds = report.get("estimator", {}).get("over_rounds")
    for scenario in report["scenarios"]:
        if scenario["name"] == "control" or not scenario["control_runs"]:
            continue
        control = fast_state_floor([r["batch_ns_per_op"]["p1"] for r in scenario["control_runs"]],
                                   over_rounds)
        for tracer in scenario["tracers"]:
            if tracer.get("per_event_ns") is not None:
                found[(scenario["name"], tracer["tracer"])] = (
                    tracer["per_event_ns"], tracer["per_event_ns_ci95"], control)
    return found


def agreement(figures):
    """figures: {row: [(point, [low, high]) per run]} -> (within 3 %, cover, z < 1), percent."""
    close = cover = z = pairs = 0
    for runs in figures.values():
        middle = statistics.median(p for p, _ in runs)
        close += sum(abs(p - middle) <= max(3.0, 0.03 * abs(middle)) for p, _ in runs)
        for i, (a, a_ci) in enumerate(runs):
            for j, (b, b_ci) in enumerate(runs):
                if i == j:
                    continue
                pairs += 1
                cover += b_ci[0] <= a <= b_ci[1]
                half = [(ci[1] - ci[0]) / 2 for ci in (a_ci, b_ci)]
                z += abs(a - b) <= math.hypot(*half)
    count = sum(len(r) for r in figures.values())
    return 100 * close / count, 100 * cover / pairs, 100 * z / pairs


def main(paths):
    runs = [rows(p) for p in paths]
    keys = [k for k in runs[0] if all(k in r for r in runs)]
    measured, scaled = {}, {}
    xs, ys = [], []
    for key in keys:
        controls = [r[key][2] for r in runs]
        common = statistics.median(controls)
        points = [r[key][0] for r in runs]
        measured[key] = [(r[key][0], r[key][1]) for r in runs]
        scaled[key] = [(r[key][0] * common / r[key][2], [v * common / r[key][2] for v in r[key][1]])
                       for r in runs]
        middle = statistics.median(points)
        for point, control in zip(points, controls):
            if point > 0 and middle > 0:
                xs.append(math.log(control / common))
                ys.append(math.log(point / middle))
    print(f"{len(paths)} reports, {len(keys)} rows")
    print("each report's control floor, median over rows: "
          + ", ".join(f"{statistics.median(r[k][2] for k in keys):.1f}" for r in runs) + " ns")
    for name, figures in (("as measured", measured), ("at the common speed", scaled)):
        close, cover, z = agreement(figures)
        print(f"{name:>20}: within 3 % of the median {close:.1f} %, cover {cover:.1f} %, "
              f"z < 1 {z:.1f} %")
    slope = sum(x * y for x, y in zip(xs, ys)) / sum(x * x for x in xs)
    print(f"slope of a cost's move on its control's move: {slope:.2f} ({len(xs)} row-runs)")


if __name__ == "__main__":
    main(sys.argv[1:])
