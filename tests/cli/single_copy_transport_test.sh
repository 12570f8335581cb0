#!/usr/bin/env bash
# tests/cli/single_copy_transport_test.sh — the exchange's sending rule where receivers alone move
# large messages (river/net/mpi_single_copy.hpp), under shared memory with Open MPI's single copy
# (CMA): mpi_distributed_test's SingleCopy*, Sending* and TwoSided* cases with the vader_cma line of
# scripts/lib/mpirun_flags and RS_TEST_RECEIVER_MOVES=1. Where CMA does not work (a container that
# forbids ptrace between processes: the same probe the out-of-core scripts make, rs_single_copy in
# scripts/lib/deps.sh, says so) it prints "SKIP: reason" and exits 77: the transfers could not run.
# Usage: single_copy_transport_test.sh RIVERSORT MPIRUN MPI_DISTRIBUTED_TEST
set -u
RS=$(realpath "$1")
MPIRUN=${2:-mpirun}
CASES=$(realpath "$3")
source "$(dirname "$0")/lib.sh"
unset RS_SINGLE_COPY
export TMPDIR=$T  # the probe's directory, removed with $T
rs_single_copy "$RS" twopass 2>"$T/probe.err" || { cat "$T/probe.err"; bad "rs_single_copy failed"; finish single_copy_transport_test; exit; }
if [ "$RS_SINGLE_COPY_USED" != cma ]; then
  echo "SKIP: single copy (CMA) does not work here: $(tail -n 1 "$T/probe.err")"
  exit 77
fi
if timeout -k 10 120 "$MPIRUN" "${RS_MPIRUN_FLAGS[@]}" -np 2 -x RS_TEST_RECEIVER_MOVES=1 "$CASES" \
  --gtest_filter='MpiDistributed.SingleCopy*:MpiDistributed.Sending*:MpiDistributed.TwoSided*' >"$T/cases.out" 2>&1; then
  ok
else
  cat "$T/cases.out"
  bad "mpi_distributed_test under ${RS_MPIRUN_FLAGS[*]}"
fi
# The cases ran, the CMA-only one included (it skips where senders move the data).
grep -q "OK \].*MpiDistributed.SingleCopySenderLeavesTheTransferToTheReceiver" "$T/cases.out" && ok ||
  bad "SingleCopySenderLeavesTheTransferToTheReceiver did not pass: $(grep -m1 -E 'SKIPPED|FAILED' "$T/cases.out")"
finish single_copy_transport_test
