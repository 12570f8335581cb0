#!/usr/bin/env bash
# tests/cli/cli_test.sh — the riversort executable end to end: reference checksums, valsort's
# report and exit codes, one-line errors for bad flags and paths, and gen/validate under mpirun.
# Usage: cli_test.sh RIVERSORT MPIRUN
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
quick_exits  # every job here ends by itself: no rank is killed

# The three kinds of check this file makes (tests/cli/lib.sh's expect_stderr):
check() { expect_stderr "$1" "$2" contains "$3" "${@:4}"; }        # NAME WANT_RC WANT_SUBSTRING -- command...
check_exact() { expect_stderr "$1" "$2" exactly "$3" "${@:4}"; }   # NAME WANT_RC WANT_STDERR -- command...
one_line() { expect_stderr "$1" nonzero one-line "" "${@:2}"; }    # NAME -- command...: one line, non-zero exit

# --- gen: reference checksums (docs/gensort-spec.md §12.1), printed like gensort -c
check_exact G03 0 "1ea6370b955" -- "$RS" gen --records 1000 --dir "$T" --name g1000.dat
check_exact G06 0 "1f5dfb3631a" -- "$RS" gen --records 1000 --ascii --dir "$T" --name a1000.dat
check_exact G08 0 "1e96301166b" -- "$RS" gen --records 1000 --skew --dir "$T" --name s1000.dat
check_exact G10 0 "1eef17d1cac" -- "$RS" gen --records 1000 --ascii --skew --dir "$T" --name as1000.dat
check_exact G19 0 "7a0e0d4868cd4" -- "$RS" gen --records 1M --dir /dev --name null
check_exact G20 0 "1b5fb21f3" -- "$RS" gen --records 3 --start 5 --dir "$T" --name b5.dat
check_exact G01 0 "0" -- "$RS" gen --records 0 --dir "$T" --name g0.dat
[ "$(sha256sum < "$T/g1000.dat" | cut -c1-64)" = f524474116510d1debac6d38152e793a7e3cb71b1dd2bb45b6610e3c17698177 ] \
  && pass=$((pass + 1)) || { echo "FAIL G03 sha256"; fails=$((fails + 1)); }
[ -s "$T/g1000.dat.manifest.json" ] && pass=$((pass + 1)) || { echo "FAIL manifest missing"; fails=$((fails + 1)); }

# --- validate: valsort's report and exit status (docs/gensort-spec.md §12.2)
check_exact V01 1 "First unordered record is record 2
Records: 1000
Checksum: 1ea6370b955
ERROR - there are 483 unordered records" -- "$RS" validate --dir "$T" --name g1000.dat
check_exact V19q 1 "" -- "$RS" validate -q --dir "$T" --name g1000.dat
check V12 1 "there must be at least one record to be validated" -- "$RS" validate --dir "$T" --name g0.dat
head -c 1050 "$T/g1000.dat" > "$T/part.dat"
check V11 1 "partial record found at end" -- "$RS" validate --dir "$T" --name part.dat
check missing 1 "$T/nope.dat: No such file or directory" -- "$RS" validate --dir "$T" --name nope.dat
check manifest-ok-order-bad 1 "ERROR - there are 483" -- \
  "$RS" validate --dir "$T" --name g1000.dat --manifest "$T/g1000.dat.manifest.json"
check checksum-mismatch 1 "checksum mismatch" -- \
  "$RS" validate --dir "$T" --name a1000.dat --expect-checksum 1ea6370b955
"$RS" validate --dir "$T" --name g1000.dat --summary-out "$T/g.sum" 2>/dev/null
[ "$(stat -c %s "$T/g.sum" 2>/dev/null)" = 280 ] && pass=$((pass + 1)) || { echo "FAIL summary-out size"; fails=$((fails + 1)); }
cat "$T/g.sum" "$T/g.sum" > "$T/two.sum"
check summaries 1 "First unordered record is record 2" -- "$RS" validate --summaries "$T/two.sum"
head -c 300 "$T/two.sum" > "$T/bad.sum"
check V27 1 "partial partition summary found at end" -- "$RS" validate --summaries "$T/bad.sum"

# --- striped: gen over 3 directories with a 64 KiB stripe unit; de-striping the members by
# the striping formula (docs/dataset.md#names) gives the single-file bytes, and validate reads them striped.
mkdir -p "$T/s0" "$T/s1" "$T/s2"
check_exact striped-gen 0 "1f013ceee6d" -- "$RS" gen --records 1000 --start 123456789 --dir "$T/s0" --dir "$T/s1" \
  --dir "$T/s2" --name st.dat --stripe-unit 64K
"$RS" gen --records 1000 --start 123456789 --dir "$T" --name st-plain.dat 2>/dev/null
: > "$T/destriped"
for ((u = 0; u < 2; u++)); do  # 100,000 bytes = 1 whole 64 KiB unit + a partial one
  dd if="$T/s$((u % 3))/st.dat" bs=65536 skip=$((u / 3)) count=1 status=none >> "$T/destriped"
done
cmp -s "$T/destriped" "$T/st-plain.dat" && pass=$((pass + 1)) || { echo "FAIL striped layout"; fails=$((fails + 1)); }
[ "$(stat -c %s "$T/s2/st.dat")" = 0 ] && pass=$((pass + 1)) || { echo "FAIL third member should be empty"; fails=$((fails + 1)); }
check striped-validate 1 "Checksum: 1f013ceee6d" -- "$RS" validate --dir "$T/s0" --dir "$T/s1" --dir "$T/s2" \
  --name st.dat --stripe-unit 64K
check striped-wrong-unit 1 "stripe" -- "$RS" validate --dir "$T/s0" --dir "$T/s1" --dir "$T/s2" --name st.dat \
  --stripe-unit 16K
check buffered-validate 1 "Checksum: 1ea6370b955" -- "$RS" validate --buffered --io-engine threads --dir "$T" --name g1000.dat
one_line bad-transfer -- "$RS" validate --dir "$T" --name g1000.dat --transfer-size 1000
one_line bad-depth -- "$RS" gen --records 1 --dir "$T" --name x --queue-depth 0
# Knobs out of range: the message states what is allowed.
check sort-transfer-direct 2 "with O_DIRECT it must be a multiple of 4096 bytes" -- "$RS" sort --in-dir "$T" \
  --in-name g1000.dat --out-dir "$T" --out-name x --transfer-size 5000
check sort-depth-above-ring 2 "not in range 1 to 4096" -- "$RS" sort --in-dir "$T" --in-name g1000.dat --out-dir "$T" \
  --out-name x --queue-depth 5000
check sort-depth-zero 2 "not in range 1 to 4096" -- "$RS" sort --in-dir "$T" --in-name g1000.dat --out-dir "$T" \
  --out-name x --queue-depth 0
one_line bad-engine -- "$RS" gen --records 1 --dir "$T" --name x --io-engine aio

# --- bad input: one line, non-zero exit, nothing under the final name
one_line unknown-flag -- "$RS" gen --records 10 --dir "$T" --name x --bogus
one_line negative -- "$RS" gen --records -5 --dir "$T" --name x
one_line non-numeric -- "$RS" gen --records ten --dir "$T" --name x
one_line bad-start -- "$RS" gen --records 1 --start 1e5 --dir "$T" --name x
one_line threads-range -- "$RS" gen --records 1 --threads 0x2 --dir "$T" --name x
one_line no-subcommand -- "$RS"
check missing-dir 1 "rank 0: $T/nodir/x.dat: No such file or directory" -- "$RS" gen --records 10 --dir "$T/nodir" --name x.dat
one_line missing-dir-one-line -- "$RS" gen --records 10 --dir "$T/nodir" --name x.dat
if [ "$(id -u)" != 0 ]; then
  mkdir "$T/ro" && chmod 555 "$T/ro"
  check unwritable 1 "Permission denied" -- "$RS" gen --records 10 --dir "$T/ro" --name x.dat
  [ -z "$(ls -A "$T/ro")" ] && pass=$((pass + 1)) || { echo "FAIL unwritable left files"; fails=$((fails + 1)); }
elif command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
  # As root, permissions do not apply to us: run the cases as nobody instead.
  P=$(mktemp -d "${TMPDIR:-/tmp}/riversort-perm-XXXXXX"); chmod 755 "$P"; cp "$RS" "$P/riversort"
  mkdir "$P/locked" "$P/ro"; cp "$T/g1000.dat" "$P/locked/"; cp "$T/g1000.dat" "$P/"; chmod 700 "$P/locked"; chmod 555 "$P/ro"
  check unreadable-validate 1 "rank 0: $P/locked/g1000.dat: Permission denied" -- runuser -u nobody -- "$P/riversort" \
    validate --dir "$P/locked" --name g1000.dat
  check unreadable-sort 1 "rank 0: $P/locked/g1000.dat: Permission denied" -- runuser -u nobody -- "$P/riversort" sort \
    --in-dir "$P/locked" --in-name g1000.dat --out-dir "$P" --out-name o
  check unwritable-sort 1 "rank 0: $P/ro/o: Permission denied" -- runuser -u nobody -- "$P/riversort" sort --in-dir "$P" \
    --in-name g1000.dat --out-dir "$P/ro" --out-name o
  [ -z "$(ls -A "$P/ro")" ] && pass=$((pass + 1)) || { echo "FAIL unwritable sort left files"; fails=$((fails + 1)); }
  # A temporary directory that can be written but not listed: refused before anything is made.
  mkdir "$P/wx" "$P/own" && chown nobody "$P/wx" "$P/own" && chmod 300 "$P/wx"
  check unlistable-tmp 1 "$P/wx: temporary directory not usable: Permission denied" -- runuser -u nobody -- \
    "$P/riversort" sort --algo twopass --in-dir "$P" --in-name g1000.dat --out-dir "$P/own" --out-name o --tmp-dir "$P/wx"
  [ -z "$(ls -A "$P/wx")" ] && [ -z "$(ls -A "$P/own")" ] && pass=$((pass + 1)) ||
    { echo "FAIL unlistable tmp dir left files"; fails=$((fails + 1)); }
  rm -rf "$P"
else
  echo "skip unreadable/unwritable-dir cases: running as root without runuser, permissions do not apply"
fi
check needs-rank 1 "{rank}" -- "${MPI[@]}" -np 2 "$RS" gen --records 10 --dir "$T" --name same.dat

# --- under mpirun: partitions concatenate to the single file; distributed = concatenated report
for np in 2 3; do
  check_exact "mpi-gen-np$np" 0 "1ea6370b955" -- "${MPI[@]}" -np $np "$RS" gen --records 1000 --dir "$T" --name "p$np.{rank}"
  cat "$T"/p$np.* > /dev/null
  files=(); for ((r = 0; r < np; r++)); do files+=("$T/p$np.$r"); done
  cmp -s <(cat "${files[@]}") "$T/g1000.dat" && pass=$((pass + 1)) || { echo "FAIL np$np concatenation"; fails=$((fails + 1)); }
  check_exact "mpi-validate-np$np" 1 "First unordered record is record 2
Records: 1000
Checksum: 1ea6370b955
ERROR - there are 483 unordered records" -- "${MPI[@]}" -np $np "$RS" validate --dir "$T" --name "p$np.{rank}"
done
# One rank with a partial partition: one line naming the rank and file, non-zero exit, no hang.
head -c 250 "$T/g1000.dat" > "$T/q.1"; cp "$T/g1000.dat" "$T/q.0"
check mpi-partial 1 "rank 1: $T/q.1: partial record found at end" -- "${MPI[@]}" -np 2 "$RS" validate --dir "$T" --name "q.{rank}"
# An empty partition on one rank among non-empty ones is valid.
: > "$T/e.1"; cp "$T/g1000.dat" "$T/e.0"; cp "$T/g1000.dat" "$T/e.2"
check mpi-empty-partition 1 "Records: 2000" -- "${MPI[@]}" -np 3 "$RS" validate --dir "$T" --name "e.{rank}"

# --- sort: onepass under mpirun, validated; refusals and bad input as one line
mkdir -p "$T/sin" "$T/sout" "$T/sd0" "$T/sd1"
"${MPI[@]}" -np 3 "$RS" gen --records 30011 --skew --dir "$T/sin" --name 'in.{rank}' 2>/dev/null
check sort-np3 0 "" -- "${MPI[@]}" -np 3 "$RS" sort --in-dir "$T/sin" --in-name 'in.{rank}' --out-dir "$T/sout" \
  --out-name 'out.{rank}' --validate --result "$T/r.json"
check sort-output-valid 0 "SUCCESS" -- "${MPI[@]}" -np 3 "$RS" validate --dir "$T/sout" --name 'out.{rank}' \
  --manifest "$T/sin/in.manifest.json"
grep -q '"verdict": "SUCCESS"' "$T/r.json" && pass=$((pass + 1)) || { echo "FAIL sort result JSON"; fails=$((fails + 1)); }
check sort-striped-rma 0 "" -- "${MPI[@]}" -np 3 "$RS" sort --in-dir "$T/sin" --in-name 'in.{rank}' --out-dir "$T/sd0" \
  --out-dir "$T/sd1" --out-name 'st.{rank}' --stripe-unit 64K --transport rma --exchange restricted --validate
# --- the out-of-core sorts: validated, temporary files gone, budgets checked up front
mkdir -p "$T/tmp0" "$T/tmp1"
check sort-twopass 0 "SUCCESS" -- "${MPI[@]}" -np 3 "$RS" sort --algo twopass --in-dir "$T/sin" \
  --in-name 'in.{rank}' --out-dir "$T/sout" --out-name 'tp.{rank}' --memory 4M --transfer-size 100K --queue-depth 2 \
  --tmp-dir "$T/tmp0" --validate --result "$T/tp.json"
grep -q '"peak_rss"' "$T/tp.json" && grep -q '"max_runs_per_rank"' "$T/tp.json" && pass=$((pass + 1)) ||
  { echo "FAIL twopass result JSON lacks peak_rss or details"; fails=$((fails + 1)); }
# The result's activity: each rank's timeline (counters that only grow, its input read, its
# output written), the phases' io, the bound column and core-seconds per GB (docs/results.md).
python3 - "$T/tp.json" <<'PYEOF' && pass=$((pass + 1)) || { echo "FAIL twopass result JSON: timeline, io or run formation"; fails=$((fails + 1)); }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["core_s_per_GB"] > 0 and d["limits"]["source"] == "built-in", (d["core_s_per_GB"], d["limits"])
for r in d["per_rank"]:
    tl = r["timeline"]
    n = len(tl["t_s"])
    assert n >= 2, n
    for k in ("cpu_s", "disk_read", "disk_written", "net_sent", "net_received", "pool_in_use"):
        assert len(tl[k]) == n, k
    for k in ("t_s", "cpu_s", "disk_read", "disk_written", "net_sent", "net_received"):
        assert all(a <= b for a, b in zip(tl[k], tl[k][1:])), k
    assert tl["disk_read"][-1] - tl["disk_read"][0] >= 100 * r["records_in"], "input not read"
    assert tl["disk_written"][-1] - tl["disk_written"][0] >= 100 * r["records_out"], "output not written"
    io = [p["io"] for p in r["phases"]]
    assert sum(x["disk_read"] for x in io) >= 100 * r["records_in"]
    # bytes_sent includes a rank's records to itself, which are no network traffic
    assert 0 < sum(x["net_sent"] for x in io) <= r["bytes_sent"], (io, r["bytes_sent"])
# Rank 0's run formation: as many runs as the summary allows, each timer within its phase (the
# worker's three run one after another; the producer's wait is part of the same phase).
det, ph = d["details"], {p["name"]: p["wall_s"] for p in d["per_rank"][0]["phases"]}
rf = det["run_formation"]
assert det["min_runs_per_rank"] <= rf["runs"] <= det["max_runs_per_rank"] and rf["runs"] >= 1, (rf, det)
assert all(rf[k] >= 0 for k in ("sort_s", "gather_s", "close_s", "producer_wait_s")), rf
assert rf["sort_s"] + rf["gather_s"] + rf["close_s"] <= ph["read & distribute"] + 0.05, (rf, ph)
# The producer waits only while the worker has a run.
assert rf["producer_wait_s"] <= rf["sort_s"] + rf["gather_s"] + rf["close_s"] + 0.05, rf
assert rf["close_s"] > 0 and rf["gather_s"] > 0, rf
PYEOF
out=$("${MPI[@]}" -np 3 "$RS" sort --algo twopass --in-dir "$T/sin" --in-name 'in.{rank}' --out-dir "$T/sout" \
  --out-name 'tl.{rank}' --memory 4M --transfer-size 100K --queue-depth 2 --tmp-dir "$T/tmp0" 2>&1 || true)
[[ "$out" == *"bound"* && "$out" == *"core-seconds per GB"* ]] && pass=$((pass + 1)) ||
  { echo "FAIL the phase table lacks the bound column or core-seconds: $out"; fails=$((fails + 1)); }
check sort-limits-not-json 1 "not JSON" -- "$RS" sort --in-dir "$T" --in-name g1000.dat --out-dir "$T/sout" \
  --out-name lim --limits "$T/g1000.dat"
one_line sort-limits-one-line -- "$RS" sort --in-dir "$T" --in-name g1000.dat --out-dir "$T/sout" --out-name lim \
  --limits "$T/nolimits.json"
[ ! -e "$T/sout/lim" ] && pass=$((pass + 1)) || { echo "FAIL a refused --limits left output"; fails=$((fails + 1)); }
if python3 -c 'import matplotlib' 2>/dev/null || /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  plots=$("$(dirname "$0")/../../scripts/plot_results.py" timeline "$T/tp.json" --out-dir "$T/plots" 2>&1) &&
    [ -s "$T/plots/timeline-tp.png" ] && [ -s "$T/plots/timeline-tp.svg" ] && pass=$((pass + 1)) ||
    { echo "FAIL plot_results.py timeline: $plots"; fails=$((fails + 1)); }
fi
check sort-twopass-manifest 0 "SUCCESS" -- "${MPI[@]}" -np 3 "$RS" validate --dir "$T/sout" --name 'tp.{rank}' \
  --manifest "$T/sin/in.manifest.json"
check sort-threepass 0 "SUCCESS" -- "${MPI[@]}" -np 3 "$RS" sort --algo threepass --in-dir "$T/sin" \
  --in-name 'in.{rank}' --out-dir "$T/sout" --out-name 'th.{rank}' --memory 4M --transfer-size 100K --queue-depth 2 \
  --tmp-dir "$T/tmp0" --tmp-dir "$T/tmp1" --validate
check sort-threepass-manifest 0 "SUCCESS" -- "${MPI[@]}" -np 3 "$RS" validate --dir "$T/sout" --name 'th.{rank}' \
  --manifest "$T/sin/in.manifest.json"
[ -z "$(entries "$T/tmp0" "$T/tmp1")" ] && pass=$((pass + 1)) ||
  { echo "FAIL temporary runs left: $(ls "$T/tmp0" "$T/tmp1")"; fails=$((fails + 1)); }
check sort-auto-onepass 0 "auto: onepass" -- "$RS" sort --algo auto --in-dir "$T" --in-name g1000.dat --out-dir "$T/sout" \
  --out-name auto1 --validate
check sort-auto-twopass 0 "auto: twopass" -- "${MPI[@]}" -np 3 "$RS" sort --algo auto --in-dir "$T/sin" --in-name 'in.{rank}' \
  --out-dir "$T/sout" --out-name 'auto2.{rank}' --memory 2M --transfer-size 100K --queue-depth 2 --validate
check sort-budget-too-small 1 "is too small for --algo twopass" -- "$RS" sort --algo twopass --in-dir "$T" \
  --in-name g1000.dat --out-dir "$T/sout" --out-name x --memory 1M
one_line sort-budget-one-line -- "$RS" sort --algo threepass --in-dir "$T" --in-name g1000.dat --out-dir "$T/sout" \
  --out-name x --memory 1M
check sort-onepass-budget 1 "is too small for --algo onepass" -- "${MPI[@]}" -np 3 "$RS" sort --in-dir "$T/sin" \
  --in-name 'in.{rank}' --out-dir "$T/sout" --out-name 'x.{rank}' --memory 1M
check sort-missing-tmp 1 "temporary directory not usable" -- "$RS" sort --algo twopass --in-dir "$T" --in-name g1000.dat \
  --out-dir "$T/sout" --out-name x --tmp-dir "$T/notmp"
check sort-manifest-mismatch 1 "manifest lists 30011 records, the partitions hold" -- "${MPI[@]}" -np 2 "$RS" sort \
  --in-dir "$T/sin" --in-name 'in.{rank}' --out-dir "$T/sout" --out-name 'mm.{rank}'
check sort-same-file 1 "output is the input" -- "$RS" sort --in-dir "$T" --in-name g1000.dat --out-dir "$T" --out-name g1000.dat
check sort-partial 1 "is not a multiple of 100 bytes" -- "$RS" sort --in-dir "$T" --in-name part.dat --out-dir "$T/sout" \
  --out-name p.out
check sort-missing-input 1 "No such file or directory" -- "${MPI[@]}" -np 2 "$RS" sort --in-dir "$T/nodir" \
  --in-name 'in.{rank}' --out-dir "$T/sout" --out-name 'x.{rank}'
check sort-missing-outdir 1 "$T/nodir/x.0: No such file or directory" -- "$RS" sort --in-dir "$T" --in-name g1000.dat \
  --out-dir "$T/nodir" --out-name 'x.{rank}'
[ ! -e "$T/sout/p.out" ] && [ ! -e "$T/sout/x" ] && pass=$((pass + 1)) || { echo "FAIL failed sorts left output"; fails=$((fails + 1)); }
one_line sort-bad-splitters -- "$RS" sort --splitters magic --in-dir "$T" --in-name g1000.dat --out-dir "$T/sout" --out-name y

entries "$T" | grep -qE 'riversort-[0-9a-f]{16}|\.riversort\.lock$' && { echo "FAIL temporary files left: $(entries "$T" | grep riversort)"; fails=$((fails + 1)); }
finish cli_test
