# shellcheck shell=bash
# scripts/lib/deps.sh — sourced by the README's commands: installs the Debian packages that are
# missing (apt-get update first, and only when something is missing). Idempotent.

# What building and testing needs.
RS_BUILD_PACKAGES=(g++ bc cmake make pkg-config openmpi-bin libopenmpi-dev liburing-dev libtbb-dev
  libcli11-dev libdeflate-dev libisal-dev nlohmann-json3-dev libgtest-dev libbenchmark-dev
  dpkg-dev file groff-base python3)
# dpkg-dev, file, groff-base: package_test (dpkg-shlibdeps and file for cpack, groff for the man
# page); python3: the tests' record oracle (tests/oracle/records.py) and JSON checks.
# What the benchmark and plotting scripts need on top.
RS_BENCH_PACKAGES=(fio hyperfine python3-matplotlib bc)

rs_say() { printf '==> %s\n' "$*" >&2; }

# rs_ensure_packages PKG...: installs the given packages that are not installed yet.
rs_ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    rs_say "packages: all ${#@} present"
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; return 1; }
    sudo=(sudo)
  fi
  rs_say "packages: installing ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# rs_build [BUILD_DIR]: configures (Release) and builds; prints what it does.
rs_build() {
  local dir=${1:-build}
  rs_say "configure: cmake -S . -B $dir -DCMAKE_BUILD_TYPE=Release"
  # A failed configure stops here with cmake's own messages (without this, the build step below
  # failed later with "No rule to make target 'Makefile'", which says nothing of the cause).
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >/dev/null ||
    { echo "configure failed (cmake -S . -B $dir exited non-zero; its messages are above)" >&2; return 1; }
  rs_say "build: cmake --build $dir -j$(nproc)"
  # The compiler's messages without the progress lines; a failed build fails here (an old binary
  # left in the directory must not pass for a new one).
  local rc=0
  cmake --build "$dir" -j"$(nproc)" > "$dir/build.log" 2>&1 || rc=$?
  grep -Ev '^\[ *[0-9]+%\]|^Consolidate|^-- ' "$dir/build.log" || true
  [ "$rc" = 0 ] || { echo "build failed (cmake --build exited $rc; $dir/build.log)" >&2; return 1; }
}

# rs_reserve_huge_pages BYTES: makes sure the kernel's pool of 2 MiB huge pages holds at least
# BYTES (at most half the memory available), so that riversort's buffers come from pages that stay
# backed between processes (io/huge_tlb.hpp, docs/machine.md#the-reserved-huge-page-pool); newly
# reserved pages are touched once here, so the first sort does not pay for it. Never lowers the
# pool; the pool stays after the script (writing 0 to the same file gives it back). Without root,
# or where the kernel gives fewer pages, sorts use ordinary memory for the rest, and the script
# says so.
rs_reserve_huge_pages() {
  local want=$(( ($1 + 2097151) / 2097152 )) asked have avail got
  local knob=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages  # 2 MiB pages, whatever the default size
  [ -e "$knob" ] || { rs_say "huge pages: this kernel has no 2 MiB huge pages; sorts use ordinary memory"; return 0; }
  have=$(cat "$knob")
  avail=$(awk '$1 == "MemAvailable:" { print int($2 / 2048) }' /proc/meminfo)
  asked=$want
  [ "$want" -le $((avail / 2 + have)) ] || want=$((avail / 2 + have))
  local capped=""
  [ "$want" = "$asked" ] || capped=", capped at half the available memory"
  if [ "$have" -ge "$want" ]; then
    rs_say "huge pages: $have reserved ($((have * 2)) MiB; $((asked * 2)) MiB wanted$capped)"
    return 0
  fi
  if ! [ -w "$knob" ]; then
    rs_say "huge pages: $have reserved, $want wanted; not root, so sorts use ordinary memory for the rest (slower first touch: docs/machine.md)"
    return 0
  fi
  echo "$want" > "$knob"
  got=$(cat "$knob")
  rs_say "huge pages: reserved $got ($((got * 2)) MiB; $((asked * 2)) MiB wanted$capped) in $knob; stays after this script"
  # Touch the new pages once (the host backs them now, not in the first sort). Quietly skipped
  # where other processes hold pool pages meanwhile.
  if [ "$got" -gt "$have" ] && command -v python3 >/dev/null; then
    python3 - "$((got - have))" 2>/dev/null <<'PY' || true
import mmap, sys
n = int(sys.argv[1]) << 21
m = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x40000 | (21 << 26))  # MAP_HUGETLB | MAP_HUGE_2MB
for i in range(0, n, 1 << 21):
    m[i] = 1
PY
  fi
}

# rs_plan_memory RIVERSORT PLAN_ARGS...: the bytes one rank's sort may hold, from `riversort plan
# --json` (the larger of its peak and its --memory budget); fails with the plan's own message.
rs_plan_memory() {
  local bin=$1 json
  shift
  json=$("$bin" plan "$@" --json) || { echo "riversort plan $* failed" >&2; return 1; }
  printf '%s\n' "$json" | grep -Eo '"(peak_memory|memory_budget)_bytes": *[0-9]+' | grep -Eo '[0-9]+$' | sort -n | tail -1
}

# The mpirun flags that matter here (docs/machine.md#open-mpi), read from scripts/lib/mpirun_flags
# (which tests/CMakeLists.txt reads too): RS_MPIRUN_BASE (ob1: no ~100 ms of interconnect probing
# per launch; oversubscribe), RS_MPIRUN_BTL_VADER (shared memory) or RS_MPIRUN_BTL_TCP, and
# RS_MPIRUN_AS_ROOT (--allow-run-as-root, as root). RS_MPIRUN_FLAGS is -q (which drops Open MPI's
# banner when a rank exits non-zero, so the user sees riversort's one line), then base, vader, root.
rs_mpirun_flag_line() {  # rs_mpirun_flag_line NAME: the flags of that line of mpirun_flags
  sed -n "s/^$1: *//p" "$(dirname "${BASH_SOURCE[0]}")/mpirun_flags"
}
read -ra RS_MPIRUN_BASE <<< "$(rs_mpirun_flag_line base)"
read -ra RS_MPIRUN_BTL_VADER <<< "$(rs_mpirun_flag_line vader)"
read -ra RS_MPIRUN_BTL_TCP <<< "$(rs_mpirun_flag_line tcp)"
RS_MPIRUN_AS_ROOT=()
if [ "$(id -u)" = 0 ]; then RS_MPIRUN_AS_ROOT=(--allow-run-as-root); fi
# Open MPI's event library sometimes warns as a job's processes end ("[warn] Epoll MOD(1) on fd 25
# failed ... Bad file descriptor": a known race in its shutdown, open-mpi/ompi#2004). The line is
# mpirun's, not riversort's: what judges a run's stderr leaves out the lines this matches (grep -E).
RS_OMPI_SHUTDOWN_WARNING='^\[warn\] Epoll '
rs_mpirun_flags_join() { RS_MPIRUN_FLAGS=(-q "${RS_MPIRUN_BASE[@]}" "${RS_MPIRUN_BTL_VADER[@]}" "${RS_MPIRUN_AS_ROOT[@]}"); }
rs_mpirun_flags_join

# rs_single_copy RIVERSORT ALGO: shared memory with Open MPI's single-copy mechanism (the
# vader_cma line of mpirun_flags) from here on, for ALGO twopass or threepass, where it works on
# this machine; else the vader line stays. Open MPI's own default is CMA (process_vm_readv), but a
# container that forbids ptrace between processes breaks it at run time (open-mpi/ompi#4948: "Read
# -1, expected …" on stderr), which is why the vader line turns it off and the tests keep that.
# Side by side here (docs/machine.md#single-copy-cma) twopass took 0.834-0.944 x the core-seconds
# per GB with it; in core it was no faster at 1 M records and 1.015-1.050 x the time at 10 M, so
# onepass (and auto, which may pick it) keeps the copies. The probe sorts 10 MB over 2 ranks in a
# new directory under TMPDIR (removed after; no O_DIRECT, so any filesystem will do), without and
# then with CMA: CMA is used only if both sorts exit 0, the CMA one prints nothing on stderr that
# the other does not (a notice of riversort's own appears in both), and its output validates.
# RS_SINGLE_COPY=none skips the probe; =cma makes a failed one an error. Sets RS_MPIRUN_BTL_VADER,
# RS_MPIRUN_FLAGS and RS_SINGLE_COPY_USED (cma or none) and says which. Safe under set -euo pipefail.
rs_single_copy() {
  local bin=$1 algo=${2:-} dir why="" rc=0 m cma=() flags=() extra=""
  RS_SINGLE_COPY_USED=none
  read -ra RS_MPIRUN_BTL_VADER <<< "$(rs_mpirun_flag_line vader)"
  rs_mpirun_flags_join
  case $algo in
    twopass | threepass) ;;
    *)
      rs_say "shared memory: without single copy for --algo ${algo:-?} (used out of core only, docs/machine.md#single-copy-cma)"
      return 0
      ;;
  esac
  case ${RS_SINGLE_COPY:-auto} in
    none) rs_say "shared memory: without single copy (RS_SINGLE_COPY=none)"; return 0 ;;
    auto | cma) ;;
    *) echo "RS_SINGLE_COPY='$RS_SINGLE_COPY': must be auto, cma or none" >&2; return 2 ;;
  esac
  read -ra cma <<< "$(rs_mpirun_flag_line vader_cma)"
  local probe_mpirun=(timeout -k 10 60 mpirun "${RS_MPIRUN_BASE[@]}" -np 2 "${RS_MPIRUN_AS_ROOT[@]}")
  if ! dir=$(mktemp -d "${TMPDIR:-/tmp}/riversort-single-copy-XXXXXX" 2>/dev/null); then
    dir="" why="could not probe: cannot make a directory under ${TMPDIR:-/tmp}"
  else
    "${probe_mpirun[@]}" "${RS_MPIRUN_BTL_VADER[@]}" "$bin" gen --records 100000 --dir "$dir" --name 'in.{rank}' \
      >/dev/null 2>&1 || why="could not probe: its input's gen failed (exit $?)"
  fi
  for m in none cma; do
    [ -z "$why" ] || break
    if [ "$m" = none ]; then flags=("${RS_MPIRUN_BTL_VADER[@]}"); else flags=("${cma[@]}"); fi
    mkdir "$dir/out-$m"
    rc=0
    "${probe_mpirun[@]}" "${flags[@]}" "$bin" sort --algo onepass --in-dir "$dir" --in-name 'in.{rank}' --out-dir "$dir/out-$m" \
      --out-name 'out.{rank}' --buffered-input --buffered >/dev/null 2>"$dir/$m.err" || rc=$?
    grep -v -E -- "$RS_OMPI_SHUTDOWN_WARNING" "$dir/$m.err" >"$dir/$m.said" || true
    if [ "$rc" != 0 ] && [ "$m" = none ]; then
      why="could not probe: its sort failed without single copy too (exit $rc: $(grep -m1 '[[:alpha:]]' "$dir/$m.said" || true))"
    elif [ "$rc" != 0 ]; then
      why="it fails here (exit $rc: $(grep -m1 '[[:alpha:]]' "$dir/$m.said" || true))"
    fi
  done
  if [ -z "$why" ]; then
    extra=$(grep -v -x -F -f "$dir/none.said" "$dir/cma.said" | grep -m1 '[[:alpha:]]' || true)
    [ -z "$extra" ] || why="Open MPI warns with it: $extra"
  fi
  [ -n "$why" ] || "${probe_mpirun[@]}" "${RS_MPIRUN_BTL_VADER[@]}" "$bin" validate -q --buffered --dir "$dir/out-cma" --name 'out.{rank}' \
    --manifest "$dir/in.manifest.json" >/dev/null 2>&1 || why="its output with single copy is not the input sorted"
  [ -z "$dir" ] || rm -rf "$dir"
  if [ -z "$why" ]; then
    RS_MPIRUN_BTL_VADER=("${cma[@]}")
    rs_mpirun_flags_join
    RS_SINGLE_COPY_USED=cma
    rs_say "shared memory: single copy (CMA) works here; using ${cma[*]}"
    return 0
  fi
  if [ "${RS_SINGLE_COPY:-auto}" = cma ]; then
    echo "RS_SINGLE_COPY=cma, but single copy (CMA) is not usable: $why" >&2
    return 1
  fi
  rs_say "shared memory: single copy (CMA) not used: $why; using ${RS_MPIRUN_BTL_VADER[*]}"
}
