#!/usr/bin/env bash
# bench/plan_golden.sh — two riversort binaries' `plan --json` over a grid (algorithm, records,
# ranks, budget, transfer size, --net-buffer, --fan-in): a change that must leave the plan of
# gensort's records as it was (issue 16: the record shape threaded through the planning code) is
# shown to, figure by figure. Keys the NEW binary adds (record_size, key_size, key_offset) are
# dropped before comparing; a refusal is compared as its text. Prints the first differences and
# one RESULT line with the number of cases and how many differ (exit 1 if any).
# Usage: bench/plan_golden.sh OLD_RIVERSORT NEW_RIVERSORT
set -u
OLD=$1
NEW=$2
strip() {
  python3 -c '
import json, sys
text = sys.stdin.read()
try:
    j = json.loads(text)
    for k in ("record_size", "key_size", "key_offset"):
        j.pop(k, None)
    print(json.dumps(j, sort_keys=True))
except ValueError:
    print(text)'
}
cases=0 differ=0 answered=0
for algo in onepass twopass threepass auto; do
  for records in 1M 10M 1G 100G 10T; do
    for ranks in 1 2 16 1000; do
      for memory in 0 16M 256M 1G; do
        for transfer in 2M 512K 100K; do
          for extra in "" "--net-buffer 64K" "--fan-in 37"; do
            # shellcheck disable=SC2086  # extra is words
            a=$("$OLD" plan --json --algo $algo --records $records --ranks $ranks --memory $memory \
              --transfer-size $transfer $extra 2>&1 | strip)
            # shellcheck disable=SC2086
            b=$("$NEW" plan --json --algo $algo --records $records --ranks $ranks --memory $memory \
              --transfer-size $transfer $extra 2>&1 | strip)
            cases=$((cases + 1))
            [[ "$b" == "{"* ]] && answered=$((answered + 1))
            if [ "$a" != "$b" ]; then
              differ=$((differ + 1))
              if [ "$differ" -le 3 ]; then
                echo "DIFF: --algo $algo --records $records --ranks $ranks --memory $memory --transfer-size $transfer $extra"
                echo "  old: ${a:0:400}"
                echo "  new: ${b:0:400}"
              fi
            fi
          done
        done
      done
    done
  done
done
echo "RESULT plan_golden: $cases cases ($answered planned, $((cases - answered)) refused), $differ differ"
[ "$differ" = 0 ]
