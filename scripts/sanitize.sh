#!/usr/bin/env bash
# scripts/sanitize.sh — the unit and distributed tests under the sanitizers (CMakePresets.json):
#   asan-ubsan  every unit test, the loopback and the MPI distributed tests (np 1-4), with
#               AddressSanitizer + UndefinedBehaviorSanitizer (UB aborts) and assertions on
#   tsan        ThreadSanitizer on the tests of the threaded code: disk streams and pools
#               (river_test), the in-process distributed sorts (loopback_distributed_test: onepass
#               and threepass; twopass's many cases take over 5 minutes under TSan, measured), the
#               merges, the memory plan and the report's timeline sampler (report_test) — the MPI
#               tests are left out (Open MPI is not built for it)
# The end-to-end CLI scripts run in the Release build only (scripts/test.sh): under a sanitizer
# they would take most of CI's time for little more coverage. Usage: scripts/sanitize.sh [asan-ubsan|tsan|all]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
rs_ensure_packages "${RS_BUILD_PACKAGES[@]}"
which=${1:-all}
SUP=$PWD/tests/sanitizers
# The tests that run in the Release build only: every tests/cli/*_test.sh (a new one is left out
# without being listed here), the fuzzer, and the checks of scripts and docs (no code of the build
# runs in them).
RELEASE_ONLY=$(for f in tests/cli/*_test.sh; do basename "$f" .sh; done | paste -sd'|')'|validate_fuzz|docs_standalone|check_includes'

build() {  # build PRESET [TARGET...]
  local preset=$1; shift
  rs_say "configure: cmake --preset $preset"
  cmake --preset "$preset" >/dev/null
  local targets=()
  for t in "$@"; do targets+=(--target "$t"); done
  rs_say "build: cmake --build --preset $preset -j$(nproc) ${targets[*]}"
  local dir=build-$preset rc=0
  cmake --build --preset "$preset" -j"$(nproc)" "${targets[@]}" > "$dir/build.log" 2>&1 || rc=$?
  grep -Ev '^\[ *[0-9]+%\]|^Consolidate|^-- ' "$dir/build.log" | head -40 || true  # the compiler's messages
  [ "$rc" = 0 ] || { echo "sanitize.sh: the $preset build failed ($dir/build.log)" >&2; exit 1; }
}

if [ "$which" = asan-ubsan ] || [ "$which" = all ]; then
  build asan-ubsan rs_test_programs  # the test executables: the app and benchmarks do not run here
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  rs_say "test: ctest --test-dir build-asan-ubsan -E '$RELEASE_ONLY|mpi_distributed|mpi_collectives' (ASan + UBSan + LeakSanitizer)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$SUP/lsan.supp \
    ctest --test-dir build-asan-ubsan -j"$(nproc)" --output-on-failure -E "$RELEASE_ONLY|mpi_distributed|mpi_collectives"
  # Under mpirun, leaks are not checked: Open MPI's components are unloaded before exit, so what
  # they keep shows as "<unknown module>" and cannot be told apart by a suppression.
  rs_say "test: ctest --test-dir build-asan-ubsan -R 'mpi_distributed|mpi_collectives' (ASan + UBSan, np 1-4, chunked collectives)"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    ctest --test-dir build-asan-ubsan --output-on-failure -R 'mpi_distributed|mpi_collectives'
fi
if [ "$which" = tsan ] || [ "$which" = all ]; then
  build tsan river_test loopback_distributed_test merge_test memory_plan_test core_test report_test
  rs_say "test: ctest --test-dir build-tsan (ThreadSanitizer: river, loopback distributed, merges, core, timeline)"
  TSAN_OPTIONS=suppressions=$SUP/tsan.supp:halt_on_error=1:second_deadlock_stack=1 \
    ctest --test-dir build-tsan -j"$(nproc)" --output-on-failure -E 'TwopassSortsEverything' \
      -R '^(DiskStream|MemPool|BackPressure|RiverQueue|DiskErrors|DiskOptions|LoopbackDistributed|MergeStreams|RunFormerAndMerge|RangeSource|MemoryPlan|Uint128|Checksum|Units|Comm|DatasetPaths|Activity|Timeline|PhaseBound|Limits|SortReport)\.'
fi
