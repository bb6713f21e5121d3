#!/bin/sh
# machine_speed.py over every kept set of `run` reports of one build (the sets of
# 2026-12-03-fast-state/fast_state.py, and those made since), from docs/results.
for set in \
    "2026-12-01-fresh-task/benchmark1-run-*.json" \
    "2026-12-02-noisy-instance/benchmark1-run-*.json" \
    "2026-12-02-layout/started-ahead/started-ahead-a*.json" \
    "2026-12-02-layout/started-ahead/started-ahead-b*.json" \
    "2026-12-02-layout/started-ahead/forked-a*.json" \
    "2026-12-02-layout/started-ahead/forked-b*.json" \
    "2026-12-02-layout/new-process/new-process-a*.json" \
    "2026-12-02-layout/new-process/new-process-b*.json" \
    "2026-12-02-layout/new-process/forked-a*.json" \
    "2026-12-02-layout/new-process/forked-b*.json" \
    "2026-12-02-layout/aslr/fixed-a*.json" \
    "2026-12-02-layout/aslr/fixed-b*.json" \
    "2026-12-02-layout/aslr/fixed-c*.json" \
    "2026-12-02-layout/aslr/randomized-a*.json" \
    "2026-12-02-layout/aslr/randomized-b*.json" \
    "2026-12-02-layout/aslr/randomized-c*.json" \
    "2026-12-03-fast-state/benchmark1-run-*.json" \
    "2026-12-03-fast-state/benchmark1-final-run-*.json" \
    "2026-12-03-shorter-runs/run-length-*.json" \
    "2026-12-03-shorter-runs/benchmark1-run-*.json" \
    "2026-12-03-machine-speed/benchmark1-run-*.json"
do
    echo "== $set"
    # shellcheck disable=SC2086
    python3 2026-12-03-machine-speed/machine_speed.py $set
done
