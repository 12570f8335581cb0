#!/usr/bin/env bash
# tests/cli/single_copy_test.sh — rs_single_copy (scripts/lib/deps.sh): the out-of-core scripts'
# choice of Open MPI's single-copy mechanism. CMA only when a real 2-rank sort with it works and
# validates; never for onepass; RS_SINGLE_COPY=none skips the probe, =cma makes a failed probe an
# error, anything else is refused; a failed probe after a good one leaves no CMA flags behind.
# Whether CMA works depends on the machine (a container may forbid it), so the real probe is
# checked for consistency: its flags, a sort launched with them, and its line.
# Usage: single_copy_test.sh RIVERSORT MPIRUN
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"

# probe NAME ALGO BINARY [FIRST]: runs rs_single_copy in a subshell (after a first probe with
# binary FIRST, in the same shell, where given); sets rc, used, flags, said (the last one's stderr).
probe() {
  local out
  out=$( (
    [ -z "${4:-}" ] || rs_single_copy "$4" "$T/probe" "$2" 2>/dev/null
    rs_single_copy "$3" "$T/probe" "$2" 2>"$T/said"
    echo "rc=$? used=$RS_SINGLE_COPY_USED flags=${RS_MPIRUN_FLAGS[*]}"
  ))
  rc=$(sed -n 's/^rc=\([0-9]*\) .*/\1/p' <<< "$out")
  used=$(sed -n 's/.* used=\([a-z]*\) .*/\1/p' <<< "$out")
  flags=$(sed -n 's/.* flags=//p' <<< "$out")
  said=$(cat "$T/said")
}
none_flags="single_copy_mechanism none"
cma_flags="single_copy_mechanism cma"

probe none twopass /bin/false  # a binary that cannot run the probe's sort
[ "$rc" = 0 ] && [ "$used" = none ] && [[ $flags == *"$none_flags"* ]] && ok ||
  bad "failing probe: rc=$rc used=$used flags=$flags"
[[ $said == *"single copy (CMA) fails here (exit 1: its input's gen failed)"* ]] && ok || bad "failing probe said: $said"
[ -z "$(ls -A "$T/probe" 2>/dev/null)" ] && ok || bad "the probe left files: $(ls -A "$T/probe")"

RS_SINGLE_COPY=cma probe forced twopass /bin/false
[ "$rc" = 1 ] && [ "$used" = none ] && ok || bad "RS_SINGLE_COPY=cma with a failing probe: rc=$rc used=$used"
[[ $said == *"RS_SINGLE_COPY=cma, but Open MPI's single copy fails here"* ]] && ok || bad "forced probe said: $said"

RS_SINGLE_COPY=bogus probe bogus twopass "$RS"
[ "$rc" = 2 ] && [[ $said == *"RS_SINGLE_COPY='bogus': must be auto, cma or none"* ]] && ok ||
  bad "RS_SINGLE_COPY=bogus: rc=$rc said: $said"

RS_SINGLE_COPY=none probe skipped twopass "$RS"
[ "$rc" = 0 ] && [ "$used" = none ] && [[ $flags == *"$none_flags"* ]] && [[ $said == *"(RS_SINGLE_COPY=none)"* ]] && ok ||
  bad "RS_SINGLE_COPY=none: rc=$rc used=$used said: $said"

probe onepass onepass "$RS"
[ "$rc" = 0 ] && [ "$used" = none ] && [[ $flags == *"$none_flags"* ]] && [[ $said == *"without single copy for onepass"* ]] &&
  ok || bad "onepass: rc=$rc used=$used said: $said"

# The real probe: either CMA works here, and a twopass sort launched with its flags is valid, or
# it does not and the line says why.
probe real twopass "$RS"
if [ "$rc" = 0 ] && [ "$used" = cma ]; then
  [[ $flags == *"$cma_flags"* ]] && [[ $said == *"single copy (CMA) works here"* ]] && ok ||
    bad "cma chosen: flags=$flags said: $said"
  read -ra launch <<< "$flags"
  mkdir -p "$T/in" "$T/out" "$T/tmp"
  "${MPI[@]}" -np 2 "$RS" gen --records 200000 --dir "$T/in" --name 'in.{rank}' 2>/dev/null || bad "gen failed"
  timeout 120 "$MPIRUN" "${launch[@]}" -np 2 "$RS" sort --algo twopass --memory 8M --in-dir "$T/in" --in-name 'in.{rank}' \
    --out-dir "$T/out" --out-name 'out.{rank}' --tmp-dir "$T/tmp" --validate >"$T/sort.out" 2>"$T/sort.err" &&
    grep -q "SUCCESS" "$T/sort.err" && ok || bad "twopass with the probe's flags: $(tail -n 3 "$T/sort.err")"
  # A failed probe after a good one, in the same shell, goes back to the copies.
  probe after twopass /bin/false "$RS"
  [ "$used" = none ] && [[ $flags == *"$none_flags"* ]] && [[ $flags != *"$cma_flags"* ]] && ok ||
    bad "a failed probe after a good one: used=$used flags=$flags"
elif [ "$rc" = 0 ] && [ "$used" = none ]; then
  [[ $said == *"single copy (CMA) fails here ("*"); using"* ]] && [[ $flags == *"$none_flags"* ]] && ok ||
    bad "cma refused without a reason: flags=$flags said: $said"
else
  bad "real probe: rc=$rc used=$used said: $said"
fi

finish single_copy_test
