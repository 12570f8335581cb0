#!/usr/bin/env bash
# bench/shapes.sh — the same bytes as two record shapes, sorted side by side in one run (issue 16
# deliverable 5): gensort's 100/10/0 records and 64-byte records with 8-byte keys (64/8/0, gen's
# random records), the same number of bytes each, sorted alternately RUNS times with one binary,
# each output validated against its input's manifest. The sort is the Datamation sort as
# scripts/datamation.sh runs it (onepass, NP ranks, input in the page cache, --buffered-input),
# timed from the launch of mpirun to its exit. Prints each shape's median seconds and MB/s, the pairs'
# spread (rs_pairs_spread: the session's ratio moves by a few percent here) and one
# RESULT line with (64/8/0 bytes per second) / (100/10/0 bytes per second): at least 1 is the
# target (64-byte records sort at least as many bytes per second). ALGO=twopass or threepass (with
# MEMORY per rank, default 256M) sorts out of core the same way, its temporaries in the data directory.
# Usage: [BYTES=1000000000] [NP=2] [SHAPE="64/8/0"] [ALGO=onepass] [MEMORY=256M]
#        bench/shapes.sh RIVERSORT [--runs N] [--dir DIR] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
RS=$1
shift
source scripts/lib/deps.sh
source scripts/lib/bench.sh
rs_bench_args shapes 7 "$@"
BYTES=${BYTES:-1000000000}
NP=${NP:-2}
SHAPE=${SHAPE:-64/8/0}
ALGO=${ALGO:-onepass}
MEMORY=${MEMORY:-256M}
SORT_FLAGS=(--algo "$ALGO")
[ "$ALGO" = onepass ] || SORT_FLAGS+=(--memory "$MEMORY")
IFS=/ read -r R K O <<< "$SHAPE"
OTHER=(--record-size "$R" --key-size "$K" --key-offset "$O")
rs_single_copy "$RS" "$ALGO"  # shared memory for the out-of-core sorts (scripts/lib/deps.sh)
MPI=(mpirun "${RS_MPIRUN_FLAGS[@]}" -np "$NP")
mkdir -p "$DATA" "$(dirname "$OUT")"
DATA=$(mktemp -d "$DATA/shapes-XXXXXX")
trap 'rm -rf "$DATA"' EXIT
mkdir -p "$DATA/g" "$DATA/s" "$DATA/out"
N_G=$((BYTES / 100)) N_S=$((BYTES / R))
"${MPI[@]}" "$RS" gen --records "$N_G" --dir "$DATA/g" --name 'in.{rank}' 2>/dev/null
"${MPI[@]}" "$RS" gen --records "$N_S" --dir "$DATA/s" --name 'in.{rank}' "${OTHER[@]}" 2>/dev/null
peak_g=$(rs_plan_memory "$RS" "${SORT_FLAGS[@]}" --records "$N_G" --ranks "$NP")
peak_s=$(rs_plan_memory "$RS" "${SORT_FLAGS[@]}" --records "$N_S" --ranks "$NP" "${OTHER[@]}")
rs_reserve_huge_pages $(( (peak_g > peak_s ? peak_g : peak_s) * NP ))

run() {  # run DIR [SHAPE FLAGS...]: wall seconds of one validated sort
  local dir=$1 t0 t1
  shift
  rm -f "$DATA"/out/*
  t0=$(date +%s.%N)
  "${MPI[@]}" "$RS" sort "${SORT_FLAGS[@]}" --buffered-input --in-dir "$dir" --in-name 'in.{rank}' --out-dir "$DATA/out" \
    --out-name 'out.{rank}' "$@" > /dev/null || { echo "shapes.sh: the sort of $dir failed" >&2; exit 1; }
  t1=$(date +%s.%N)
  "${MPI[@]}" "$RS" validate -q --dir "$DATA/out" --name 'out.{rank}' --manifest "$dir/in.manifest.json" "$@" ||
    { echo "shapes.sh: the sort of $dir gave an invalid output" >&2; exit 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

cat "$DATA"/g/in.* "$DATA"/s/in.* > /dev/null
run "$DATA/g" > /dev/null; run "$DATA/s" "${OTHER[@]}" > /dev/null  # warm-up: page cache, binary
g=() s=()
for ((i = 0; i < RUNS; i++)); do
  if ((i % 2 == 0)); then
    g+=("$(run "$DATA/g")"); s+=("$(run "$DATA/s" "${OTHER[@]}")")
  else
    s+=("$(run "$DATA/s" "${OTHER[@]}")"); g+=("$(run "$DATA/g")")
  fi
done
mg=$(rs_median "${g[@]}") ms=$(rs_median "${s[@]}")
{
  echo "# BYTES=$BYTES NP=$NP SHAPE=$SHAPE ALGO=$ALGO MEMORY=$MEMORY bench/shapes.sh $RS --runs $RUNS"
  echo "# tree: $(rs_source_commit); host $(hostname); $(date -u +%FT%TZ); ${MPI[*]} (single copy: $RS_SINGLE_COPY_USED)"
  echo "# 100/10/0: $N_G records; $SHAPE: $N_S records; ${SORT_FLAGS[*]} --buffered-input over $NP ranks, launch to exit"
  echo "100/10/0 seconds: ${g[*]}"
  echo "$SHAPE seconds: ${s[*]}"
  echo "pairs (100/10/0 seconds over $SHAPE seconds, i.e. $SHAPE's bytes/s over 100/10/0's): $(rs_pairs_spread "${g[*]}" "${s[*]}")"
  awk -v g="$mg" -v s="$ms" -v b="$BYTES" -v shape="$SHAPE" 'BEGIN {
    printf "RESULT shapes: 100/10/0 median %.4f s (%.0f MB/s), %s median %.4f s (%.0f MB/s); bytes/s ratio %s / 100/10/0 = %.3f (target >= 1: %s)\n",
      g, b / g / 1e6, shape, s, b / s / 1e6, shape, g / s, (g / s >= 1 ? "met" : "MISSED") }'
} | tee "$OUT"
