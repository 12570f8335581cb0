#!/usr/bin/env bash
# tests/cli/version_test.sh — `riversort --version`: the VERSION file's release, the commit the
# binary was built from (the build-time commit: a binary built before the last commit, or before an
# edit to a tracked file, fails here: rebuild), the library lines; without mpirun, and under
# mpirun printed once (rank 0).
# Usage: version_test.sh RIVERSORT MPIRUN
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

want_version="riversort $(head -n1 "$SRC/VERSION")"
# What core/build_info.cmake records: the short commit, "-dirty" for edited tracked files, or
# "unknown" outside this tree's own git checkout.
want_commit=unknown
if [ "$(git -C "$SRC" rev-parse --show-toplevel 2>/dev/null)" = "$SRC" ]; then
  want_commit=$(git -C "$SRC" rev-parse --short HEAD)
  git -C "$SRC" diff --quiet HEAD -- || want_commit+=-dirty
fi

out=$("$RS" --version 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && ok || bad "--version exited $rc"
[ ! -s "$T/err" ] && ok || bad "--version wrote to stderr: $(cat "$T/err")"
[ "$(sed -n 1p <<< "$out")" = "$want_version" ] && ok || bad "first line '$(sed -n 1p <<< "$out")', want '$want_version'"
[ "$(sed -n 's/^commit: *//p' <<< "$out")" = "$want_commit" ] && ok ||
  bad "commit '$(sed -n 's/^commit: *//p' <<< "$out")', want '$want_commit' (a binary older than the tree: rebuild)"
grep -qE '^build type: [A-Za-z]+$' <<< "$out" && ok || bad "no build type line"
grep -qE '^MPI: +Open MPI [0-9]+\.[0-9]+\.[0-9]+ \(headers\), Open MPI v[0-9.]+ \(loaded\)$' <<< "$out" && ok ||
  bad "MPI line: $(grep '^MPI' <<< "$out")"
grep -qE '^liburing: +[0-9]+\.[0-9]+' <<< "$out" && ok || bad "liburing line: $(grep '^liburing' <<< "$out")"
grep -qE '^oneTBB: +[0-9]{4}\.[0-9]+ \(headers\), [0-9]{4}\.[0-9.]+ \(loaded\)$' <<< "$out" && ok ||
  bad "oneTBB line: $(grep '^oneTBB' <<< "$out")"

# Under mpirun every rank parses the flag; rank 0 alone prints, and the job exits 0.
mout=$("${MPI[@]}" -np 2 "$RS" --version 2>&1); rc=$?
[ "$rc" = 0 ] && ok || bad "mpirun -np 2 --version exited $rc: $mout"
[ "$mout" = "$out" ] && ok || bad "under mpirun -np 2 the output differs from one copy of the standalone one: $mout"

finish version_test
