#!/usr/bin/env bash
# bench/balance.sh — `--balance speed` against the even split with one slow rank (issue 14's
# target: with one of 2 ranks' disks throttled to 300 MB/s, a twopass sort of 1.6 GB with
# --balance speed takes at most 0.75x the time of the even split, side by side, both validated).
# Rank SLOW (default: the last) runs under scripts/slow_rank.sh --disk-mbps MBPS; every round
# runs the even split and --balance speed, alternating which goes first, each timed from the
# launch of mpirun to its exit (the calibration included) and validated against the manifest.
# Prints every time, the medians and their ratio speed/even, one RESULT line.
# SWEEP="7,3 8,2": also runs --weights 7,3 and --weights 8,2 in every round, each with its median
# and ratio to the even split (a SWEEP line each): how near any fixed split comes to the target.
# BASELINE=1: also runs the even split with no rank throttled in every round (a BASELINE line):
# the time of the same job without a slow rank, which no split of the keys can beat when every
# rank shares one disk and two cores, as here.
# Usage: [RECORDS=16M] [NP=2] [MBPS=300] [ALGO=twopass] [MEMORY=256M] [SLOW=NP-1] [SWEEP=...] [BASELINE=1] bench/balance.sh
#        [--runs N] [--dir DATA_DIR] [--out results/FILE.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${RECORDS:-16M}
MBPS=${MBPS:-300}
ALGO=${ALGO:-twopass}
MEMORY=${MEMORY:-256M}
SWEEP=${SWEEP:-}
BASELINE=${BASELINE:-0}
source scripts/lib/deps.sh
source scripts/lib/bench.sh
rs_bench_args balance 5 "$@"
NP=${NP:-2}
SLOW=${SLOW:-$((NP - 1))}
RS=${RS:-build/app/riversort}
# --bind-to none: a rank given more of the keys needs more than the one core Open MPI's default
# binding gives each rank here (measured, one run each: --weights 7,3 took 5.39 s bound and 5.05 s
# unbound; the even split 6.85 s and 6.65 s); on a cluster each rank has its node's cores.
rs_single_copy "$RS" "$ALGO"  # shared memory for the out-of-core sorts (scripts/lib/deps.sh)
MPI=(mpirun "${RS_MPIRUN_FLAGS[@]}" --bind-to none -np "$NP")
rs_bench_dataset balance "$RS" "$RECORDS"
SORT=(sort --algo "$ALGO" --memory "$MEMORY" --in-dir "$DATA/in" --in-name 'in.{rank}' --out-dir "$DATA/out"
      --out-name 'out.{rank}' --tmp-dir "$DATA/tmp")

run() {  # run [--unthrottled] [FLAGS...]: prints the wall seconds; the output is validated and removed
  local t0 t1 wrap=(scripts/slow_rank.sh --rank "$SLOW" --disk-mbps "$MBPS" --dir "$DATA" --)
  if [ "${1:-}" = --unthrottled ]; then wrap=(); shift; fi
  t0=$(rs_now)
  "${MPI[@]}" "${wrap[@]}" "$RS" "${SORT[@]}" "$@" >"$DATA/table" 2>"$DATA/err" || { cat "$DATA/err" >&2; exit 1; }
  t1=$(rs_now)
  # The --balance speed run's table and calibration line, for the report (sweep runs come after).
  if [ "$*" = "--balance speed" ]; then cp "$DATA/table" "$DATA/table.speed"; cp "$DATA/err" "$DATA/err.speed"; fi
  "${MPI[@]}" "$RS" validate -q --dir "$DATA/out" --name 'out.{rank}' --manifest "$DATA/in/in.manifest.json" ||
    { echo "balance.sh: an invalid output ($*)" >&2; exit 1; }
  rm -f "$DATA"/out/out.*
  # The filesystem discards the freed blocks when the journal commits (mounted with discard):
  # sync now, or the next run's calibration meets this run's discards.
  sync
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

even=() speed=() base=()
declare -A swept=()
for ((i = 0; i < RUNS; i++)); do
  # The baseline comes first in odd rounds and last in even ones, as the pair alternates.
  if [ "$BASELINE" = 1 ] && ((i % 2 == 1)); then base+=("$(run --unthrottled)"); fi
  if ((i % 2 == 0)); then even+=("$(run)"); speed+=("$(run --balance speed)")
  else speed+=("$(run --balance speed)"); even+=("$(run)"); fi
  for w in $SWEEP; do swept[$w]+="$(run --weights "$w") "; done
  if [ "$BASELINE" = 1 ] && ((i % 2 == 0)); then base+=("$(run --unthrottled)"); fi
done
weights=$(grep -h "balance speed: measured" "$DATA/err.speed" | sed "s/.*per rank //; s/;.*//" || true)
me=$(rs_median "${even[@]}")
ms=$(rs_median "${speed[@]}")
ratio=$(awk -v a="$ms" -v b="$me" 'BEGIN { printf "%.3f", a / b }')
{
  echo "command: RECORDS=$RECORDS NP=$NP MBPS=$MBPS ALGO=$ALGO MEMORY=$MEMORY SLOW=$SLOW${SWEEP:+ SWEEP=\"$SWEEP\"} BASELINE=$BASELINE bench/balance.sh --runs $RUNS"
  echo "launched as: ${MPI[*]} (single copy: $RS_SINGLE_COPY_USED)"
  echo "even (s):            ${even[*]}"
  echo "--balance speed (s): ${speed[*]}   (last calibration: $weights)"
  for w in $SWEEP; do
    # shellcheck disable=SC2086  # the times, one word each
    m=$(rs_median ${swept[$w]})
    echo "SWEEP --weights $w (s): ${swept[$w]}  median $m  ratio to even $(awk -v a="$m" -v b="$me" 'BEGIN { printf "%.3f", a / b }')"
  done
  if [ "$BASELINE" = 1 ]; then
    mb=$(rs_median "${base[@]}")
    echo "BASELINE no rank throttled, even split (s): ${base[*]}  median $mb  ratio to even $(awk -v a="$mb" -v b="$me" 'BEGIN { printf "%.3f", a / b }')"
  fi
  echo "last --balance speed table:"
  cat "$DATA/table.speed"
  echo "RESULT algo=$ALGO records=$RECORDS ranks=$NP slow_rank=$SLOW slow_mbps=$MBPS runs=$RUNS even_median_s=$me speed_median_s=$ms ratio=$ratio target=0.75 $(rs_met "$ratio <= 0.75") validation=SUCCESS"
} | tee "$OUT"
