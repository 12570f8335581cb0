#!/usr/bin/env bash
# bench/parallel_merge.sh — threepass's parallel merge against its local merge in the same run
# (issue 15: the parallel merge takes at most 1.15x the local merge, 16 GB over 2 ranks), for one
# or two binaries run alternately (OLD and NEW: what a change to the remote reads is worth). Every
# output is validated; each phase's time is its slowest rank's. Prints a line per run, the medians
# and one RESULT line per binary.
# Usage: [RECORDS=160M] [MEMORY=1G] [NP=2] bench/parallel_merge.sh NEW_RIVERSORT [OLD_RIVERSORT]
#        [--runs N] [--dir DATA_DIR] [--out results/FILE.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
NEW=$1; shift
OLD=""
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then OLD=$1; shift; fi
RECORDS=${RECORDS:-160M}
MEMORY=${MEMORY:-1G}
NP=${NP:-2}
source scripts/lib/deps.sh
source scripts/lib/bench.sh
rs_bench_args parallel_merge 3 "$@"
rs_single_copy "$NEW" threepass  # shared memory for the out-of-core sorts (scripts/lib/deps.sh)
MPI=(mpirun "${RS_MPIRUN_FLAGS[@]}" -np "$NP")
rs_bench_dataset pmerge "$NEW" "$RECORDS"

run() {  # run NAME BINARY: one validated threepass; prints "NAME local_merge_s parallel_merge_s total_s"
  rm -rf "${DATA:?}"/out/* "${DATA:?}"/tmp/*
  sync
  "${MPI[@]}" "$2" sort --algo threepass --memory "$MEMORY" --in-dir "$DATA/in" --in-name 'in.{rank}' \
    --out-dir "$DATA/out" --out-name 'out.{rank}' --tmp-dir "$DATA/tmp" --validate --result "$DATA/r.json" \
    >/dev/null 2>"$DATA/err" || { cat "$DATA/err" >&2; exit 1; }
  python3 - "$DATA/r.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["validation"]["verdict"] == "SUCCESS", d["validation"]
ph = {}
for r in d["per_rank"]:
    for p in r["phases"]:
        ph[p["name"]] = max(ph.get(p["name"], 0), p["wall_s"])
print(f'{sys.argv[2]} {ph["local merge"]:.3f} {ph["parallel merge"]:.3f} {d["total_s"]:.3f}')
PY
}

lines=()
for ((i = 0; i < RUNS; i++)); do
  lines+=("$(run new "$NEW")")
  [ -z "$OLD" ] || lines+=("$(run old "$OLD")")
done
{
  echo "command: RECORDS=$RECORDS MEMORY=$MEMORY NP=$NP bench/parallel_merge.sh $NEW $OLD --runs $RUNS"
  echo "launched as: ${MPI[*]} (single copy: $RS_SINGLE_COPY_USED)"
  echo "# binary local_merge_s parallel_merge_s total_s (each phase: its slowest rank), every output validated"
  printf '%s\n' "${lines[@]}"
  for who in new old; do
    [ "$who" = new ] || [ -n "$OLD" ] || continue
    mapfile -t lm < <(printf '%s\n' "${lines[@]}" | awk -v w="$who" '$1 == w {print $2}')
    mapfile -t pm < <(printf '%s\n' "${lines[@]}" | awk -v w="$who" '$1 == w {print $3}')
    l=$(rs_median "${lm[@]}"); p=$(rs_median "${pm[@]}")
    r=$(awk -v a="$p" -v b="$l" 'BEGIN { printf "%.3f", a / b }')
    echo "RESULT binary=$who records=$RECORDS ranks=$NP memory=$MEMORY local_merge_median_s=$l parallel_merge_median_s=$p ratio=$r target=1.15 $(rs_met "$r <= 1.15") validation=SUCCESS"
  done
} | tee "$OUT"
