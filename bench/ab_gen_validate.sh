#!/usr/bin/env bash
# bench/ab_gen_validate.sh — two riversort binaries' gen and validate side by side, alternately:
# gen 10 M records to /dev/null (generation and checksum only) and validate a cached 10 M-record
# file, RUNS times each, one after the other per run, so the machine's drift hits both alike.
# Prints each side's median and the ratio NEW/OLD per task, one RESULT line each. For changes that
# must leave gensort's records as fast as they were (issue 16: record shapes threaded through gen
# and validate). EXTRA adds flags to both sides' commands (e.g. a record shape both take).
# Usage: bench/ab_gen_validate.sh OLD NEW [--runs N] [--dir DATA_DIR] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."
OLD=$1
NEW=$2
shift 2
source scripts/lib/bench.sh
rs_bench_args ab_gen_validate 7 "$@"
N=${N:-10000000}
EXTRA=${EXTRA:-}
mkdir -p "$DATA" "$(dirname "$OUT")"
DATA=$(mktemp -d "$DATA/abgv-XXXXXX")
trap 'rm -rf "$DATA"' EXIT
# shellcheck disable=SC2086  # EXTRA is words
"$NEW" gen --records "$N" --dir "$DATA" --name v.dat $EXTRA 2>/dev/null
cat "$DATA/v.dat" > /dev/null  # cached: validate measures the validator, not the disk
seconds() {  # command...: wall seconds
  local t0 t1
  t0=$(rs_now)
  "$@" > /dev/null 2>&1
  t1=$(rs_now)
  echo "$t1 - $t0" | bc -l
}
declare -a gen_old gen_new val_old val_new
for ((i = 0; i < RUNS; i++)); do
  # shellcheck disable=SC2086
  gen_old+=("$(seconds "$OLD" gen --records "$N" --dir /dev --name null $EXTRA)")
  # shellcheck disable=SC2086
  gen_new+=("$(seconds "$NEW" gen --records "$N" --dir /dev --name null $EXTRA)")
  # shellcheck disable=SC2086
  val_old+=("$(seconds "$OLD" validate --dir "$DATA" --name v.dat --buffered $EXTRA)")
  # shellcheck disable=SC2086
  val_new+=("$(seconds "$NEW" validate --dir "$DATA" --name v.dat --buffered $EXTRA)")
done
{
  echo "# bench/ab_gen_validate.sh $OLD $NEW --runs $RUNS (N=$N EXTRA='$EXTRA')"
  echo "# tree: $(rs_source_commit); host $(hostname); $(date -u +%FT%TZ)"
  echo "gen /dev/null   old: ${gen_old[*]}"
  echo "gen /dev/null   new: ${gen_new[*]}"
  echo "validate cached old: ${val_old[*]}"
  echo "validate cached new: ${val_new[*]}"
  for task in gen val; do
    o="${task}_old[@]" n="${task}_new[@]"
    mo=$(rs_median "${!o}") mn=$(rs_median "${!n}")
    echo "RESULT $task: old median ${mo} s, new median ${mn} s, new/old $(echo "$mn / $mo" | bc -l | cut -c1-5)"
  done
} | tee "$OUT"
