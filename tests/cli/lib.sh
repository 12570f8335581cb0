# tests/cli/lib.sh — what the tests/cli scripts share; source it after setting RS and MPIRUN.
#   MPI          mpirun -q with this machine's flags (MPI_FLAGS: without -q, for mpirun's own lines)
#   T            a fresh directory, removed at exit with any tmpfs mounted under it (MOUNTS)
#   ok / bad     count a passed / failed check (bad prints FAIL and why)
#   finish NAME  prints the counts and exits non-zero if anything failed
# shellcheck shell=bash
# The flags are the project's RS_MPIRUN_FLAGS (scripts/lib/deps.sh, from scripts/lib/mpirun_flags).
# shellcheck source=../../scripts/lib/deps.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/deps.sh"
MPI_FLAGS=("${RS_MPIRUN_BASE[@]}" "${RS_MPIRUN_BTL_VADER[@]}" "${RS_MPIRUN_AS_ROOT[@]}")  # RS_MPIRUN_FLAGS but -q
MPI=("$MPIRUN" "${RS_MPIRUN_FLAGS[@]}")
T=$(mktemp -d "${TMPDIR:-/tmp}/riversort-$(basename "$0" .sh)-XXXXXX")
MOUNTS=()
rs_test_cleanup() {
  for m in "${MOUNTS[@]}"; do umount "$m" 2>/dev/null; done
  rm -rf "$T"
}
trap rs_test_cleanup EXIT
fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
finish() {
  echo "$1: $pass passed, $fails failed"
  [ "$fails" = 0 ]
}
