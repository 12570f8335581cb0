#!/usr/bin/env bash
# scripts/soak.sh — back-to-back sorts, checking that nothing accumulates (docs/reliability.md):
# 10 Datamation sorts (1 M records, onepass) and 3 scaled terabyte sorts (4 GB over 2 ranks with
# --memory 256M: twopass, threepass, auto), each validated against the input's manifest. After
# every sort the machine must be back at its baseline: no riversort process left, no temporary
# file (runs, *.tmp, locks) in the data directories, disk space used back where it was (the output
# removed), open file handles (/proc/sys/fs/file-nr) and memory in use (MemTotal − MemAvailable)
# within a small tolerance. Writes results/soak-HOST-DATE.txt with the command that produced it.
# Usage: scripts/soak.sh [--dir D (default: the repository; the data goes in D/soak-data)] [--tb-bytes 4G]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/bench.sh
ARGS="$*"
DIR="" TB_RECORDS=40000000
while [ $# -gt 0 ]; do
  case $1 in
    --dir) DIR=$2; shift 2 ;;
    --tb-bytes) TB_RECORDS=$(( $(numfmt --from=si "$2") / 100 )); shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" >&2; exit 2 ;;
    *) echo "scripts/soak.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
DIR=${DIR:-$PWD}/soak-data  # only this subdirectory is ever created and removed
rs_ensure_packages "${RS_BUILD_PACKAGES[@]}"
BUILD=${RS_BUILD_DIR:-build}
rs_build "$BUILD"
RS=$PWD/$BUILD/app/riversort
MPI=(mpirun "${RS_MPIRUN_FLAGS[@]}" -np 2)
OUT=results/soak-$(hostname)-$(date +%Y%m%d-%H%M%S).txt
mkdir -p results
rm -rf "$DIR"; mkdir -p "$DIR"
trap 'rm -rf "$DIR"' EXIT

# Tolerances: the page cache and the allocator move a little between runs; a leak of a rank's
# pools (hundreds of MB) or of descriptors (one per run file) would not hide under these.
MEM_TOL_MB=256 FILES_TOL=64
mem_used_mb() { awk '/MemTotal/ {t=$2} /MemAvailable/ {a=$2} END {print int((t - a) / 1024)}' /proc/meminfo; }
open_files() { cut -f1 /proc/sys/fs/file-nr; }
disk_used_mb() { df -Pm "$DIR" | awk 'NR==2 {print $3}'; }

{
  echo "# command: scripts/soak.sh $ARGS"
  echo "# $(date -Is) $(hostname), commit $(rs_source_commit)"
} > "$OUT"
failures=0
note() { echo "$*" | tee -a "$OUT"; }

# baseline after the inputs exist (the inputs stay for the whole soak)
rs_say "soak: inputs — 1 M records (Datamation) and $TB_RECORDS records (terabyte) over 2 ranks in $DIR"
mkdir -p "$DIR/dm" "$DIR/tb" "$DIR/out" "$DIR/tmp"
"${MPI[@]}" "$RS" gen --records 1M --dir "$DIR/dm" --name 'in.{rank}' 2>/dev/null
"${MPI[@]}" "$RS" gen --records "$TB_RECORDS" --dir "$DIR/tb" --name 'in.{rank}' 2>/dev/null
sync
sleep 1
BASE_MEM=$(mem_used_mb) BASE_FILES=$(open_files) BASE_DISK=$(disk_used_mb)
note "baseline: memory in use ${BASE_MEM} MB, open file handles ${BASE_FILES}, disk used ${BASE_DISK} MB"

check_baseline() {  # NAME
  local name=$1 mem files disk left procs
  sleep 0.5
  procs=$(pgrep -fc "^$RS " || true)
  left=$(find "$DIR/out" "$DIR/tmp" "$DIR/dm" "$DIR/tb" \( -name '*.run' -o -name '*.riversort-*.tmp' -o -name '*.lock' \) | wc -l)
  rm -f "$DIR"/out/*
  sync
  mem=$(mem_used_mb) files=$(open_files) disk=$(disk_used_mb)
  local verdict=ok
  [ "$procs" = 0 ] || verdict="riversort processes left: $procs"
  [ "$left" = 0 ] || verdict="temporary files left: $left"
  [ $((mem - BASE_MEM)) -le $MEM_TOL_MB ] || verdict="memory in use +$((mem - BASE_MEM)) MB"
  [ $((files - BASE_FILES)) -le $FILES_TOL ] || verdict="open file handles +$((files - BASE_FILES))"
  [ $((disk - BASE_DISK)) -le 16 ] || verdict="disk used +$((disk - BASE_DISK)) MB"
  note "  $name: after it memory ${mem} MB, file handles ${files}, disk ${disk} MB: $verdict"
  [ "$verdict" = ok ] || failures=$((failures + 1))
}

run_sort() {  # NAME INPUT_DIR ALGO [extra flags...]
  local name=$1 in=$2 algo=$3; shift 3
  local start end verdict json="$DIR/r.json"
  start=$(rs_now)
  if "${MPI[@]}" "$RS" sort --algo "$algo" --in-dir "$in" --in-name 'in.{rank}' --out-dir "$DIR/out" \
       --out-name 'out.{rank}' --tmp-dir "$DIR/tmp" --validate --result "$json" "$@" >/dev/null 2>"$DIR/err"; then
    verdict=$(grep -o '"verdict": "[^"]*"' "$json" | cut -d'"' -f4)
  else
    verdict="FAILED: $(tail -1 "$DIR/err")"
  fi
  end=$(rs_now)
  local rss
  rss=$(grep -o '"peak_rss_max": [0-9]*' "$json" 2>/dev/null | awk '{print int($2 / 1048576)}')
  note "$name: $algo $(echo "$end - $start" | bc) s, peak RSS ${rss:-?} MiB, validation $verdict"
  [ "$verdict" = SUCCESS ] || failures=$((failures + 1))
  rm -f "$json"
  check_baseline "$name"
}

rs_say "soak: 10 Datamation sorts"
for i in $(seq 1 10); do run_sort "datamation $i/10" "$DIR/dm" onepass --buffered-input; done
rs_say "soak: 3 terabyte sorts of $((TB_RECORDS / 10000000)) GB"
run_sort "terabyte 1/3" "$DIR/tb" twopass --memory 256M
run_sort "terabyte 2/3" "$DIR/tb" threepass --memory 256M
run_sort "terabyte 3/3" "$DIR/tb" auto --memory 256M

verdict=$([ "$failures" = 0 ] && echo "all_13_valid_and_back_to_baseline" || echo "$failures failures")
note "RESULT bench=soak datamation_sorts=10 terabyte_sorts=3 terabyte_records=$TB_RECORDS verdict=$verdict"
rs_say "soak: recorded in $OUT"
[ "$failures" = 0 ]
