#!/usr/bin/env bash
# tests/cli/single_copy_test.sh — rs_single_copy (scripts/lib/deps.sh): the out-of-core scripts'
# choice of Open MPI's single-copy mechanism (CMA). Wrappers around riversort act out each way the
# probe can go on any machine: each runs the real binary with CMA turned back off inside the rank
# (so the transfer itself works everywhere) and, when launched with CMA, adds what CMA would do
# wrong: a warning on stderr, a failed sort, an output that is not sorted. Then the real probe:
# CMA works here and a sort with its flags is valid, or it does not and the probe's own sort
# without it worked. Never for onepass or auto; RS_SINGLE_COPY; no CMA flags left by a failed probe
# after a good one; the probe's directory always removed; all under set -euo pipefail.
# Usage: single_copy_test.sh RIVERSORT MPIRUN
set -u
RS=$(realpath "$1")
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
unset RS_SINGLE_COPY
export TMPDIR=$T/tmp  # the probe's directory goes here, so that its removal can be checked
mkdir -p "$TMPDIR"

# wrapper NAME BODY: $T/NAME, a riversort whose ranks run BODY (bash; $cma is "yes" when launched
# with CMA, "$@" the arguments) and then the real binary without CMA.
wrapper() {
  cat >"$T/$1" <<EOF
#!/usr/bin/env bash
cma=no; [ "\${OMPI_MCA_btl_vader_single_copy_mechanism:-}" = cma ] && cma=yes
$2
OMPI_MCA_btl_vader_single_copy_mechanism=none exec "$RS" "\$@"
EOF
  chmod +x "$T/$1"
}
wrapper clean ':'
wrapper notice '[ "$1" = sort ] && echo "notice: a line of riversort'"'"'s own, with or without CMA" >&2'
wrapper warns '[ "$1" = sort ] && [ $cma = yes ] && echo "Read -1, expected 2048000, errno = 1" >&2'
wrapper fails '[ "$1" = sort ] && [ $cma = yes ] && exit 3'
wrapper unsorted '[ "$1" = sort ] && [ $cma = yes ] && exit 0'

# probe ALGO BINARY [SETUP]: rs_single_copy in a subshell under set -euo pipefail (after SETUP,
# bash run there first); sets rc, used, flags, said (its stderr).
probe() {
  local out
  out=$( (
    set -euo pipefail
    eval "${3:-:}"
    rc=0
    rs_single_copy "$2" "$1" 2>"$T/said" || rc=$?
    echo "rc=$rc used=$RS_SINGLE_COPY_USED flags=${RS_MPIRUN_FLAGS[*]}"
  ))
  rc=$(sed -n 's/^rc=\([0-9]*\) .*/\1/p' <<< "$out")
  used=$(sed -n 's/.* used=\([a-z]*\) .*/\1/p' <<< "$out")
  flags=$(sed -n 's/.* flags=//p' <<< "$out")
  said=$(cat "$T/said")
  [ -z "$(ls -A "$TMPDIR")" ] && ok || bad "the probe left $(ls -A "$TMPDIR") in TMPDIR"
}
none_flags="single_copy_mechanism none"
cma_flags="single_copy_mechanism cma"
# expect_probe NAME RC USED SAID ALGO BINARY [SETUP]: one probe's outcome.
expect_probe() {
  local name=$1 want_rc=$2 want_used=$3 want_said=$4
  shift 4
  probe "$@"
  local want_flags=$none_flags
  [ "$want_used" = cma ] && want_flags=$cma_flags
  [ "$rc" = "$want_rc" ] && [ "$used" = "$want_used" ] && [[ $flags == *"$want_flags"* ]] && ok ||
    bad "$name: rc=$rc used=$used flags=$flags (want rc=$want_rc used=$want_used)"
  [[ $said == *"$want_said"* ]] && ok || bad "$name said: $said (want ...$want_said...)"
}

expect_probe "a clean CMA" 0 cma "single copy (CMA) works here" twopass "$T/clean"
expect_probe "a notice with and without CMA" 0 cma "single copy (CMA) works here" threepass "$T/notice"
expect_probe "a warning only with CMA" 0 none \
  "not used: Open MPI warns with it: Read -1, expected 2048000, errno = 1; using" twopass "$T/warns"
expect_probe "a sort failing only with CMA" 0 none "not used: it fails here (exit 3" twopass "$T/fails"
expect_probe "an unsorted output with CMA" 0 none "not used: its output with single copy is not the input sorted" \
  twopass "$T/unsorted"
expect_probe "no binary to probe with" 0 none "not used: could not probe: its input's gen failed (exit 1)" twopass /bin/false
expect_probe "no directory to probe in" 0 none "not used: could not probe: cannot make a directory under $T/none" \
  twopass "$T/clean" "export TMPDIR=$T/none"
expect_probe "RS_SINGLE_COPY=cma, failing" 1 none "RS_SINGLE_COPY=cma, but single copy (CMA) is not usable: it fails here" \
  twopass "$T/fails" "export RS_SINGLE_COPY=cma"
expect_probe "RS_SINGLE_COPY=cma, working" 0 cma "works here" twopass "$T/clean" "export RS_SINGLE_COPY=cma"
expect_probe "RS_SINGLE_COPY=none" 0 none "without single copy (RS_SINGLE_COPY=none)" twopass "$T/clean" \
  "export RS_SINGLE_COPY=none"
expect_probe "RS_SINGLE_COPY=bogus" 2 none "RS_SINGLE_COPY='bogus': must be auto, cma or none" twopass "$T/clean" \
  "export RS_SINGLE_COPY=bogus"
expect_probe "onepass" 0 none "without single copy for --algo onepass" onepass "$T/clean"
expect_probe "auto" 0 none "without single copy for --algo auto" auto "$T/clean"
# A failed probe after a good one leaves the copies on (the CMA flags set by hand first).
expect_probe "a failed probe after a good one" 0 none "not used: it fails here" twopass "$T/fails" \
  'read -ra RS_MPIRUN_BTL_VADER <<< "$(rs_mpirun_flag_line vader_cma)"; rs_mpirun_flags_join'

# The real probe, with the real binary on this machine.
probe twopass "$RS"
if [ "$rc" = 0 ] && [ "$used" = cma ]; then
  [[ $flags == *"$cma_flags"* ]] && [[ $said == *"single copy (CMA) works here"* ]] && ok ||
    bad "cma chosen: flags=$flags said: $said"
  read -ra launch <<< "$flags"
  mkdir -p "$T/in" "$T/out" "$T/tmp-sort"
  "${MPI[@]}" -np 2 "$RS" gen --records 200000 --dir "$T/in" --name 'in.{rank}' 2>/dev/null || bad "gen failed"
  timeout 120 "$MPIRUN" "${launch[@]}" -np 2 "$RS" sort --algo twopass --memory 8M --in-dir "$T/in" --in-name 'in.{rank}' \
    --out-dir "$T/out" --out-name 'out.{rank}' --tmp-dir "$T/tmp-sort" --validate >"$T/sort.out" 2>"$T/sort.err" &&
    grep -q "SUCCESS" "$T/sort.err" && ok || bad "twopass with the probe's flags: $(tail -n 3 "$T/sort.err")"
elif [ "$rc" = 0 ] && [ "$used" = none ]; then
  # Only CMA may be what failed: the probe's own sort without it must have worked.
  [[ $said == *"single copy (CMA) not used: "* ]] && [[ $said != *"could not probe"* ]] && ok ||
    bad "the real probe could not run its own sort: $said"
else
  bad "real probe: rc=$rc used=$used said: $said"
fi

finish single_copy_test
