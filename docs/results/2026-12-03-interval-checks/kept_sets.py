"""The sets of `probecost run` reports of one build kept in docs/results (2026-12-01 to
2026-12-03, six instances of this machine kind, 4 to 12 runs each) that this page's scripts
re-read, as glob patterns from docs/results."""

SETS = [
    "2026-12-01-fresh-task/benchmark1-run-*.json",
    "2026-12-02-noisy-instance/benchmark1-run-*.json",
    "2026-12-02-layout/started-ahead/started-ahead-a*.json",
    "2026-12-02-layout/started-ahead/started-ahead-b*.json",
    "2026-12-02-layout/started-ahead/forked-a*.json",
    "2026-12-02-layout/started-ahead/forked-b*.json",
    "2026-12-02-layout/new-process/new-process-a*.json",
    "2026-12-02-layout/new-process/new-process-b*.json",
    "2026-12-02-layout/new-process/forked-a*.json",
    "2026-12-02-layout/new-process/forked-b*.json",
    "2026-12-02-layout/aslr/fixed-a*.json",
    "2026-12-02-layout/aslr/fixed-b*.json",
    "2026-12-02-layout/aslr/fixed-c*.json",
    "2026-12-02-layout/aslr/randomized-a*.json",
    "2026-12-02-layout/aslr/randomized-b*.json",
    "2026-12-02-layout/aslr/randomized-c*.json",
    "2026-12-03-fast-state/benchmark1-run-*.json",
    "2026-12-03-fast-state/benchmark1-final-run-*.json",
    "2026-12-03-shorter-runs/benchmark1-run-*.json",
    "2026-12-03-machine-speed/benchmark1-run-*.json",
    "2026-12-03-early-release/benchmark1-run-*.json",
]
