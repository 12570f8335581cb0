#!/usr/bin/env bash
# scripts/tune.sh — the README's tuning command: installs what is missing, builds (Release), runs
# the default iobench sweep (1 GiB file; transfer sizes 128K, 512K, 2M; depths 1, 4, 16, 32;
# uring and threads; read and write; every stripe count over the given directories) and draws
# its heat map. Results land in results/iobench-<host>-<date>.{csv,json,png,svg}.
#
# Usage: scripts/tune.sh [--dir DIR]... [--size BYTES] [--runs N]
#   --dir   test directory, repeat for stripes (default: bench-data/); one per disk to compare
#   --runs  measurements per point, medians recorded (default 5; ~40 s per run here)
# RS_BUILD_DIR picks another build directory (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
DIRS=()
SIZE=1G
RUNS=5
while [ $# -gt 0 ]; do
  case $1 in
    --dir) DIRS+=("$2"); shift 2 ;;
    --size) SIZE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "usage: $0 [--dir DIR]... [--size BYTES] [--runs N]" >&2; exit 2 ;;
  esac
done
[ ${#DIRS[@]} -gt 0 ] || DIRS=("$PWD/bench-data")
BUILD=${RS_BUILD_DIR:-build}
rs_ensure_packages "${RS_BUILD_PACKAGES[@]}" "${RS_BENCH_PACKAGES[@]}"
rs_build "$BUILD"
mkdir -p "${DIRS[@]}" results

# shellcheck disable=SC2054  # the commas are iobench's lists of values, not array separators
cmd=("$BUILD/app/riversort" iobench --size "$SIZE" --transfer-size 128K,512K,2M --queue-depth 1,4,16,32
     --io-engine uring,threads --rw read,write --runs "$RUNS" --out-dir results)
for d in "${DIRS[@]}"; do cmd+=(--dir "$d"); done
rs_say "sweep: ${cmd[*]}"
rs_say "load before the sweep: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the numbers)"
out=$("${cmd[@]}")
printf '%s\n' "$out"
json=$(printf '%s\n' "$out" | sed -n 's/^json: //p')
[ -n "$json" ] || { echo "tune.sh: iobench printed no JSON path" >&2; exit 1; }
rs_say "plot: scripts/plot_results.py iobench $json"
scripts/plot_results.py iobench "$json"
