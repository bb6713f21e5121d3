#!/usr/bin/env python3
"""aya (Rust) against libbpf (C) in each `cargo xtask run` report kept here: per row, the
difference of the two floors in every run, whether it lies beyond the two intervals' combined
half-width (sqrt(a^2 + b^2), the two rows' rounds being independent), and each program's size
after the kernel's rewrites (xlated instructions) and the verifier's count.

    cd docs/results && python3 2026-12-03-fast-state/rust_vs_c.py 2026-12-03-fast-state/benchmark1-run-*.json
"""
import json
import math
import statistics
import sys


def tracers(scenario):
    return {t["tracer"]: t for t in scenario["tracers"] if t.get("per_event_ns") is not None}


def main(paths):
    reports = [json.load(open(p)) for p in paths]
    names = [s["name"] for s in reports[0]["scenarios"] if s["name"] != "control"]
    print("| scenario | aya - libbpf, ns per event, each run | beyond the noise | median | xlated insns aya / libbpf | verified insns aya / libbpf |")
    print("|---|---|---|---|---|---|")
    for name in names:
        diffs, beyond, sizes = [], 0, None
        for report in reports:
            scenario = next(s for s in report["scenarios"] if s["name"] == name)
            ts = tracers(scenario)
            if "aya" not in ts or "libbpf" not in ts:
                break
            a, c = ts["aya"], ts["libbpf"]
            half = lambda t: (t["per_event_ns_ci95"][1] - t["per_event_ns_ci95"][0]) / 2
            diff = a["per_event_ns"] - c["per_event_ns"]
            diffs.append(diff)
            beyond += abs(diff) > math.hypot(half(a), half(c))
            sizes = [(t["verification"] or {}) for t in (a, c)]
        if not diffs:
            continue
        cells = ", ".join(f"{d:+.1f}" for d in diffs)
        xl = " / ".join(str(s.get("xlated_insns")) for s in sizes)
        vi = " / ".join(str(s.get("verified_insns")) for s in sizes)
        print(f"| {name} | {cells} | {beyond} of {len(diffs)} | {statistics.median(diffs):+.1f} | {xl} | {vi} |")


if __name__ == "__main__":
    main(sys.argv[1:])
