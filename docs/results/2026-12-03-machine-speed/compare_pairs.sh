#!/bin/bash
# For each set of `run` reports given as a glob: every report compared with the one before it,
# at noise thresholds of 5 % and 2 %, as measured and --at-base-speed; prints how many row
# comparisons say `no change`, of all that give a verdict. From docs/results:
#   bash 2026-12-03-machine-speed/compare_pairs.sh "2026-12-03-machine-speed/benchmark1-run-*.json"
probecost=${PROBECOST:-../../target/release/probecost}
for pattern in "$@"; do
    mapfile -t files < <(ls $pattern | sort -V)
    for threshold in 5 2; do
        for scale in "" --at-base-speed; do
            same=0 all=0
            for ((i = 1; i < ${#files[@]}; i++)); do
                out=$("$probecost" compare "${files[i - 1]}" "${files[i]}" --noise-threshold "$threshold" $scale)
                same=$((same + $(grep -c "no change" <<<"$out")))
                all=$((all + $(grep -cE "no change|slower|faster" <<<"$out")))
            done
            echo "$pattern at $threshold % ${scale:-as measured}: no change on $same of $all"
        done
    done
done
