#!/usr/bin/env python3
"""What the length of a run changes, from `probecost run --tracer aya,libbpf,bpftrace
--target-ci 2 --max-time 240 --run-time-ms MS` reports: per report, the rounds the cheap rows
got, how many rows reached ±2 % (±2 ns below 100 ns) and the median half-width, the control
runs' floors (10th percentile and median over every row's control runs), and how much a
run's floor spreads from one round to the next (the median over rows of the robust standard
deviation, 1.4826 x MAD, of the control's and of the traced side's run floors); then, per
50 ms report, how far its rows' floors lie from the mean of the 150 ms reports'.

    cd docs/results && python3 2026-12-03-shorter-runs/run_length.py 2026-12-03-shorter-runs/run-length-*.json
"""
import json
import statistics
import sys


def robust_sd(values):
    middle = statistics.median(values)
    return 1.4826 * statistics.median(abs(v - middle) for v in values)


def main(paths):
    print("| report | rounds (most) | rows within ±2 % | median ± | control floor p10, median"
          " | run-to-run spread: control, traced (ns) |")
    print("|---|---|---|---|---|---|")
    for path in paths:
        report = json.load(open(path))
        widths, within, control_sd, traced_sd = [], 0, [], []
        rounds = max(s["runs"] for s in report["scenarios"])
        floors = [r["batch_ns_per_op"]["p1"] for s in report["scenarios"] for r in s["control_runs"]]
        for scenario in report["scenarios"]:
            if scenario["name"] == "control":
                continue
            control = [r["batch_ns_per_op"]["p1"] for r in scenario["control_runs"]]
            for tracer in scenario["tracers"]:
                cost, width = tracer.get("per_event_ns"), tracer.get("ci95_half_width_pct")
                if cost is None:
                    continue
                widths.append(width)
                within += width <= 2 or abs(cost) < 100 and width * abs(cost) / 100 <= 2
                traced = [r["batch_ns_per_op"]["p1"] for r in tracer["traced_runs"]]
                if len(traced) >= 5:
                    control_sd.append(robust_sd(control))
                    traced_sd.append(robust_sd(traced))
        floors.sort()
        print(f"| {path.split('/')[-1]} | {rounds} | {within} of {len(widths)} "
              f"| ±{statistics.median(widths):.2f} % | {floors[len(floors) // 10]:.1f}, "
              f"{statistics.median(floors):.1f} | {statistics.median(control_sd):.1f}, "
              f"{statistics.median(traced_sd):.1f} |")


def costs(path):
    return {(s["name"], t["tracer"]): t["per_event_ns"]
            for s in json.load(open(path))["scenarios"] if s["name"] != "control"
            for t in s["tracers"] if t.get("per_event_ns") is not None}


def against_150ms(paths):
    base = [costs(p) for p in paths if "150ms" in p]
    for path in (p for p in paths if "-50ms" in p):
        rows = costs(path)
        moved = sorted(100 * (rows[k] / statistics.mean(b[k] for b in base) - 1) for k in rows)
        print(f"{path.split('/')[-1]}: rows' floors against the 150 ms reports' mean: median "
              f"{statistics.median(moved):+.1f} %, quartiles {moved[len(moved) // 4]:+.1f} % "
              f"and {moved[3 * len(moved) // 4]:+.1f} %")


if __name__ == "__main__":
    main(sys.argv[1:])
    print()
    against_150ms(sys.argv[1:])
