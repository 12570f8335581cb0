#!/usr/bin/env bash
# bench/ab_sort.sh — two riversort binaries side by side on the same input, alternately, to show
# what a change costs (issue 10: "no speed changes: the checks cost a stat per path and one
# collective"). Each run is the Datamation sort as scripts/datamation.sh runs it (onepass, 2 ranks,
# input in the page cache, --buffered-input), timed from the launch of mpirun to its exit; every
# output is validated against the input's manifest. Prints the median of RUNS per binary and the
# median core-seconds per GB and launch-to-durable seconds from each run's phase table (where the
# binary prints them: the durable point comes before the sort's clean-up), the pairs' spread
# (rs_pairs_spread: NEW over OLD run by run, and an interval of the ratio) and the ratio NEW/OLD,
# one RESULT line. ALGO=twopass or threepass (with MEMORY, default 256M) times an
# out-of-core sort the same way (its temporaries in the data directory). OLD_MPIRUN_EXTRA and
# NEW_MPIRUN_EXTRA add mpirun flags to one side's sorts (the same binary twice, launched two ways:
# e.g. NEW_MPIRUN_EXTRA="--bind-to none", issue 13). OLD_SORT_EXTRA and NEW_SORT_EXTRA add sort
# flags to one side (the same binary with two settings: e.g. OLD_SORT_EXTRA="--fan-in 37", issue 15).
# NP (default 2) sets the ranks. BUFFERED_INPUT=0 drops onepass's --buffered-input (then give it to
# one side with its SORT_EXTRA). PAUSE=S idles S seconds before each timed run: the memory the last
# run freed is then handed back to the host (docs/machine.md#memory), as for a job started on its
# own, not right after another (issue 15 deliverable 5: the fast case every run). The huge page
# pool is reserved for the runs (docs/machine.md#the-reserved-huge-page-pool); a binary that
# predates it does not use it. DISK_MBPS=M holds every rank's disk reads and writes to M MB/s
# (scripts/slow_rank.sh around each rank, both sides; O_DIRECT I/O only): a slower disk than
# this machine's, under which work that costs CPU per second waited shows (issue 15 deliverable 6).
# Usage: [RECORDS=1M] [ALGO=onepass] [MEMORY=256M] [NP=2] [OLD_MPIRUN_EXTRA=...] [NEW_MPIRUN_EXTRA=...]
#        [OLD_SORT_EXTRA=...] [NEW_SORT_EXTRA=...] [PAUSE=0] [DISK_MBPS=M]
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
PAUSE=${PAUSE:-0}
DISK_MBPS=${DISK_MBPS:-}
[[ -z $DISK_MBPS || $DISK_MBPS =~ ^[1-9][0-9]*$ ]] ||
  { echo "ab_sort.sh: DISK_MBPS='$DISK_MBPS' is not a rate in MB/s (a whole number, 1 or more)" >&2; exit 2; }
rs_single_copy "$NEW" "$ALGO"  # shared memory for the out-of-core sorts (scripts/lib/deps.sh)
MPI=(mpirun "${RS_MPIRUN_FLAGS[@]}" -np "$NP")
read -ra OLD_EXTRA <<< "${OLD_MPIRUN_EXTRA:-}"
read -ra NEW_EXTRA <<< "${NEW_MPIRUN_EXTRA:-}"
# shellcheck disable=SC2034  # used by name (run's nameref)
read -ra OLD_SORT <<< "${OLD_SORT_EXTRA:-}"
# shellcheck disable=SC2034  # used by name (run's nameref)
read -ra NEW_SORT <<< "${NEW_SORT_EXTRA:-}"
rs_bench_dataset ab "$NEW" "$RECORDS"
# The program mpirun starts for every sort: with DISK_MBPS, slow_rank.sh once per rank (each
# throttles only its own rank and runs the next), then the binary.
THROTTLE=()
if [ -n "$DISK_MBPS" ]; then
  for ((r = 0; r < NP; r++)); do THROTTLE+=("$PWD/scripts/slow_rank.sh" --rank "$r" --disk-mbps "$DISK_MBPS" --dir "$DATA" --); done
fi
if [ "$ALGO" = onepass ]; then
  peak=$(rs_plan_memory "$NEW" --algo onepass --records "$RECORDS" --ranks "$NP")
else
  peak=$(rs_plan_memory "$NEW" --algo "$ALGO" --records "$RECORDS" --ranks "$NP" --memory "$MEMORY")
fi
rs_reserve_huge_pages $((peak * NP))
if [ "$ALGO" = onepass ]; then
  ALGO_ARGS=(--algo onepass)
  # BUFFERED_INPUT=0 leaves --buffered-input to the sides' SORT_EXTRA (issue 15: the page-cache
  # read against O_DIRECT, the same binary).
  [ "${BUFFERED_INPUT:-1}" = 0 ] || ALGO_ARGS+=(--buffered-input)
else
  ALGO_ARGS=(--algo "$ALGO" --memory "$MEMORY" --tmp-dir "$DATA/tmp")
fi

run() {  # run BINARY SORT_FLAGS_ARRAY_NAME [MPIRUN FLAGS...]: prints the wall seconds, the phase
  # table's core-seconds per GB and launch to durable ("-" where the binary prints none); the
  # output is validated
  rm -f "$DATA"/out/*
  sleep "$PAUSE"
  local t0 t1 cpu l2d bin=$1
  local -n sort_extra=$2
  shift 2
  t0=$(date +%s.%N)
  RS_LAUNCH_TIME=$t0 "${MPI[@]}" -x RS_LAUNCH_TIME "$@" "${THROTTLE[@]}" "$bin" sort "${ALGO_ARGS[@]}" --in-dir "$DATA/in" --in-name 'in.{rank}' --out-dir "$DATA/out" \
    --out-name 'out.{rank}' "${sort_extra[@]}" > "$DATA/table" ||
    { echo "ab_sort.sh: $bin failed (exit $?)" >&2; exit 1; }
  t1=$(date +%s.%N)
  cpu=$(awk '$1 == "CPU" { print $2 }' "$DATA/table")
  l2d=$(awk '$1 == "launch" && $3 == "durable" { print $4 }' "$DATA/table")
  "${MPI[@]}" "$NEW" validate -q --dir "$DATA/out" --name 'out.{rank}' --manifest "$DATA/in/in.manifest.json" ||
    { echo "ab_sort.sh: $bin produced an invalid output" >&2; exit 1; }
  awk -v a="$t0" -v b="$t1" -v c="${cpu:--}" -v d="${l2d:--}" 'BEGIN { printf "%.4f %s %s\n", b - a, c, d }'
}

cat "$DATA"/in/in.* > /dev/null
run "$OLD" OLD_SORT "${OLD_EXTRA[@]}" > /dev/null; run "$NEW" NEW_SORT "${NEW_EXTRA[@]}" > /dev/null  # warm-up: page cache, binaries
old=() new=() old_cpu=() new_cpu=() old_l2d=() new_l2d=()
for ((i = 0; i < RUNS; i++)); do
  if ((i % 2 == 0)); then
    r=$(run "$OLD" OLD_SORT "${OLD_EXTRA[@]}"); read -r w c d <<<"$r"; old+=("$w"); old_cpu+=("$c"); old_l2d+=("$d")
    r=$(run "$NEW" NEW_SORT "${NEW_EXTRA[@]}"); read -r w c d <<<"$r"; new+=("$w"); new_cpu+=("$c"); new_l2d+=("$d")
  else
    r=$(run "$NEW" NEW_SORT "${NEW_EXTRA[@]}"); read -r w c d <<<"$r"; new+=("$w"); new_cpu+=("$c"); new_l2d+=("$d")
    r=$(run "$OLD" OLD_SORT "${OLD_EXTRA[@]}"); read -r w c d <<<"$r"; old+=("$w"); old_cpu+=("$c"); old_l2d+=("$d")
  fi
done
mo=$(rs_median "${old[@]}")
mn=$(rs_median "${new[@]}")
# Core-seconds per GB (every rank, launch to end): steadier than wall time where the disk drifts.
cpu_line=""
if [[ " ${old_cpu[*]} ${new_cpu[*]} " != *" - "* ]]; then
  co=$(rs_median "${old_cpu[@]}") cn=$(rs_median "${new_cpu[@]}")
  cpu_line=" old_core_s_per_GB=$co new_core_s_per_GB=$cn cpu_ratio=$(awk -v a="$cn" -v b="$co" 'BEGIN { printf "%.3f", a / b }')"
fi
l2d_line=""
if [[ " ${old_l2d[*]} ${new_l2d[*]} " != *" - "* ]]; then
  lo=$(rs_median "${old_l2d[@]}") ln=$(rs_median "${new_l2d[@]}")
  l2d_line=" old_launch_to_durable_s=$lo new_launch_to_durable_s=$ln durable_ratio=$(awk -v a="$ln" -v b="$lo" 'BEGIN { printf "%.3f", a / b }')"
fi
{
  echo "command: RECORDS=$RECORDS ALGO=$ALGO BUFFERED_INPUT=${BUFFERED_INPUT:-1} MEMORY=$MEMORY NP=$NP PAUSE=$PAUSE DISK_MBPS=$DISK_MBPS OLD_MPIRUN_EXTRA='${OLD_MPIRUN_EXTRA:-}' NEW_MPIRUN_EXTRA='${NEW_MPIRUN_EXTRA:-}' OLD_SORT_EXTRA='${OLD_SORT_EXTRA:-}' NEW_SORT_EXTRA='${NEW_SORT_EXTRA:-}' bench/ab_sort.sh $OLD $NEW --runs $RUNS"
  echo "launched as: ${MPI[*]} (single copy: $RS_SINGLE_COPY_USED)"
  echo "old ($OLD): ${old[*]}  (core-s/GB: ${old_cpu[*]}; launch to durable: ${old_l2d[*]})"
  echo "new ($NEW): ${new[*]}  (core-s/GB: ${new_cpu[*]}; launch to durable: ${new_l2d[*]})"
  echo "pairs (new seconds over old): $(rs_pairs_spread "${new[*]}" "${old[*]}")"
  echo "RESULT algo=$ALGO records=$RECORDS buffered_input=${BUFFERED_INPUT:-1} ranks=$NP disk_mbps=${DISK_MBPS:-none} runs=$RUNS old_median_s=$mo new_median_s=$mn ratio=$(awk -v a="$mn" -v b="$mo" 'BEGIN { printf "%.3f", a / b }')$cpu_line$l2d_line validation=SUCCESS"
} | tee "$OUT"
