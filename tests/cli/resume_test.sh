#!/usr/bin/env bash
# tests/cli/resume_test.sh — `riversort sort --resume` (docs/fault-tolerance.md): a rank killed at
# the start of each phase of twopass and threepass, and in the middle of run formation (after its
# 2nd run), then the same command with --resume gives a valid output with the input's checksum
# (--validate and the manifest), and the phases whose work was kept are reported skipped (JSON
# result) and really skipped (no input read: the kept runs keep their inode); a truncated run is
# found at the start and sorted again; a corrupted run (twopass, threepass) or threepass work file
# is found as it is read back (a notice naming it), dropped, and redone in the same command, whose
# output is valid; a changed input, another algorithm, splitter kind or number of ranks is refused
# in one line; without --resume a start removes
# what an earlier run kept and says so; onepass refuses --resume; the same at 16 ranks.
# Usage: resume_test.sh RIVERSORT MPIRUN
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"

mkdir -p "$T/in" "$T/out" "$T/tmp"
# 1,000,003 records over 3 ranks: partitions that do not divide evenly; skewed keys too (-s).
"${MPI[@]}" -np 3 "$RS" gen --records 1000003 --dir "$T/in" --name 'in.{rank}' 2>/dev/null || { echo "gen failed"; exit 1; }
mkdir -p "$T/skew"
"${MPI[@]}" -np 3 "$RS" gen --records 600001 --skew --dir "$T/skew" --name 'in.{rank}' 2>/dev/null || { echo "gen -s failed"; exit 1; }
INPUT_SUM=$(cat "$T"/in/in.* | sha256sum)
clear_dirs() { rm -rf "$T"/out/* "$T"/tmp/*; }
sort_cmd() {  # DIR ALGO: the command every run of one job repeats
  SORT=(sort --in-dir "$1" --in-name 'in.{rank}' --out-dir "$T/out" --out-name 'out.{rank}' --tmp-dir "$T/tmp"
        --algo "$2" --memory 48M)
}
valid() {  # what --validate printed, and the JSON result's per-phase resume marks
  grep -q "SUCCESS - all records are in order" "$T/err"
}
skipped_in_json() {  # PHASE: true when every rank's JSON phase of that name says "skipped"
  python3 - "$T/result.json" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
marks = [p.get("resume", "") for rank in r["per_rank"] for p in rank["phases"] if p["name"] == sys.argv[2]]
sys.exit(0 if marks and all(m == "skipped" for m in marks) else 1)
PY
}

for case in "twopass:merge:read & distribute" "twopass:run 2:" "twopass:read & distribute:" \
            "threepass:local merge:local sort" "threepass:parallel selection:local merge" \
            "threepass:parallel merge:parallel selection" "threepass:run 2:"; do
  IFS=: read -r algo point kept_phase <<<"$case"
  for data in in skew; do
    clear_dirs
    sort_cmd "$T/$data" "$algo"
    RS_FAULT="1:$point" "${MPI[@]}" -x RS_FAULT -np 3 "$RS" "${SORT[@]}" >/dev/null 2>&1 &&
      bad "$algo/$point/$data: the killed run exited 0" || ok
    entries "$T/out" | grep -qE '^out\.[0-9]+$' && bad "$algo/$point/$data: a partition under its final name" || ok
    inodes_before=$(stat -c %i "$T"/tmp/*-run-*.run 2>/dev/null | sort | head -3)
    if [ "$point" = "run 2" ]; then  # as a rank killed mid-write leaves it: a run under a dead writer's name
      # (rank 0's, whose notices the table prints; its journal names the job's token)
      journals=("$T"/tmp/riversort-*-r0-journal.run)
      if [ -e "${journals[0]}" ]; then
        journal=$(basename "${journals[0]}")
        printf 'half' > "$T/tmp/${journal%-journal.run}-run-999.run.riversort-0123456789abcdef-7.tmp"
        : > "$T/tmp/riversort-0123456789abcdef.lock"
      else
        bad "$algo/$point/$data: no journal of rank 0 after the killed run: $(ls "$T/tmp")"
      fi
    fi
    "${MPI[@]}" -np 3 "$RS" "${SORT[@]}" --resume --validate --result "$T/result.json" >"$T/table" 2>"$T/err"; rc=$?
    [ "$rc" = 0 ] && valid && ok || bad "$algo/$point/$data: --resume: rc $rc, $(grep -v '^ *$' "$T/err" | head -5)"
    # Nothing was damaged: a kept run or work file whose journaled CRC-32 differs from its bytes as
    # read back would be dropped and redone, and the output would still validate.
    grep -q "damaged" "$T/err" && bad "$algo/$point/$data: kept work found damaged: $(grep damaged "$T/err" | head -3)" || ok
    if [ -n "$kept_phase" ]; then
      skipped_in_json "$kept_phase" && ok || bad "$algo/$point/$data: '$kept_phase' not skipped on every rank"
    fi
    if [ "$point" = "run 2" ]; then
      grep -q "resumed on" "$T/table" && ok || bad "$algo/$point/$data: no phase resumed: $(cat "$T/table")"
      grep -q "removed .* half-written by an earlier run of this job" "$T/err" && ok ||
        bad "$algo/$point/$data: no notice of the planted half-written run: $(cat "$T/err")"
      [ -n "$inodes_before" ] && ok || bad "$algo/$point/$data: no run was kept"
    fi
    # Nothing is left once the job succeeded.
    [ -z "$(ls "$T/tmp")" ] && ok || bad "$algo/$point/$data: left in tmp: $(ls "$T/tmp")"
  done
done
[ "$(cat "$T"/in/in.* | sha256sum)" = "$INPUT_SUM" ] && ok || bad "the input changed"

# --- a truncated run: found at the start, its records sorted again, in the same run
clear_dirs
sort_cmd "$T/in" twopass
RS_FAULT="1:merge" "${MPI[@]}" -x RS_FAULT -np 3 "$RS" "${SORT[@]}" >/dev/null 2>&1
victim=$(ls "$T"/tmp/*-r0-run-1.run)
truncate -s 4096 "$victim"
"${MPI[@]}" -np 3 "$RS" "${SORT[@]}" --resume --validate >/dev/null 2>"$T/err"; rc=$?
[ "$rc" = 0 ] && valid && ok || bad "truncated run: rc $rc, $(head -5 "$T/err")"
grep -q "rank 0: notice: kept run $(basename "$victim") is missing or truncated" "$T/err" && ok ||
  bad "truncated run: no notice naming it: $(cat "$T/err")"

# --- corrupted kept work: found as it is read back, dropped, and redone in the same command
corrupt() {  # corrupt ALGO POINT GLOB: kill rank 1 at POINT, flip a byte of the file GLOB names, resume
  local algo=$1 point=$2 glob=$3 victim
  clear_dirs
  sort_cmd "$T/in" "$algo"
  RS_FAULT="1:$point" "${MPI[@]}" -x RS_FAULT -np 3 "$RS" "${SORT[@]}" >/dev/null 2>&1
  victim=$(ls "$T"/tmp/$glob | head -1)
  [ -n "$victim" ] || { bad "corrupt $algo/$point: no file $glob ($(ls "$T/tmp"))"; return; }
  printf 'X' | dd of="$victim" bs=1 seek=5000 conv=notrunc 2>/dev/null
  "${MPI[@]}" -np 3 "$RS" "${SORT[@]}" --resume --validate >/dev/null 2>"$T/err"; rc=$?
  [ "$rc" = 0 ] && valid && ok || bad "corrupt $algo/$point: rc $rc, $(head -5 "$T/err")"
  grep -q "notice: kept .*$(basename "$victim").*damaged" "$T/err" && ok ||
    bad "corrupt $algo/$point: no line naming $(basename "$victim"): $(cat "$T/err")"
  [ -z "$(ls "$T/tmp")" ] && ok || bad "corrupt $algo/$point: left in tmp: $(ls "$T/tmp")"
}
corrupt twopass merge '*-r2-run-0.run'
corrupt threepass "local merge" '*-r1-run-1.run'  # the killed rank's: the others may have merged theirs
corrupt threepass "parallel merge" '*-r0-work-*.run'

# --- refusals: another algorithm, another number of ranks, a changed input; onepass
clear_dirs
sort_cmd "$T/in" twopass
RS_FAULT="1:merge" "${MPI[@]}" -x RS_FAULT -np 3 "$RS" "${SORT[@]}" >/dev/null 2>&1
sort_cmd "$T/in" threepass
out=$("${MPI[@]}" -np 3 "$RS" "${SORT[@]}" --resume 2>&1 >/dev/null); rc=$?
[ "$rc" != 0 ] && [[ "$out" == *"--resume: the kept work was made by --algo twopass, not threepass"* ]] && ok ||
  bad "another algorithm: rc $rc: $out"
sort_cmd "$T/in" twopass
out=$("${MPI[@]}" -np 3 "$RS" "${SORT[@]}" --splitters uniform --resume 2>&1 >/dev/null); rc=$?
[ "$rc" != 0 ] && [[ "$out" == *"--resume: the kept work was made with --splitters sample, not uniform"* ]] && ok ||
  bad "other splitters: rc $rc: $out"
# Two ranks over the first two partitions, named one by one: the same job names, another P.
out=$("${MPI[@]}" -np 2 "$RS" sort --in-dir "$T/in" --in-name 'in.{rank}' --out-dir "$T/out" --out-name 'out.{rank}' \
      --tmp-dir "$T/tmp" --algo twopass --memory 48M --resume 2>&1 >/dev/null); rc=$?
[ "$rc" != 0 ] && ok || bad "another number of ranks: exit 0"
touch "$T/in/in.1"
out=$("${MPI[@]}" -np 3 "$RS" "${SORT[@]}" --resume 2>&1 >/dev/null); rc=$?
[ "$rc" != 0 ] && [[ "$out" == *"rank 1: "*"--resume: the input changed since the kept work was made"* ]] && ok ||
  bad "changed input: rc $rc: $out"
# Without --resume: the kept work is removed (and said), the sort runs whole.
out=$("${MPI[@]}" -np 3 "$RS" "${SORT[@]}" --validate 2>&1 >/dev/null); rc=$?
[ "$rc" = 0 ] && [[ "$out" == *"notice: removed "*" kept by an earlier run of this job"* ]] && ok ||
  bad "a fresh start: rc $rc: $out"
out=$("${MPI[@]}" -np 3 "$RS" sort --in-dir "$T/in" --in-name 'in.{rank}' --out-dir "$T/out" --out-name 'o1.{rank}' \
      --algo onepass --resume 2>&1 >/dev/null); rc=$?
[ "$rc" != 0 ] && [[ "$out" == *"onepass keeps nothing on disk"* ]] && ok || bad "onepass --resume: rc $rc: $out"

# --- at 16 ranks (docs/scale.md#resume-and-balance-docsfault-tolerancemd): a kill at the merge, then --resume
mkdir -p "$T/in16"
"${MPI[@]}" -np 16 "$RS" gen --records 320007 --dir "$T/in16" --name 'in.{rank}' 2>/dev/null || bad "gen at 16 ranks failed"
clear_dirs
SORT16=(sort --in-dir "$T/in16" --in-name 'in.{rank}' --out-dir "$T/out" --out-name 'out.{rank}' --tmp-dir "$T/tmp"
        --algo twopass --memory 32M)
RS_FAULT="5:merge" "${MPI[@]}" -x RS_FAULT -np 16 "$RS" "${SORT16[@]}" >/dev/null 2>&1 && bad "16 ranks: the killed run exited 0" || ok
"${MPI[@]}" -np 16 "$RS" "${SORT16[@]}" --resume --validate --result "$T/result.json" >/dev/null 2>"$T/err"; rc=$?
[ "$rc" = 0 ] && valid && ok || bad "16 ranks --resume: rc $rc, $(head -5 "$T/err")"
skipped_in_json "read & distribute" && ok || bad "16 ranks: read & distribute not skipped on every rank"

finish resume_test
