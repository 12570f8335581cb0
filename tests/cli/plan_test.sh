#!/usr/bin/env bash
# tests/cli/plan_test.sh — `riversort plan` against real sorts (issue 13): at 1-4 ranks, twopass
# and threepass under small budgets (several runs; merges in levels where the fan-in is forced
# low by the budget), the plan's run size, fan-in and merge levels equal what the sort reports in
# its JSON result, and so do its runs per rank (threepass; twopass's lie between the fewest and the
# most any rank formed, as the split moves a little data between ranks); every rank's peak RSS is within the plan's peak + 15 % +
# 64 MiB; a budget below the floor is refused with the floor named, and the sort refuses the same
# budget with the same line; P = 100,000 is answered at once.
# Usage: plan_test.sh RIVERSORT [MPIRUN]
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
quick_exits  # every job here ends by itself: no rank is killed

mkdir -p "$T/in"
"${MPI[@]}" -np 4 "$RS" gen --records 600000 --dir "$T/in" --name 'in.{rank}' > /dev/null 2>&1 || { echo "FAIL gen"; exit 1; }

# compare PLAN.json RESULT.json: the figures that must agree, and the peak RSS bound.
compare() {
  python3 - "$1" "$2" <<'PY'
import json, sys
p = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2])); d = r["details"]
bad = []
for plan_key, result_key in (("run_records", "run_records"), ("fan_in", "fan_in"), ("merge_levels", "merge_levels")):
    if p[plan_key] != d[result_key]:
        bad.append(f"{plan_key}: plan {p[plan_key]}, sort {d[result_key]}")
# threepass forms runs from each rank's own input: exactly the plan's. twopass forms them from what
# each rank receives, which the split makes a little more or less than the mean the plan assumes:
# the plan's count lies between the fewest and the most any rank formed.
runs = p["runs_per_rank"]
if p["algo"] == "threepass" and runs != d["max_runs_per_rank"]:
    bad.append(f"runs: plan {runs}, sort {d['max_runs_per_rank']}")
if not d["min_runs_per_rank"] <= runs <= d["max_runs_per_rank"]:
    bad.append(f"runs: plan {runs}, sort {d['min_runs_per_rank']}..{d['max_runs_per_rank']}")
bound = p["peak_memory_bytes"] * 115 // 100 + (64 << 20)
peaks = [x["peak_rss"] for x in r["per_rank"]]
if max(peaks) > bound:
    bad.append(f"peak RSS {max(peaks) >> 20} MiB over the plan's bound {bound >> 20} MiB")
print("; ".join(bad) if bad else f"runs {p['runs_per_rank']}, fan-in {p['fan_in']}, levels {p['merge_levels']}, peak {max(peaks) >> 20} MiB")
sys.exit(1 if bad else 0)
PY
}

# Four ranks' files hold the data; fewer ranks sort the first NP of them.
for np in 1 2 3 4; do
  names=()
  for ((r = 0; r < np; r++)); do names+=(--in-name "in.$r"); done
  records=$((600000 / 4 * np))
  for algo in twopass threepass; do
    for mem in 16M 8M; do
      what="$algo np=$np --memory $mem"
      out=(--out-dir "$T" --out-name "out.$algo.$np.$mem.{rank}")
      if ! "${MPI[@]}" -np $np "$RS" sort --algo $algo --memory $mem --transfer-size 64K --in-dir "$T/in" "${names[@]}" \
        "${out[@]}" --validate --result "$T/r.json" > /dev/null 2> "$T/err"; then
        bad "$what: sort failed: $(tail -n 2 "$T/err")"
        continue
      fi
      "$RS" plan --algo $algo --records $records --ranks $np --memory $mem --transfer-size 64K --json > "$T/p.json" 2> "$T/err" ||
        { bad "$what: plan failed: $(cat "$T/err")"; continue; }
      if line=$(compare "$T/p.json" "$T/r.json"); then ok; else bad "$what: $line"; fi
      echo "$what: $line"
      rm -f "$T"/out.*
    done
  done
done

# Below the floor: the plan refuses naming it, and the sort refuses the same way.
plan_err=$("$RS" plan --algo twopass --records 300000 --ranks 2 --memory 1M 2>&1 >/dev/null)
sort_err=$("${MPI[@]}" -np 2 "$RS" sort --algo twopass --memory 1M --in-dir "$T/in" --in-name in.0 --in-name in.1 \
  --out-dir "$T" --out-name 'out.{rank}' 2>&1 >/dev/null)
case "$plan_err" in *"is too small for --algo twopass over 2 ranks: it needs at least"*) ok ;; *) bad "plan below the floor: $plan_err" ;; esac
case "$sort_err" in *"${plan_err#riversort: }"*) ok ;; *) bad "sort below the floor said '$sort_err', plan '$plan_err'" ;; esac

# At scale: 100,000 ranks, a terabyte, every algorithm (the time is printed, not asserted: speed
# lives in benchmarks; the ctest timeout catches a plan that loops).
for algo in onepass twopass threepass auto; do
  start=$(date +%s%N)
  if "$RS" plan --algo $algo --bytes 1T --ranks 100000 --json > "$T/big.json" 2> "$T/err"; then
    echo "plan $algo, 1 TB on 100,000 ranks: $((($(date +%s%N) - start) / 1000000)) ms"
    if python3 -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j['ranks']==100000 and j['min_memory_bytes']>0 else 1)" "$T/big.json"; then ok; else bad "plan $algo at 100,000 ranks: $(head -c 300 "$T/big.json")"; fi
  else
    bad "plan $algo at 100,000 ranks: $(cat "$T/err")"
  fi
done
finish plan_test
