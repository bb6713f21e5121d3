#!/usr/bin/env python3
"""The per-event rows of the reports in this directory, one line per report and row: the
floor with its 95% interval and half-width, the typical cost, and what reached user space.
Then, for the full runs, which rows missed ±2 % (±2 ns below 100 ns).

    python3 aya_log_reader.py > aya_log_reader.out
"""
import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# The builds compared, in the order the page describes them.
VARIANTS = [
    ("waiting", "63f5248: aya-log's 128 KiB ring, reader waits on its descriptor"),
    ("waiting-16mib", "16 MiB ring, reader waits on its descriptor"),
    ("polled", "16 MiB ring, polled every millisecond"),
    ("polled-128kib", "aya-log's 128 KiB ring, polled every millisecond"),
    ("final", "this page's commit: 16 MiB ring, polled every millisecond"),
]


def rows(path, tracers=("aya", "libbpf", "bpftrace")):
    report = json.load(open(path))
    for scenario in report["scenarios"]:
        for tracer in scenario["tracers"]:
            if tracer["tracer"] in tracers and tracer.get("per_event_ns") is not None:
                yield scenario["name"], tracer


def describe(name, tracer):
    lo, hi = tracer["per_event_ns_ci95"]
    typ_lo, typ_hi = tracer["typical_ns_ci95"]
    delivery = tracer.get("delivery") or {}
    lost = delivery.get("lost")
    seen = delivery.get("seen")
    lost_pct = "" if not seen else " lost %.1f %%" % (100.0 * lost / seen)
    return "%-18s %-8s floor %7.1f [%7.1f, %7.1f] ±%5.1f %%  typical %7.1f [%7.1f, %7.1f]%s%s" % (
        name, tracer["tracer"], tracer["per_event_ns"], lo, hi, tracer["ci95_half_width_pct"],
        tracer["typical_ns"], typ_lo, typ_hi, " bursty" if tracer["bursty"] else "", lost_pct)


def main():
    print("## aya's per-event rows, `run --tracer aya --scenario per-event-aya-log,per-event --rounds 30`")
    for variant, what in VARIANTS:
        files = sorted(glob.glob(os.path.join(HERE, "aya-only", variant + "-[0-9].json")))
        if not files:
            continue
        print("\n%s (%s)" % (variant, what))
        for path in files:
            for name, tracer in rows(path, ("aya",)):
                if name == "per-event-aya-log" or variant in ("waiting", "polled", "final"):
                    print("  %-20s %s" % (os.path.basename(path), describe(name, tracer)))

    print("\n## bpftrace beside them, `run --tracer aya,bpftrace --scenario per-event-aya-log,per-event --rounds 20`")
    for variant in ("waiting", "final"):
        print("\n%s" % variant)
        for path in sorted(glob.glob(os.path.join(HERE, "with-bpftrace", variant + "-[0-9].json"))):
            for name, tracer in rows(path):
                print("  %-20s %s" % (os.path.basename(path), describe(name, tracer)))

    print("\n## full runs, `run --tracer aya,libbpf,bpftrace --target-ci 2 --max-rounds 100 --max-time 270`")
    for path in sorted(glob.glob(os.path.join(HERE, "full", "*.json"))):
        misses, count = [], 0
        for name, tracer in rows(path):
            if name == "control":
                continue
            count += 1
            ns = tracer["per_event_ns"]
            lo, hi = tracer["per_event_ns_ci95"]
            half = (hi - lo) / 2
            if half > (0.02 * ns if ns >= 100 else 2.0):
                misses.append("%s %s ±%.1f %%" % (name, tracer["tracer"], 100 * half / ns))
        print("\n%s: %d of %d rows within ±2 %%%s" % (
            os.path.basename(path), count - len(misses), count,
            "; missed: " + ", ".join(misses) if misses else ""))
        for name, tracer in rows(path):
            if name.startswith("per-event"):
                print("  " + describe(name, tracer))


if __name__ == "__main__":
    main()
