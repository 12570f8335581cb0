#!/usr/bin/env bash
# scripts/package_test.sh — the Debian package installs and runs on a machine that has only its
# Depends: builds the .deb with cpack, checks its control fields and contents, extracts it into a
# temporary root (dpkg -x: nothing is installed on this machine, no root needed) and runs the
# extracted binary there: --version, then gen, sort (onepass, 1 rank) and validate on 10000 records.
#
# "Clean machine" is checked without one (a chroot would need a Debian mirror and minutes): every
# shared library the extracted binary loads must come from a package its Depends names, and apt must
# accept the package against this system (apt-get --simulate), so a machine with Depends installed
# has everything the binary loads. docs/testing.md says what this leaves out.
#
# Usage: scripts/package_test.sh [BUILD_DIR]
#   no argument: installs what is missing and builds ./build (Release) first, as scripts/test.sh;
#   BUILD_DIR:   uses that build as it is (ctest's package_test passes its own build directory).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
if [ $# -ge 1 ]; then
  BUILD=$(cd "$1" && pwd)
else
  rs_ensure_packages "${RS_BUILD_PACKAGES[@]}"
  rs_build build
  BUILD=$PWD/build
fi
VERSION=$(head -n1 VERSION)
T=$(mktemp -d "${TMPDIR:-/tmp}/riversort-package-test-XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
pass=0
check() {  # check DESCRIPTION COMMAND...: runs COMMAND, counts and reports the result
  local what=$1; shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL $what"; fails=$((fails + 1)); fi
}

# A package directory of its own per run, so an old .deb never stands in for this build's.
rs_say "package: cpack -G DEB in $BUILD (into $T/deb)"
cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$T/deb" > "$T/cpack.log" 2>&1 ||
  { cat "$T/cpack.log" >&2; echo "package_test: cpack failed" >&2; exit 1; }
DEB=$(ls "$T"/deb/riversort_*.deb)
rs_say "package: $(basename "$DEB") ($(du -k "$DEB" | cut -f1) KiB)"

rs_say "check: dpkg-deb --info (package, version, Depends)"
field() { dpkg-deb --field "$DEB" "$1"; }
check "Package is riversort (got '$(field Package)')" test "$(field Package)" = riversort
check "Version is $VERSION (got '$(field Version)')" test "$(field Version)" = "$VERSION"
DEPENDS=$(field Depends)
echo "    Depends: $DEPENDS"
# The package names in Depends, without versions or alternatives' bars.
DEP_NAMES=$(echo "$DEPENDS" | tr ',|' '\n\n' | sed -E 's/\(.*\)//; s/[[:space:]]//g' | grep -v '^$' | sort -u)
for need in libopenmpi3 openmpi-bin liburing2 libtbb12; do
  check "Depends names $need" grep -qx "$need" <<< "$DEP_NAMES"
done

rs_say "check: dpkg-deb --contents (binary, man page, documents)"
dpkg-deb --contents "$DEB" | awk '{print $6}' > "$T/contents"
for f in ./usr/bin/riversort ./usr/share/man/man1/riversort.1 ./usr/share/doc/riversort/README.md \
         ./usr/share/doc/riversort/LICENSE ./usr/share/doc/riversort/CHANGELOG.md; do
  check "the package holds $f" grep -qx "$f" "$T/contents"
done

rs_say "check: apt-get --simulate install (the package's Depends satisfiable here)"
check "apt accepts the package" sh -c "apt-get install --simulate --no-install-recommends '$DEB' > '$T/apt.log' 2>&1 ||
  { cat '$T/apt.log'; false; }"

rs_say "extract: dpkg -x into $T/root"
dpkg -x "$DEB" "$T/root"
RS=$T/root/usr/bin/riversort
check "the man page's title names riversort $VERSION (docs/riversort.1's .TH line)" \
  grep -q "^\.TH RIVERSORT 1 .*\"riversort $VERSION\"" "$T/root/usr/share/man/man1/riversort.1"
# groff (what man runs) with every warning on: the page renders and nothing in it is malformed.
check "the man page renders without a warning" sh -c "groff -man -z -ww '$T/root/usr/share/man/man1/riversort.1' 2>&1 | grep . && exit 1 || exit 0"

rs_say "check: every library the extracted binary needs comes from a package in Depends"
ldd "$RS" > "$T/ldd"
check "every library found (ldd)" sh -c "! grep -q 'not found' '$T/ldd' || { grep 'not found' '$T/ldd'; false; }"
owner_of() {  # owner_of PATH: the package that ships PATH (dpkg knows some under /lib, some under /usr/lib)
  local p real
  real=$(readlink -f "$1")
  for p in "$1" "$real" "${real#/usr}" "/usr${real}"; do
    dpkg -S "$p" 2>/dev/null | head -n1 | cut -d: -f1 && return 0
  done
  echo none
}
# The binary's own NEEDED entries: the libraries those load are their packages' Depends.
for soname in $(readelf -d "$RS" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  path=$(awk -v so="$soname" '$1 == so && $2 == "=>" {print $3}' "$T/ldd")
  owner=$(owner_of "${path:-$soname}")
  echo "    $soname -> ${path:-?} ($owner)"
  check "$soname ($path) comes from a package in Depends (owner: $owner)" grep -qx "$owner" <<< "$DEP_NAMES"
done

rs_say "run: the extracted binary, with a bare environment (no build tree, no LD_LIBRARY_PATH)"
run() { env -i PATH=/usr/bin:/bin HOME="$T" "$RS" "$@"; }
run --version > "$T/version" 2>&1 || true
sed 's/^/    /' "$T/version"
check "--version's first line is 'riversort $VERSION'" test "$(head -n1 "$T/version")" = "riversort $VERSION"
mkdir -p "$T/data"
check "gen 10000 records" sh -c "env -i PATH=/usr/bin:/bin '$RS' gen --records 10000 --dir '$T/data' --name in.dat 2> '$T/gen.log'"
check "sort onepass (1 rank)" sh -c "env -i PATH=/usr/bin:/bin '$RS' sort --algo onepass --in-dir '$T/data' --in-name in.dat \
  --out-dir '$T/data' --out-name out.dat > '$T/sort.log' 2>&1 || { cat '$T/sort.log'; false; }"
check "validate against the input's manifest" sh -c "env -i PATH=/usr/bin:/bin '$RS' validate --dir '$T/data' --name out.dat \
  --manifest '$T/data/in.dat.manifest.json' 2> '$T/validate.log' || { cat '$T/validate.log'; false; }"
check "validate says SUCCESS" grep -q '^SUCCESS' "$T/validate.log"

echo "package_test: $pass passed, $fails failed"
[ "$fails" = 0 ]
