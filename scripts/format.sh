#!/usr/bin/env bash
# scripts/format.sh — the project's C++ files (.cpp, .hpp; build trees left out) against the repo's
# .clang-format (Google base, 120 columns), with Debian 12's clang-format (14): another major
# version may format some constructs differently, so CI and developers use this one.
# Usage: scripts/format.sh [--check|--fix]
#   --check (default)  lists the files clang-format would change and exits 1 if there are any;
#                      changes nothing
#   --fix              rewrites those files in place (run again: nothing left to change)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
mode=${1:---check}
case $mode in
  --check | --fix) ;;
  *) echo "usage: scripts/format.sh [--check|--fix]" >&2; exit 2 ;;
esac
rs_ensure_packages clang-format

# Every C++ source and header outside build trees and .git, in a stable order.
mapfile -d '' files < <(find . \( -name .git -o -name 'build*' \) -prune -o -type f \
  \( -name '*.cpp' -o -name '*.hpp' \) -print0 | sort -z)
rs_say "format ${mode#--}: clang-format $(clang-format --version | grep -o '[0-9][0-9.]*' | head -n1) (--style=file) on ${#files[@]} files"

if [ "$mode" = --fix ]; then
  printf '%s\0' "${files[@]}" | xargs -0 -r -n 16 -P "$(nproc)" clang-format -i --style=file
  rs_say "format fix: done"
  exit 0
fi

# A file differs when clang-format's output is not the file byte for byte.
differ=$(printf '%s\0' "${files[@]}" | xargs -0 -r -n 1 -P "$(nproc)" sh -c \
  'clang-format --style=file "$1" | cmp -s - "$1" || echo "${1#./}"' sh | sort)
if [ -n "$differ" ]; then
  echo "$differ"
  echo "format check: $(wc -l <<< "$differ") of ${#files[@]} files differ from .clang-format (scripts/format.sh --fix rewrites them)" >&2
  exit 1
fi
rs_say "format check: all ${#files[@]} files match .clang-format"
