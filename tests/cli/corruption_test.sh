#!/usr/bin/env bash
# tests/cli/corruption_test.sh — corruption is caught: sorts a dataset over 3 ranks (twopass and
# onepass, each validated), then corrupts a copy of the sorted partitions one way at a time — a
# flipped key byte, a flipped payload byte, a dropped record, a duplicated record, two records
# swapped across ranks, a partition cut to a partial record — and checks that
# `riversort validate --manifest` under mpirun exits 1 and says why (order, count or checksum).
# The uncorrupted copy must validate with exit 0, so the test can fail.
# Usage: corruption_test.sh RIVERSORT MPIRUN
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
quick_exits  # every job here ends by itself: no rank is killed
NP=3
RECORDS=50000
fail() { bad "$@"; }

# run NAME -- command...: runs it, keeps its stderr in ERR and its exit status in RC.
run() {
  shift 2
  ERR=$("$@" 2>&1 >/dev/null); RC=$?
}
# expect NAME WANT_RC PHRASE...: the last run's exit status, and phrases its stderr must hold;
# a phrase starting with '!' must be absent.
expect() {
  local name=$1 want_rc=$2 p; shift 2
  if [ "$RC" != "$want_rc" ]; then
    fail "$name: exit $RC, want $want_rc; stderr:"; printf '%s\n' "$ERR"; return
  fi
  for p in "$@"; do
    if [[ $p == '!'* ]]; then
      [[ "$ERR" == *"${p#!}"* ]] && { fail "$name: stderr has '${p#!}':"; printf '%s\n' "$ERR"; return; }
    else
      [[ "$ERR" != *"$p"* ]] && { fail "$name: stderr lacks '$p':"; printf '%s\n' "$ERR"; return; }
    fi
  done
  ok
}

# Byte edits on one file (records are 100 bytes; offsets are bytes).
byte_at() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
put_byte() { printf "\\$(printf %03o "$3")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none; }
flip_byte() { put_byte "$1" "$2" $(($(byte_at "$1" "$2") ^ 0x80)); }
records_in() { echo $(($(stat -c %s "$1") / 100)); }
# copy_output PREFIX CASE: a fresh copy of the sorted partitions PREFIX.{rank} as CASE/out.{rank}.
copy_output() {
  local r
  rm -rf "$2"; mkdir -p "$2"
  for ((r = 0; r < NP; r++)); do cp "$1.$r" "$2/out.$r"; done
}
validate() {  # NAME DIR
  run "$1" -- "${MPI[@]}" -np $NP "$RS" validate --dir "$2" --name 'out.{rank}' --manifest "$M"
}

# --- the dataset and its two sorts, each validated
mkdir -p "$T/in" "$T/out" "$T/tmp"
M=$T/in/in.manifest.json
run gen -- "${MPI[@]}" -np $NP "$RS" gen --records $RECORDS --dir "$T/in" --name 'in.{rank}'
expect gen 0
SUM=$(printf '%s\n' "$ERR" | tail -n 1)  # gen prints the checksum last on stderr, as gensort -c does
[[ $SUM =~ ^[0-9a-f]+$ ]] && ok || fail "gen: want the checksum on the last stderr line, got: $ERR"
run sort-twopass -- "${MPI[@]}" -np $NP "$RS" sort --algo twopass --in-dir "$T/in" --in-name 'in.{rank}' \
  --out-dir "$T/out" --out-name 'tp.{rank}' --memory 4M --transfer-size 100K --queue-depth 2 --tmp-dir "$T/tmp" --validate
expect sort-twopass 0 "Records: $RECORDS" "SUCCESS - all records are in order"
run sort-onepass -- "${MPI[@]}" -np $NP "$RS" sort --algo onepass --in-dir "$T/in" --in-name 'in.{rank}' \
  --out-dir "$T/out" --out-name 'op.{rank}' --validate
expect sort-onepass 0 "Records: $RECORDS" "SUCCESS - all records are in order"

for algo in tp op; do
  out=$T/out/$algo
  n0=$(records_in "$out.0")

  # The uncorrupted copy validates: exit 0, the input's count and checksum.
  C=$T/$algo-clean; copy_output "$out" "$C"
  validate "$algo-clean" "$C"
  expect "$algo-clean" 0 "Records: $RECORDS" "Checksum: $SUM" "Duplicate keys: 0" "SUCCESS - all records are in order" \
    '!mismatch'

  # (a) A key byte flipped: record 100 of rank 0 gets its first key byte's top bit set, so it is
  # larger than record 101 (the only unordered record), and the checksum changes too.
  C=$T/$algo-key; copy_output "$out" "$C"
  if [ "$(byte_at "$C/out.0" 10000)" -ge 128 ]; then
    fail "$algo-key: setup: rank 0's record 100 should have a key byte 0 below 0x80"
  else
    flip_byte "$C/out.0" 10000
    validate "$algo-key" "$C"
    expect "$algo-key" 1 "First unordered record is record 101" "Records: $RECORDS" \
      "ERROR - there are 1 unordered records" "checksum mismatch: validated" "!SUCCESS"
  fi

  # (b) A payload byte flipped (record 5 of rank 1, byte 50): the order holds, only the checksum
  # against the manifest catches it.
  C=$T/$algo-payload; copy_output "$out" "$C"
  flip_byte "$C/out.1" 550
  validate "$algo-payload" "$C"
  expect "$algo-payload" 1 "Records: $RECORDS" "SUCCESS - all records are in order" \
    "checksum mismatch: validated " ", manifest $M has $SUM (records were lost, duplicated or corrupted)" \
    "!Checksum: $SUM" "!unordered" "!record count mismatch"

  # (c) A record dropped (record 7 of rank 1): still in order; the record count is one short.
  C=$T/$algo-drop; copy_output "$out" "$C"
  { head -c 700 "$out.1"; tail -c +801 "$out.1"; } > "$C/out.1"
  validate "$algo-drop" "$C"
  expect "$algo-drop" 1 "Records: $((RECORDS - 1))" "SUCCESS - all records are in order" \
    "record count mismatch: validated $((RECORDS - 1)) records, manifest $M has $RECORDS (records were lost or duplicated)"

  # (d) A record duplicated in place (record 9 of rank 2): the key order still holds (one
  # duplicate key); the record count is one over.
  C=$T/$algo-dup; copy_output "$out" "$C"
  { head -c 1000 "$out.2"; tail -c +901 "$out.2"; } > "$C/out.2"
  validate "$algo-dup" "$C"
  expect "$algo-dup" 1 "Records: $((RECORDS + 1))" "Duplicate keys: 1" "SUCCESS - all records are in order" \
    "record count mismatch: validated $((RECORDS + 1)) records, manifest $M has $RECORDS (records were lost or duplicated)"

  # (e) Rank 0's last record and rank 1's first swapped: count and checksum hold, each partition
  # is in order by itself; only the order across the rank boundary catches it (record n0).
  C=$T/$algo-swap; copy_output "$out" "$C"
  { head -c $(((n0 - 1) * 100)) "$out.0"; head -c 100 "$out.1"; } > "$C/out.0"
  { tail -c 100 "$out.0"; tail -c +101 "$out.1"; } > "$C/out.1"
  validate "$algo-swap" "$C"
  expect "$algo-swap" 1 "First unordered record is record $n0" "Records: $RECORDS" "Checksum: $SUM" \
    "ERROR - there are 1 unordered records" "!mismatch"

  # (f) Rank 2's partition cut to a partial record: one line naming the rank and the file.
  C=$T/$algo-partial; copy_output "$out" "$C"
  truncate -s $(($(stat -c %s "$out.2") - 50)) "$C/out.2"
  validate "$algo-partial" "$C"
  expect "$algo-partial" 1 "rank 2: $C/out.2: partial record found at end"
  [ "$(printf '%s\n' "$ERR" | wc -l)" = 1 ] && ok || fail "$algo-partial: want one line: $ERR"
done

finish corruption_test
