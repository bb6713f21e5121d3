#!/usr/bin/env python3
"""An independent measurement of one BPF object's per-event cost, made without probecost: the
floor of a plain C loop (floor_loop.c) with nothing attached and with the object held attached
by a small libbpf loader (tests/objects/loader.c), in alternating rounds. Prints each round's
traced floor minus the mean of the control floors either side, then their median and range.

    gcc -O2 -o floor_loop floor_loop.c
    gcc -O2 -o loader ../../../tests/objects/loader.c -l:libbpf.so.1
    python3 independent.py OBJECT PROGRAM [ROUNDS] [CPU]
"""
import signal
import statistics
import subprocess
import sys


def floor(cpu):
    return float(subprocess.run(["./floor_loop", str(cpu)], check=True,
                                capture_output=True, text=True).stdout)


def traced_floor(obj, program, cpu):
    # The loader runs on the other CPUs, like probecost's tracer processes.
    others = ",".join(str(c) for c in range(64) if c != cpu)
    loader = subprocess.Popen(["taskset", "-c", others, "./loader", obj, program],
                              stdout=subprocess.PIPE, text=True)
    try:
        if "attached" not in loader.stdout.readline():
            sys.exit("the loader did not attach")
        return floor(cpu)
    finally:
        loader.send_signal(signal.SIGINT)
        loader.wait()


def main(obj, program, rounds=12, cpu=1):
    costs = []
    control = floor(cpu)
    for _ in range(rounds):
        traced = traced_floor(obj, program, cpu)
        after = floor(cpu)
        costs.append(traced - (control + after) / 2)
        print("control %.1f traced %.1f cost %.1f" % (control, traced, costs[-1]), flush=True)
        control = after
    print("per-event cost: median %.1f ns, rounds %.1f to %.1f (%d rounds)"
          % (statistics.median(costs), min(costs), max(costs), len(costs)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:]))
