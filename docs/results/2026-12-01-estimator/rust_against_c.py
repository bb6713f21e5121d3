#!/usr/bin/env python3
"""aya against libbpf, row by row, across `probecost run --tracer aya,libbpf,...` reports of
one build: each run's difference of the two floors, in how many runs the two 95% intervals do
not overlap, and the programs' sizes (xlated instructions) from the verification run.

    python3 rust_against_c.py r1.json r2.json ...
"""
import json,sys
runs=[json.load(open(p)) for p in sys.argv[1:]]
names=[s['name'] for s in runs[0]['scenarios'] if s['name']!='control']
print("| row | aya - libbpf, ns (runs 1-5) | runs whose intervals do not overlap | aya / libbpf xlated insns |")
print("|---|---|---|---|")
for n in names:
    diffs=[];sep=0;ins=None
    for r in runs:
        s=[x for x in r['scenarios'] if x['name']==n][0]
        t={x['tracer']:x for x in s['tracers']}
        if 'libbpf' not in t or t['libbpf']['per_event_ns'] is None or t['aya']['per_event_ns'] is None: break
        a,l=t['aya'],t['libbpf']
        diffs.append(a['per_event_ns']-l['per_event_ns'])
        if a['per_event_ns_ci95'][0]>l['per_event_ns_ci95'][1] or l['per_event_ns_ci95'][0]>a['per_event_ns_ci95'][1]: sep+=1
        def insns(x):
            return (x.get('verification') or {}).get('xlated_insns')
        ins=(insns(a),insns(l))
    if len(diffs)==len(runs):
        print(f"| `{n}` | {', '.join('%+.1f'%d for d in diffs)} | {sep}/5 | {ins[0]} / {ins[1]} |")
