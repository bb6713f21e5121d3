#!/usr/bin/env python3
"""How long bpftrace takes to start (until it prints `Attaching N probe...`) and to stop (from
SIGINT until it exits), three times, for the script given; bpftrace on CPU 0.

    python3 bpftrace_stop.py 'tracepoint:syscalls:sys_enter_read { @ = count(); }'
"""
import signal
import subprocess
import sys
import time


def main(script):
    for _ in range(3):
        begun = time.monotonic()
        tracer = subprocess.Popen(["taskset", "-c", "0", "bpftrace", "-e", script],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = tracer.stdout.readline()
        attached = time.monotonic()
        time.sleep(0.3)
        stopping = time.monotonic()
        tracer.send_signal(signal.SIGINT)
        tracer.communicate()
        stopped = time.monotonic()
        print("start %.0f ms, stop %.0f ms  (%s)"
              % ((attached - begun) * 1e3, (stopped - stopping) * 1e3, line.strip()))


if __name__ == "__main__":
    main(sys.argv[1])
