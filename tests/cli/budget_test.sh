#!/usr/bin/env bash
# tests/cli/budget_test.sh — the budget holds at every transfer size (issue 10): twopass and
# threepass at --memory 16M with 64K and 2M transfers on 300 MB over 2 ranks either finish with
# every rank's peak RSS within budget + 15 % + 64 MiB (from the JSON result) and a valid output,
# or are refused up front with one line naming the minimum; onepass with --transfer-size 1G and
# no budget, and gen/validate with transfer x depth beyond the machine, are refused at once with
# one line (no mapping of tens of GB).
# Usage: budget_test.sh RIVERSORT [MPIRUN]
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
quick_exits  # every job here ends by itself: no rank is killed
NP=2
RECORDS=3M
fail() { bad "$@"; }

# run CMD...: its stderr in ERR, its exit status in RC.
run() { ERR=$("$@" 2>&1 >/dev/null); RC=$?; }
lines() { [ -z "$1" ] && echo 0 || printf '%s\n' "$1" | wc -l; }

mkdir -p "$T/in" "$T/out" "$T/g"
run "${MPI[@]}" -np $NP "$RS" gen --records $RECORDS --dir "$T/in" --name 'in.{rank}'
[ "$RC" = 0 ] || { echo "FAIL gen: exit $RC: $ERR"; exit 1; }

# within_limit RESULT.json: every rank's peak RSS is within the budget's limit.
within_limit() {
  python3 - "$1" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
b = j["memory_budget"]
limit = b + b * 15 // 100 + (64 << 20)
peaks = [r["peak_rss"] for r in j["per_rank"]]
bad = [p for p in peaks if p > limit]
print("peaks MiB", [p >> 20 for p in peaks], "limit MiB", limit >> 20)
sys.exit(1 if bad or not j["peak_rss_within_budget"] else 0)
PY
}

for algo in twopass threepass; do
  for t in 64K 2M; do
    name="$algo-16M-$t"
    rm -f "$T"/out/* "$T/r.json"
    run "${MPI[@]}" -np $NP "$RS" sort --algo $algo --memory 16M --transfer-size $t --in-dir "$T/in" \
      --in-name 'in.{rank}' --out-dir "$T/out" --out-name 'out.{rank}' --result "$T/r.json" --validate
    if [ "$RC" = 0 ]; then
      if msg=$(within_limit "$T/r.json"); then ok; echo "ok   $name: exit 0, $msg"
      else fail "$name: exit 0 but over the limit: $msg"; fi
    elif [[ "$ERR" == *"--memory 16 MiB is too small for --algo $algo"*"it needs at least"* ]] &&
         [ "$(lines "$ERR")" = 1 ] && [ -z "$(ls "$T/out")" ]; then
      ok; echo "ok   $name: refused: $ERR"
    else
      fail "$name: exit $RC, want 0 within the limit or a one-line refusal; stderr:"; printf '%s\n' "$ERR"
    fi
  done
done

# onepass with no budget and 1 GiB transfers: refused before any work (was 38.6 GB mapped per rank).
start=$SECONDS
rm -f "$T"/out/*
run "${MPI[@]}" -np $NP "$RS" sort --algo onepass --transfer-size 1G --in-dir "$T/in" --in-name 'in.{rank}' \
  --out-dir "$T/out" --out-name 'out.{rank}'
if [ "$RC" != 0 ] && [[ "$ERR" == *"--algo onepass needs"*"--transfer-size"* ]] && [ "$(lines "$ERR")" = 1 ] &&
   [ $((SECONDS - start)) -lt 20 ] && [ -z "$(ls "$T/out")" ]; then
  ok; echo "ok   onepass-1G: refused: $ERR"
else
  fail "onepass-1G: exit $RC after $((SECONDS - start)) s, want a one-line refusal; stderr:"; printf '%s\n' "$ERR"
fi

# gen and validate with transfer x depth beyond the machine: refused with one line, nothing written.
run "${MPI[@]}" -np $NP "$RS" gen --records 1000 --dir "$T/g" --name 'g.{rank}' --transfer-size 1G --queue-depth 64
if [ "$RC" != 0 ] && [[ "$ERR" == *"does not fit this machine's memory"*"--transfer-size"* ]] &&
   [ "$(lines "$ERR")" = 1 ] && [ -z "$(ls "$T/g")" ]; then
  ok; echo "ok   gen-1G-qd64: refused: $ERR"
else
  fail "gen-1G-qd64: exit $RC, want a one-line refusal and no files; stderr:"; printf '%s\n' "$ERR"
fi
run "${MPI[@]}" -np $NP "$RS" validate --dir "$T/in" --name 'in.{rank}' --transfer-size 1G --queue-depth 64
if [ "$RC" != 0 ] && [[ "$ERR" == *"does not fit this machine's memory"*"--transfer-size"* ]] && [ "$(lines "$ERR")" = 1 ]; then
  ok; echo "ok   validate-1G-qd64: refused: $ERR"
else
  fail "validate-1G-qd64: exit $RC, want a one-line refusal; stderr:"; printf '%s\n' "$ERR"
fi
# ... and one that fits still reads every record (the input is unsorted: validate says so, exit 1).
run "${MPI[@]}" -np $NP "$RS" validate --dir "$T/in" --name 'in.{rank}' --transfer-size 4M --queue-depth 4
if [[ "$ERR" == *"Records: 3000000"* && "$ERR" != *"does not fit"* ]]; then ok
else fail "validate-4M-qd4: exit $RC, want every record read; stderr:"; printf '%s\n' "$ERR"; fi

finish budget_test
