# tests/cli/lib.sh — what the tests/cli scripts share; source it after setting RS and MPIRUN.
#   MPI          mpirun -q with this machine's flags (MPI_FLAGS: without -q, for mpirun's own lines)
#   T            a fresh directory, removed at exit with any tmpfs mounted under it (MOUNTS)
#   ok / bad     count a passed / failed check (bad prints FAIL and why)
#   finish NAME  prints the counts and exits non-zero if anything failed
# shellcheck shell=bash
MPI_FLAGS=(--allow-run-as-root --oversubscribe --mca pml ob1 --mca btl self,vader
           --mca btl_vader_single_copy_mechanism none)
MPI=("$MPIRUN" -q "${MPI_FLAGS[@]}")
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
