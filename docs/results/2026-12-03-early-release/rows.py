#!/usr/bin/env python3
"""Each row's floor cost, its ±% and the tracer's median attach/detach ms, side by side for the
`run` reports given, and per report the mean over rows of each tracer's cost against the first
report's. From docs/results:

    python3 2026-12-03-early-release/rows.py 2026-12-03-early-release/ab/three-tracers-*.json
"""
import json
import statistics
import sys

reports = sys.argv[1:]
rows = {}
for path in reports:
    for scenario in json.load(open(path))["scenarios"]:
        for tracer in scenario["tracers"]:
            if tracer["per_event_ns"] is None:
                continue
            times = tracer.get("attach_times") or {}
            rows.setdefault((scenario["name"], tracer["tracer"]), {})[path] = (
                tracer["per_event_ns"],
                tracer["ci95_half_width_pct"],
                times.get("attach_ms", float("nan")),
                times.get("detach_ms", float("nan")),
            )
names = [p.rsplit("/", 1)[-1].removesuffix(".json") for p in reports]
print("row".ljust(28) + "".join(n.ljust(30) for n in names))
for (scenario, tracer), by_report in rows.items():
    cells = []
    for path in reports:
        ns, pct, attach, detach = by_report.get(path, (float("nan"),) * 4)
        cells.append(f"{ns:7.1f} ±{pct:4.1f}% {attach:5.1f}/{detach:5.1f} ms  ")
    print(f"{scenario + ' ' + tracer:28s}" + "".join(cells))
print()
for tracer in sorted({t for _, t in rows}):
    line = []
    for path in reports[1:]:
        moves = [
            100 * (v[path][0] / v[reports[0]][0] - 1)
            for (s, t), v in rows.items()
            if t == tracer and path in v and reports[0] in v and s != "control"
        ]
        if moves:
            line.append(f"{path.rsplit('/', 1)[-1]}: {statistics.mean(moves):+.1f} %")
    print(f"{tracer}: mean move of its rows against {names[0]}: " + ", ".join(line))
