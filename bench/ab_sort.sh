#!/usr/bin/env bash
# bench/ab_sort.sh — two riversort binaries side by side on the same input, alternately, to show
# what a change costs (issue 10: "no speed changes: the checks cost a stat per path and one
# collective"). Each run is the Datamation sort as scripts/datamation.sh runs it (onepass, 2 ranks,
# input in the page cache, --buffered-input), timed from the launch of mpirun to its exit; every
# output is validated against the input's manifest. Prints the median of RUNS per binary and the
# ratio NEW/OLD, one RESULT line. ALGO=twopass or threepass (with MEMORY, default 256M) times an
# out-of-core sort the same way (its temporaries in the data directory). OLD_MPIRUN_EXTRA and
# NEW_MPIRUN_EXTRA add mpirun flags to one side's sorts (the same binary twice, launched two ways:
# e.g. NEW_MPIRUN_EXTRA="--bind-to none", issue 13). OLD_SORT_EXTRA and NEW_SORT_EXTRA add sort
# flags to one side (the same binary with two settings: e.g. OLD_SORT_EXTRA="--fan-in 37", issue 15).
# NP (default 2) sets the ranks.
# Usage: [RECORDS=1M] [ALGO=onepass] [MEMORY=256M] [NP=2] [OLD_MPIRUN_EXTRA=...] [NEW_MPIRUN_EXTRA=...]
#        [OLD_SORT_EXTRA=...] [NEW_SORT_EXTRA=...]
#        bench/ab_sort.sh OLD_RIVERSORT NEW_RIVERSORT
#        [--runs N] [--dir DATA_DIR] [--out results/FILE.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1 NEW=$2; shift 2
RECORDS=${RECORDS:-1M}
ALGO=${ALGO:-onepass}
MEMORY=${MEMORY:-256M}
source scripts/lib/deps.sh
source scripts/lib/bench.sh
rs_bench_args ab_sort 9 "$@"
NP=${NP:-2}
MPI=(mpirun "${RS_MPIRUN_FLAGS[@]}" -np "$NP")
read -ra OLD_EXTRA <<< "${OLD_MPIRUN_EXTRA:-}"
read -ra NEW_EXTRA <<< "${NEW_MPIRUN_EXTRA:-}"
# shellcheck disable=SC2034  # used by name (run's nameref)
read -ra OLD_SORT <<< "${OLD_SORT_EXTRA:-}"
# shellcheck disable=SC2034  # used by name (run's nameref)
read -ra NEW_SORT <<< "${NEW_SORT_EXTRA:-}"
rs_bench_dataset ab "$NEW" "$RECORDS"
if [ "$ALGO" = onepass ]; then
  ALGO_ARGS=(--algo onepass --buffered-input)
else
  ALGO_ARGS=(--algo "$ALGO" --memory "$MEMORY" --tmp-dir "$DATA/tmp")
fi

run() {  # run BINARY SORT_FLAGS_ARRAY_NAME [MPIRUN FLAGS...]: prints the wall seconds; the output is validated
  rm -f "$DATA"/out/*
  local t0 t1 bin=$1
  local -n sort_extra=$2
  shift 2
  t0=$(date +%s.%N)
  "${MPI[@]}" "$@" "$bin" sort "${ALGO_ARGS[@]}" --in-dir "$DATA/in" --in-name 'in.{rank}' --out-dir "$DATA/out" \
    --out-name 'out.{rank}' "${sort_extra[@]}" >/dev/null
  t1=$(date +%s.%N)
  "${MPI[@]}" "$NEW" validate -q --dir "$DATA/out" --name 'out.{rank}' --manifest "$DATA/in/in.manifest.json" ||
    { echo "ab_sort.sh: $bin produced an invalid output" >&2; exit 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

cat "$DATA"/in/in.* > /dev/null
run "$OLD" OLD_SORT "${OLD_EXTRA[@]}" > /dev/null; run "$NEW" NEW_SORT "${NEW_EXTRA[@]}" > /dev/null  # warm-up: page cache, binaries
old=() new=()
for ((i = 0; i < RUNS; i++)); do
  if ((i % 2 == 0)); then old+=("$(run "$OLD" OLD_SORT "${OLD_EXTRA[@]}")"); new+=("$(run "$NEW" NEW_SORT "${NEW_EXTRA[@]}")")
  else new+=("$(run "$NEW" NEW_SORT "${NEW_EXTRA[@]}")"); old+=("$(run "$OLD" OLD_SORT "${OLD_EXTRA[@]}")"); fi
done
mo=$(rs_median "${old[@]}")
mn=$(rs_median "${new[@]}")
{
  echo "command: RECORDS=$RECORDS ALGO=$ALGO MEMORY=$MEMORY NP=$NP OLD_MPIRUN_EXTRA='${OLD_MPIRUN_EXTRA:-}' NEW_MPIRUN_EXTRA='${NEW_MPIRUN_EXTRA:-}' OLD_SORT_EXTRA='${OLD_SORT_EXTRA:-}' NEW_SORT_EXTRA='${NEW_SORT_EXTRA:-}' bench/ab_sort.sh $OLD $NEW --runs $RUNS"
  echo "old ($OLD): ${old[*]}"
  echo "new ($NEW): ${new[*]}"
  echo "RESULT algo=$ALGO records=$RECORDS ranks=$NP runs=$RUNS old_median_s=$mo new_median_s=$mn ratio=$(awk -v a="$mn" -v b="$mo" 'BEGIN { printf "%.3f", a / b }') validation=SUCCESS"
} | tee "$OUT"
