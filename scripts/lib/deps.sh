# scripts/lib/deps.sh — sourced by the README's commands: installs the Debian packages that are
# missing (apt-get update first, and only when something is missing). Idempotent.

# What building and testing needs.
RS_BUILD_PACKAGES=(g++ bc cmake make pkg-config openmpi-bin libopenmpi-dev liburing-dev libtbb-dev
  libcli11-dev libdeflate-dev nlohmann-json3-dev libgtest-dev libbenchmark-dev
  dpkg-dev file groff-base)  # the last three: package_test (dpkg-shlibdeps and file for cpack, groff for the man page)
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
RS_MPIRUN_FLAGS=(-q "${RS_MPIRUN_BASE[@]}" "${RS_MPIRUN_BTL_VADER[@]}" "${RS_MPIRUN_AS_ROOT[@]}")
