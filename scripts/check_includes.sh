#!/usr/bin/env bash
# scripts/check_includes.sh — keeps <mpi.h> and <liburing.h> in the files allowed them: MPI is
# initialised only under mpirun and its calls belong to river/net's communication thread, and
# io_uring stays behind the IoEngine interface (docs/io.md), so a new include elsewhere is a layering
# break to discuss, not to slip in. Fails listing each file that includes one outside its list.
# A file moved or added on purpose joins the list below in the same change.
# Usage: scripts/check_includes.sh [--self-test]
#   --self-test  first plants both includes in a scratch tree and checks that they are caught.
set -euo pipefail
cd "$(dirname "$0")/.."

MPI_ALLOWED=(river/net/mpi_abort.cpp river/net/mpi_comm.cpp river/net/mpi_rma_transport.cpp river/net/mpi_transport.cpp
             river/net/mpi_transport_base.hpp river/net/mpi_wait.hpp river/net/mpi_wait.cpp)
URING_ALLOWED=(io/uring_engine.cpp)

# violations ROOT PATTERN ALLOWED...: project C/C++ files under ROOT (build trees and .git left out)
# that include a header matching PATTERN and are not in ALLOWED.
violations() {
  local root=$1 pattern=$2 f; shift 2
  (cd "$root" && find . \( -name '.git' -o -name 'build*' \) -prune -o -type f \
      \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cc' \) -print0 |
    xargs -0 -r grep -lE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)[>\"]" |
    sed 's|^\./||' | sort) |
  while read -r f; do
    [[ " $* " == *" $f "* ]] || echo "$f"
  done
}
MPI_PATTERN='mpi\.h'
URING_PATTERN='liburing\.h|liburing/[^>"]*'

check() {  # check ROOT: prints each violation, returns non-zero if any
  local root=$1 bad_mpi bad_uring
  bad_mpi=$(violations "$root" "$MPI_PATTERN" "${MPI_ALLOWED[@]}")
  bad_uring=$(violations "$root" "$URING_PATTERN" "${URING_ALLOWED[@]}")
  [ -z "$bad_mpi" ] || sed 's/$/: includes <mpi.h> (allowed only in the list in scripts\/check_includes.sh)/' <<< "$bad_mpi"
  [ -z "$bad_uring" ] || sed 's/$/: includes <liburing.h> (allowed only in io\/uring_engine.cpp)/' <<< "$bad_uring"
  [ -z "$bad_mpi$bad_uring" ]
}

if [ "${1:-}" = --self-test ]; then
  echo "==> check_includes: self-test (both includes planted in a scratch tree must be caught)"
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  mkdir -p "$scratch/sort" "$scratch/io" "$scratch/build/x"
  printf '#include <mpi.h>\n' > "$scratch/sort/planted.cpp"
  printf '  #  include "liburing.h"\n' > "$scratch/io/planted.hpp"
  printf '#include <mpi.h>\n' > "$scratch/build/x/generated.cpp"  # build trees are not the project's
  out=$(check "$scratch" || true)
  for want in sort/planted.cpp io/planted.hpp; do
    [[ "$out" == *"$want"* ]] || { echo "check_includes: self-test: $want not caught" >&2; exit 1; }
  done
  [[ "$out" != *generated.cpp* ]] || { echo "check_includes: self-test: a build tree was scanned" >&2; exit 1; }
fi

echo "==> check_includes: <mpi.h> only in ${MPI_ALLOWED[*]}; <liburing.h> only in ${URING_ALLOWED[*]}"
if ! check .; then
  echo "check_includes: FAILED (move the call behind river/net or io/uring_engine, or extend the list in $0)" >&2
  exit 1
fi
echo "check_includes: OK"
