#!/usr/bin/env python3
"""Where a traced side's run-to-run spread comes from, outside probecost: blocks of N 50 ms
runs of a plain C loop (floor_multi.c, the dd-style operation pinned to CPU 1, each run's
floor the 1st percentile of its 500-operation batches), in five arrangements, in turn:

    C  new-proc          nothing attached, each run a new process
    A  held,new-proc     the object attached once for the block, each run a new process
    A' held,one-proc     attached once, the block's runs in one process
    B  reattach          attached and detached around every run, each run a new process
    C' one-proc          nothing attached, the block's runs in one process

For each block: the 25th percentile, median and minimum of its run floors, their robust
standard deviation (1.4826 x MAD) and the standard deviation of the lower half.

    gcc -O2 -o floor_multi floor_multi.c
    gcc -O2 -o loader ../../../tests/objects/loader.c -l:libbpf.so.1
    python3 spread.py OBJECT PROGRAM [N] [CYCLES]
"""
import signal
import statistics
import subprocess
import sys

CPU = 1
OTHERS = ",".join(str(c) for c in range(64) if c != CPU)


def floors(runs):
    out = subprocess.run(["./floor_multi", str(CPU), str(runs), "50"], check=True,
                         capture_output=True, text=True).stdout
    return [float(x) for x in out.split()]


def attach(obj, program):
    loader = subprocess.Popen(["taskset", "-c", OTHERS, "./loader", obj, program],
                              stdout=subprocess.PIPE, text=True)
    if "attached" not in loader.stdout.readline():
        sys.exit("the loader did not attach")
    return loader


def detach(loader):
    loader.send_signal(signal.SIGINT)
    loader.wait()


def robust_sd(values):
    middle = statistics.median(values)
    return 1.4826 * statistics.median(abs(v - middle) for v in values)


def held(obj, program, measure):
    loader = attach(obj, program)
    try:
        return measure()
    finally:
        detach(loader)


def reattached(obj, program, n):
    return [held(obj, program, lambda: floors(1)[0]) for _ in range(n)]


def main(obj, program, n=16, cycles=3):
    spreads = {}
    for cycle in range(cycles):
        blocks = {
            "C  new-proc": [floors(1)[0] for _ in range(n)],
            "A  held,new-proc": held(obj, program, lambda: [floors(1)[0] for _ in range(n)]),
            "A' held,one-proc": held(obj, program, lambda: floors(n)),
            "B  reattach": reattached(obj, program, n),
            "C' one-proc": floors(n),
        }
        for name, values in blocks.items():
            ordered = sorted(values)
            print("%d %-17s p25 %.1f median %.1f min %.1f  robust SD %.2f  SD of lower half %.2f"
                  % (cycle, name, ordered[n // 4], statistics.median(values), ordered[0],
                     robust_sd(values), statistics.stdev(ordered[:n // 2])), flush=True)
            spreads.setdefault(name, []).append(robust_sd(values))
    for name, values in spreads.items():
        print("%-17s robust SD per cycle: %s" % (name, ", ".join("%.2f" % v for v in values)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:]))
