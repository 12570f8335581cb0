#!/usr/bin/env bash
# bench/resume.sh — what `--resume` saves (issue 14's target: after rank 1 is killed at the start
# of the merge of a 2 GB twopass sort, the --resume run takes at most 0.7x a clean run). Each
# round, side by side on the same input: a clean twopass sort, timed from the launch of mpirun to
# its exit; then the same command with RS_FAULT=1:merge (rank 1 killed as the merge starts; not
# timed), then the same command with --resume, timed. Both outputs are validated against the
# input's manifest. Prints every time, the medians and their ratio resume/clean, one RESULT line.
# Usage: [RECORDS=20M] [MEMORY=256M] [NP=2] [POINT=merge] bench/resume.sh
#        [--runs N] [--dir DATA_DIR] [--out results/FILE.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${RECORDS:-20M}
MEMORY=${MEMORY:-256M}
POINT=${POINT:-merge}
source scripts/lib/deps.sh
source scripts/lib/bench.sh
rs_bench_args resume 5 "$@"
NP=${NP:-2}
RS=${RS:-build/app/riversort}
rs_single_copy "$RS" twopass  # shared memory for the out-of-core sorts (scripts/lib/deps.sh)
MPI=(mpirun "${RS_MPIRUN_FLAGS[@]}" -np "$NP")
rs_bench_dataset resume "$RS" "$RECORDS"
SORT=(sort --algo twopass --memory "$MEMORY" --in-dir "$DATA/in" --in-name 'in.{rank}' --out-dir "$DATA/out"
      --out-name 'out.{rank}' --tmp-dir "$DATA/tmp")

timed() {  # timed [ENV...] -- ARGS: runs the sort, prints its wall seconds
  local t0 t1
  t0=$(rs_now)
  env "$@" "${MPI[@]}" -x RS_FAULT "$RS" "${SORT[@]}" "${EXTRA[@]}" >/dev/null 2>&1 || true
  t1=$(rs_now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
validate() {
  "${MPI[@]}" "$RS" validate -q --dir "$DATA/out" --name 'out.{rank}' --manifest "$DATA/in/in.manifest.json" ||
    { echo "resume.sh: $1 produced an invalid output" >&2; exit 1; }
  rm -f "$DATA"/out/out.*
}

clean=() resumed=()
for ((i = 0; i < RUNS; i++)); do
  EXTRA=()
  clean+=("$(timed RS_FAULT=)"); validate "the clean sort"
  timed RS_FAULT="1:$POINT" >/dev/null
  find "$DATA/out" -mindepth 1 -maxdepth 1 -regextype posix-extended -regex '.*/out\.[0-9]+' | grep -q . && { echo "resume.sh: the killed sort published" >&2; exit 1; }
  EXTRA=(--resume)
  resumed+=("$(timed RS_FAULT=)"); validate "the resumed sort"
  rm -rf "${DATA:?}"/tmp/* "$DATA"/out/*  # the killed rank's output temporary and lock
done
mc=$(rs_median "${clean[@]}")
mr=$(rs_median "${resumed[@]}")
ratio=$(awk -v a="$mr" -v b="$mc" 'BEGIN { printf "%.3f", a / b }')
{
  echo "command: RECORDS=$RECORDS MEMORY=$MEMORY NP=$NP POINT=$POINT bench/resume.sh --runs $RUNS"
  echo "launched as: ${MPI[*]} (single copy: $RS_SINGLE_COPY_USED)"
  echo "clean (s):   ${clean[*]}"
  echo "resumed (s): ${resumed[*]}   (after RS_FAULT=1:$POINT)"
  echo "RESULT records=$RECORDS ranks=$NP point=$POINT runs=$RUNS clean_median_s=$mc resume_median_s=$mr ratio=$ratio target=0.70 $(rs_met "$ratio <= 0.70") validation=SUCCESS"
} | tee "$OUT"
