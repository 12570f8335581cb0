# tests/cli/lib.sh — what the tests/cli scripts share; source it after setting RS and MPIRUN.
#   MPI          mpirun -q with this machine's flags (MPI_FLAGS: without -q, for mpirun's own lines)
#   quick_exits  for a script whose jobs' ranks all end by themselves: MPI stops waiting after a
#                non-zero exit (below); MPI_KILLS keeps the wait, for a job where a rank is killed
#   T            a fresh directory, removed at exit with any tmpfs mounted under it (MOUNTS)
#   ok / bad     count a passed / failed check (bad prints FAIL and why)
#   finish NAME  prints the counts and exits non-zero if anything failed
#   entries DIR...  the names in the directories, one per line, hidden ones too (for grep)
#   expect_stderr NAME WANT_RC HOW WANT -- command...   one check of a command's exit and stderr
# shellcheck shell=bash
# The flags are the project's RS_MPIRUN_FLAGS (scripts/lib/deps.sh, from scripts/lib/mpirun_flags).
# shellcheck source=../../scripts/lib/deps.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/deps.sh"
MPI_FLAGS=("${RS_MPIRUN_BASE[@]}" "${RS_MPIRUN_BTL_VADER[@]}" "${RS_MPIRUN_AS_ROOT[@]}")  # RS_MPIRUN_FLAGS but -q
MPI=("$MPIRUN" "${RS_MPIRUN_FLAGS[@]}")
MPI_KILLS=("${MPI[@]}")
# Open MPI 4.1's mpirun, once a rank exits non-zero, waits 2 × odls_base_sigkill_timeout (1 s) even
# when every rank has already exited: a refusal or a validate that reports disorder cost 1-2 s
# instead of 0.2 (docs/machine.md#open-mpi). The quick_exit line of scripts/lib/mpirun_flags ends
# it at once, but a rank still running is then SIGKILLed without its SIGTERM cleanup, so the wait
# stays for jobs where a rank is killed (fault_test and hang_test fail without it, as they should).
quick_exits() {
  local quick
  read -ra quick <<< "$(rs_mpirun_flag_line quick_exit)"
  MPI+=("${quick[@]}")
}
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
entries() { find "$@" -mindepth 1 -maxdepth 1 -printf '%f\n'; }
finish() {
  echo "$1: $pass passed, $fails failed"
  [ "$fails" = 0 ]
}

# expect_stderr NAME WANT_RC HOW WANT -- command...: one check that the command exits WANT_RC
# (or WANT_RC "nonzero": any status but 0 and timeout(1)'s 124) and that its stderr, HOW, is: "exactly" WANT;
# "contains" WANT (anything when WANT is empty); "one-line" holding WANT (one line, no more).
expect_stderr() {
  local name=$1 want_rc=$2 how=$3 want=$4
  shift 5
  local err rc good=1
  err=$("$@" 2>&1 >/dev/null); rc=$?
  # Open MPI's shutdown warning is mpirun's, not riversort's: no part of what a check compares
  # (RS_OMPI_SHUTDOWN_WARNING, scripts/lib/deps.sh).
  err=$(printf '%s\n' "$err" | grep -v -E "$RS_OMPI_SHUTDOWN_WARNING")
  if [ "$want_rc" = nonzero ]; then [ "$rc" != 0 ] && [ "$rc" != 124 ] || good=0; else [ "$rc" = "$want_rc" ] || good=0; fi
  case $how in
    exactly) [ "$err" = "$want" ] || good=0 ;;
    contains) [[ "$err" == *"$want"* ]] || good=0 ;;
    one-line) [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && [[ "$err" == *"$want"* ]] || good=0 ;;
    *) bad "$name: expect_stderr: no such check '$how'"; return ;;
  esac
  if [ "$good" = 1 ]; then ok; else bad "$name: exit $rc (want $want_rc), stderr $how '$want', got:"$'\n'"$err"; fi
}
