#!/usr/bin/env bash
# bench/gen_validate.sh — gen and validate against their targets, side by side in one run
# (issue 2): every measurement alternates with the others, RUNS times, and the medians are
# compared as ratios, because this machine's absolute numbers drift by 30-50 %.
#
#   gen 10M records + checksum to /dev/null      >= 30 M records/s (gensort 1.5 ~16 M/s here)
#   validate a cached 10M-record file            >= 40 M records/s (valsort ~8 M/s per core)
#   gen 10M records to disk (O_DIRECT, synced)   <= 1.15 x max(gen alone, fio writing the same
#                                                   bytes, same transfer size and depth, direct=1)
#
# Usage: bench/gen_validate.sh [--runs N] [--dir DATA_DIR] [--out results/FILE.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/bench.sh
rs_bench_args gen_validate 7 "$@"
rs_ensure_packages "${RS_BUILD_PACKAGES[@]}" "${RS_BENCH_PACKAGES[@]}"
rs_build build
RS=$PWD/build/app/riversort
N=10000000
BYTES=$((N * 100))
# Gen streams buffers of 20480 records (2,048,000 bytes: whole records and whole 4 KiB blocks
# within the default 2 MiB transfer size) through a DiskSink at the default queue depth 16
# (core/config.hpp): fio gets the same transfer size and depth.
BS=2048000
DEPTH=16
mkdir -p "$DATA" results
trap 'rm -f "$DATA"/bench.* "$DATA"/fio.dat "$DATA"/fio.json' EXIT

# timed VAR command...: appends the wall seconds of the command to array VAR.
timed() {
  local var=$1; shift
  local t0 t1
  t0=$(rs_now); "$@" >/dev/null 2>&1 || [ "${ALLOW_FAIL:-0}" = 1 ]; t1=$(rs_now)
  eval "$var+=($(echo "$t1 - $t0" | bc -l))"
}

# Verdicts first: the numbers count only if the outputs are right (docs/gensort-spec.md §12 T rows).
sum=$("$RS" gen --records $N --dir /dev --name null 2>&1)
[ "$sum" = 4c4e32cca7d315 ] || { echo "gen checksum $sum, want 4c4e32cca7d315" >&2; exit 1; }
"$RS" gen --records $N --dir "$DATA" --name bench.dat 2>/dev/null
report=$("$RS" validate --buffered --dir "$DATA" --name bench.dat 2>&1 || true)
want="First unordered record is record 2
Records: 10000000
Checksum: 4c4e32cca7d315
ERROR - there are 5000358 unordered records"
[ "$report" = "$want" ] || { echo "validate report differs from valsort's:" >&2; echo "$report" >&2; exit 1; }
[ "$(sha256sum < "$DATA/bench.dat" | cut -c1-64)" = 294e33bbc2fd1adc88710c33a0007d573766668929ff8f1e1e72d5d1b031de6d ] \
  || { echo "10M file differs from gensort's" >&2; exit 1; }
cat "$DATA/bench.dat" > /dev/null  # into the page cache for the validate runs

gen_null=(); validate=(); gen_disk=(); fio_write=(); fio_wall=()
for ((i = 0; i < RUNS; i++)); do
  timed gen_null "$RS" gen --records $N --dir /dev --name null
  # A cached file is read through the page cache (--buffered); O_DIRECT would go to the disk.
  ALLOW_FAIL=1 timed validate "$RS" validate --buffered --dir "$DATA" --name bench.dat
  rm -f "$DATA/bench.out"
  timed gen_disk "$RS" gen --records $N --dir "$DATA" --name bench.out
  rm -f "$DATA/fio.dat"
  timed fio_wall fio --name=w --filename="$DATA/fio.dat" --rw=write --bs=$BS --size=$BYTES --direct=1 \
    --ioengine=io_uring --iodepth=$DEPTH --end_fsync=1 --output-format=json --output="$DATA/fio.json"
  # fio's own run time (I/O only, no process start or file creation): the stricter floor.
  fio_write+=("$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobs"][0]["job_runtime"] / 1000)' "$DATA/fio.json")")
done

m_null=$(rs_median "${gen_null[@]}"); m_val=$(rs_median "${validate[@]}")
m_disk=$(rs_median "${gen_disk[@]}"); m_fio=$(rs_median "${fio_write[@]}")
rate() { echo "scale=1; $N / $1 / 1000000" | bc -l; }
floor=$(echo "if ($m_null > $m_fio) $m_null else $m_fio" | bc -l)
ratio=$(echo "scale=3; $m_disk / $floor" | bc -l)
{
  echo "# bench/gen_validate.sh --runs $RUNS   ($(date -Iseconds), $(hostname), $(nproc) cores, commit $(rs_source_commit))"
  echo "# wall seconds per run, alternating; medians of $RUNS"
  echo "gen_null   ${gen_null[*]}"
  echo "validate   ${validate[*]}"
  echo "gen_disk   ${gen_disk[*]}"
  echo "fio_write  ${fio_write[*]}   (fio's job_runtime; io_uring, direct=1, bs=$BS, iodepth=$DEPTH, end_fsync=1)"
  echo "fio_wall   ${fio_wall[*]}   (the same fio runs, wall time of the command: not used for the target)"
  echo "RESULT bench=gen_null records=$N median_s=$m_null Mrec_s=$(rate "$m_null") target_Mrec_s=30 verdict=checksum_ok $(rs_met "$(rate "$m_null") >= 30")"
  echo "RESULT bench=validate_cached records=$N median_s=$m_val Mrec_s=$(rate "$m_val") target_Mrec_s=40 verdict=report_matches_valsort $(rs_met "$(rate "$m_val") >= 40")"
  echo "RESULT bench=gen_disk records=$N median_s=$m_disk gen_alone_s=$m_null fio_write_s=$m_fio ratio_to_max=$ratio target_ratio=1.15 verdict=sha256_ok $(rs_met "$ratio <= 1.15")"
} | tee "$OUT"
echo "recorded in $OUT"
