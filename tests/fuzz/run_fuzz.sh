#!/usr/bin/env bash
# tests/fuzz/run_fuzz.sh — builds the libFuzzer target validate_fuzz with clang in its own build
# dir (-DRS_FUZZ=ON, ASan+UBSan on everything it compiles) and runs it for RS_FUZZ_SECONDS
# (default 60) on a seed corpus of real records and summaries made with `riversort`.
# Exit 0: no crash; 1: a crash, a broken invariant or a failed build (the reproducer is kept in
# BUILD_DIR/fuzz-artifacts); 77: skipped, clang with libFuzzer is missing and cannot be installed.
# Usage: run_fuzz.sh [RIVERSORT [BUILD_DIR]]
#   RIVERSORT: the (GCC-built) executable that makes the seeds; default build/app/riversort
#   BUILD_DIR: the clang build dir; default build-fuzz-clang in the source tree
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RS=${1:-$ROOT/build/app/riversort}
BUILD=${2:-$ROOT/build-fuzz-clang}
SECONDS_TO_RUN=${RS_FUZZ_SECONDS:-60}
# shellcheck source=../../scripts/lib/deps.sh
source "$ROOT/scripts/lib/deps.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/riversort-fuzz-XXXXXX")
trap 'rm -rf "$T"' EXIT

# --- clang that links libFuzzer with ASan and UBSan, installed if missing
fuzz_toolchain_ok() {
  command -v clang >/dev/null && command -v clang++ >/dev/null || return 1
  printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' > "$T/probe.cpp"
  clang++ -fsanitize=fuzzer,address,undefined "$T/probe.cpp" -o "$T/probe" 2>"$T/probe.log"
}
if ! fuzz_toolchain_ok; then
  rs_ensure_packages clang libclang-rt-dev || true
  if ! fuzz_toolchain_ok; then
    echo "SKIP: clang with libFuzzer (-fsanitize=fuzzer) is not available and could not be installed:" \
      "$(head -c 300 "$T/probe.log" 2>/dev/null | tr '\n' ' ')"
    exit 77
  fi
fi

# --- configure (the whole tree, with clang) and build only the fuzz target
if [ -f "$BUILD/CMakeCache.txt" ] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang' "$BUILD/CMakeCache.txt"; then
  # Configured with another compiler: start over, but only in a directory this script made.
  [ -f "$BUILD/.rs-fuzz-build" ] || { echo "run_fuzz.sh: $BUILD is another compiler's build directory; give a fresh one" >&2; exit 1; }
  rm -rf "$BUILD"
fi
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
rs_say "fuzz build: CC=clang CXX=clang++ cmake -S $ROOT -B $BUILD -DRS_FUZZ=ON"
if ! CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRS_FUZZ=ON \
    -DCMAKE_CXX_FLAGS="$SAN -fsanitize=fuzzer-no-link" -DCMAKE_EXE_LINKER_FLAGS="$SAN" >"$T/configure.log" 2>&1; then
  cat "$T/configure.log"; echo "FAIL: configuring $BUILD with clang failed"; exit 1
fi
touch "$BUILD/.rs-fuzz-build"  # this directory is ours: the script may start it over
if ! cmake --build "$BUILD" -j"$(nproc)" --target validate_fuzz >"$T/build.log" 2>&1; then
  cat "$T/build.log"; echo "FAIL: building validate_fuzz with clang failed"; exit 1
fi
FUZZ=$BUILD/tests/fuzz/validate_fuzz

# --- seeds: byte 0 picks the mode (0 records, 1 summaries), bytes 1-2 the split points
mkdir -p "$T/corpus" "$T/d"
seed() {  # NAME HEADER-BYTES FILE...
  local name=$1 header=$2; shift 2
  { printf "$header"; cat "$@"; } > "$T/corpus/$name"
}
if [ -x "$RS" ]; then
  "$RS" gen --records 40 --dir "$T/d" --name g.dat 2>/dev/null &&
    "$RS" gen --records 30 --ascii --skew --dir "$T/d" --name a.dat 2>/dev/null &&
    "$RS" sort --in-dir "$T/d" --in-name g.dat --out-dir "$T/d" --out-name s.dat >/dev/null 2>&1 &&
    "$RS" sort --in-dir "$T/d" --in-name a.dat --out-dir "$T/d" --out-name as.dat >/dev/null 2>&1 ||
    { echo "FAIL: $RS could not make the seed records"; exit 1; }
  head -c 1500 "$T/d/s.dat" > "$T/d/s1.dat"; tail -c +1501 "$T/d/s.dat" | head -c 1000 > "$T/d/s2.dat"
  tail -c 1500 "$T/d/s.dat" > "$T/d/s3.dat"
  for f in g s s1 s2 s3 as; do
    "$RS" validate --dir "$T/d" --name $f.dat --summary-out "$T/d/$f.sum" 2>/dev/null
    [ -s "$T/d/$f.sum" ] || { echo "FAIL: $RS could not write the seed summary $f.sum"; exit 1; }
  done
  { head -c 800 "$T/d/s.dat"; head -c 100 "$T/d/s3.dat"; } > "$T/d/dup.dat"
  seed rec-sorted '\x00\x07\x1d' "$T/d/s.dat"
  seed rec-gen '\x00\x03\x11' "$T/d/g.dat"
  seed rec-ascii-skew '\x00\x0c\x02' "$T/d/as.dat"
  seed rec-dup '\x00\x05\x09' "$T/d/dup.dat" "$T/d/s3.dat"
  seed sum-split '\x01\x01\x00' "$T/d/s1.sum" "$T/d/s2.sum" "$T/d/s3.sum"
  seed sum-mixed '\x01\x02\x00' "$T/d/g.sum" "$T/d/s.sum" "$T/d/as.sum" "$T/d/s1.sum"
else
  echo "note: $RS not found; seeding with random bytes"
  head -c 1003 /dev/urandom > "$T/corpus/rec-random"
  { printf '\x01\x01\x00'; head -c 840 /dev/urandom; } > "$T/corpus/sum-random"
fi

# --- run
mkdir -p "$BUILD/fuzz-artifacts"
rs_say "fuzz: validate_fuzz for ${SECONDS_TO_RUN}s on $(ls "$T/corpus" | wc -l) seeds"
"$FUZZ" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -timeout=10 -error_exitcode=1 -timeout_exitcode=1 \
  -print_final_stats=1 -artifact_prefix="$BUILD/fuzz-artifacts/" "$T/corpus" >"$T/fuzz.log" 2>&1
rc=$?
if [ "$rc" != 0 ]; then
  tail -n 60 "$T/fuzz.log"
  echo "FAIL: validate_fuzz exited $rc; reproduce with: $FUZZ $(ls -t "$BUILD"/fuzz-artifacts/* 2>/dev/null | head -1)"
  exit 1
fi
grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|^#[0-9]+.*DONE' "$T/fuzz.log"
echo "validate_fuzz: no crash in ${SECONDS_TO_RUN}s"
