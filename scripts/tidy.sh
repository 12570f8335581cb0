#!/usr/bin/env bash
# scripts/tidy.sh — clang-tidy (Debian 12's, 14) over every .cpp in build/compile_commands.json (the
# project's sources and tests, with their real flags), checks from .clang-tidy; a warning fails.
# Diagnostics in the project's own headers count too; system and third-party headers do not.
# Findings listed in scripts/tidy_known.txt are printed and do not fail. About 9.5 CPU-minutes for
# the 107 files (about 5 minutes on 2 idle cores; 14-16 min measured while other builds shared the machine).
# Usage: scripts/tidy.sh [FILE_REGEX...]   (default: every file in the database)
#   RS_TIDY_BUILD=DIR  the build directory whose compile_commands.json is used (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
rs_ensure_packages clang-tidy
ROOT=$PWD
BUILD=${RS_TIDY_BUILD:-build}
if [ ! -f "$BUILD/compile_commands.json" ]; then
  # Configuring writes the database and core/build_info.hpp; nothing needs compiling for tidy.
  rs_say "configure: cmake -S . -B $BUILD -DCMAKE_BUILD_TYPE=Release (for compile_commands.json)"
  cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release > /dev/null
fi
LOG=$BUILD/tidy.log
HEADERS="^$ROOT/(app|core|gen|io|partition|river|sort|tune|validate|tests)/"
rs_say "tidy: run-clang-tidy -p $BUILD -j$(nproc) (checks: .clang-tidy; full output: $LOG)"
start=$SECONDS
rc=0
run-clang-tidy -p "$BUILD" -j"$(nproc)" -quiet -header-filter="$HEADERS" "$@" > "$LOG" 2>&1 || rc=$?
# The warnings once each (a header's warning repeats for every file that includes it), relative to
# the checkout, split into new ones and those listed in scripts/tidy_known.txt (found, reported to
# the files' owners, not fixed yet: printed, not failing).
warnings=$(sed 's/\x1b\[[0-9;]*m//g' "$LOG" | grep -E '^/[^ ]+:[0-9]+:[0-9]+: (warning|error):' |
  sed "s|^$ROOT/||; s/,-warnings-as-errors\]$/]/" | sort -u || true)
known_pairs=$(sed 's/#.*//' scripts/tidy_known.txt | awk 'NF >= 2 {print $1 " " $2}')
new=""
known=""
while IFS= read -r w; do
  [ -n "$w" ] || continue
  pair="${w%%:*} $(grep -oE '\[[a-z0-9.-]+\]$' <<< "$w" | tr -d '[]')"
  if grep -qxF "$pair" <<< "$known_pairs"; then known+="$w"$'\n'; else new+="$w"$'\n'; fi
done <<< "$warnings"
if [ -n "$known" ]; then
  rs_say "tidy: known findings (scripts/tidy_known.txt; not failing):"
  printf '%s' "$known"
fi
if [ -n "$new" ]; then
  rs_say "tidy: new findings:"
  printf '%s' "$new"
  grep -oE '\[[a-z0-9.-]+\]$' <<< "$new" | sort | uniq -c | sort -rn
fi
# A listed finding that no longer shows has been fixed: its line can go (only said on a full run).
if [ $# -eq 0 ]; then
  while read -r path check; do
    [ -n "$path" ] || continue
    grep -q "^$path:.*\[$check\]\$" <<< "$warnings" || rs_say "tidy: fixed? '$path $check' no longer found: remove it from scripts/tidy_known.txt"
  done <<< "$known_pairs"
fi
rs_say "tidy: $(grep -c . <<< "$new" || true) new and $(grep -c . <<< "$known" || true) known findings in $((SECONDS - start)) s"
if [ "$rc" != 0 ] && [ -z "$new$known" ]; then
  tail -n 20 "$LOG"
  echo "tidy: FAILED (run-clang-tidy exited $rc without a finding: see $LOG)" >&2
  exit 1
fi
if [ -n "$new" ]; then
  echo "tidy: FAILED (fix them, or turn the check off in .clang-tidy with the reason; $LOG)" >&2
  exit 1
fi
rs_say "tidy: clean"
