#!/usr/bin/env bash
# tests/cli/iobench_cli_test.sh — `riversort iobench` end to end: a tiny sweep into a temporary
# --out-dir (exit 0, table and best settings on stdout, CSV and JSON with a row per point, no
# test files left), the heat map when matplotlib is there, and bad flags refused in one line.
# Usage: iobench_cli_test.sh RIVERSORT
set -u
RS=$1
HERE=$(cd "$(dirname "$0")" && pwd)
MPIRUN=${MPIRUN:-mpirun}  # lib.sh wants one; iobench runs alone
source "$(dirname "$0")/lib.sh"
fail() { bad "$@"; }

# NAME WANT_SUBSTRING -- command: non-zero exit, exactly one line on stderr naming the flag
one_line() { expect_stderr "$1" nonzero one-line "$2" "${@:3}"; }

mkdir -p "$T/d0" "$T/d1"
# --- a tiny sweep: 2 transfer sizes x 2 depths x 2 stripe counts x 2 engines x read/write = 32 rows
out=$("$RS" iobench --dir "$T/d0" --dir "$T/d1" --size 4M --transfer-size 256K,1M --queue-depth 1 --queue-depth 4 \
      --stripes 1,2 --stripe-unit 256K --out-dir "$T/out" 2>"$T/err"); rc=$?
[ "$rc" = 0 ] && ok || fail "sweep: exit $rc: $(cat "$T/err")"
csv=$(ls "$T"/out/iobench-*.csv 2>/dev/null | head -1)
json=$(ls "$T"/out/iobench-*.json 2>/dev/null | head -1)
[ -s "$csv" ] && ok || fail "no CSV in $T/out"
[ -s "$json" ] && ok || fail "no JSON in $T/out"
[ "$(head -1 "$csv")" = "rw,engine,stripes,stripe_unit,transfer_size,queue_depth,bytes,seconds,MBps,cpu_s_per_GB" ] \
  && ok || fail "CSV header: $(head -1 "$csv")"
[ "$(($(wc -l < "$csv") - 1))" = 32 ] && ok || fail "CSV has $(($(wc -l < "$csv") - 1)) rows, want 32"
[ "$(grep -c 'iobench: run 1/1 point' "$T/err")" = 32 ] && ok || fail "want 32 progress lines on stderr"
python3 - "$json" <<'EOF' && ok || fail "JSON content"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["kind"] == "iobench" and len(j["rows"]) == 32, "rows"
assert all(r["MBps"] > 0 for r in j["rows"]), "MB/s"
assert set(j["best"]) == {"read", "write"}, "best"
EOF
[[ "$out" == *"best read: "*" MB/s"* ]] && ok || fail "stdout lacks 'best read': $out"
[[ "$out" == *"best write: "*" MB/s"* ]] && ok || fail "stdout lacks 'best write': $out"
[[ "$out" == *"csv: $csv"* ]] && ok || fail "stdout lacks the CSV path"
[ -z "$(ls -A "$T/d0")$(ls -A "$T/d1")" ] && ok || fail "test files left: $(ls -A "$T/d0" "$T/d1")"

# --- the heat map, where matplotlib is installed (scripts/lib/deps.sh RS_BENCH_PACKAGES)
if python3 -c 'import matplotlib' 2>/dev/null || /usr/bin/python3 -c 'import matplotlib' 2>/dev/null; then
  plots=$("$HERE/../../scripts/plot_results.py" iobench "$json" --out-dir "$T/plots" 2>&1) \
    && [ -s "$T/plots/$(basename "${json%.json}").png" ] && [ -s "$T/plots/$(basename "${json%.json}").svg" ] \
    && ok || fail "plot_results.py iobench: $plots"
  "$HERE/../../scripts/plot_results.py" nosuchkind "$json" >/dev/null 2>&1 && fail "plot of an unknown kind exits 0" || ok
else
  echo "skip: matplotlib missing, heat map not checked"
fi

# --- bad flags: one line naming the flag, non-zero exit, nothing written
B=("$RS" iobench --dir "$T/d0" --size 4M --out-dir "$T/bad")
one_line depth0 "--queue-depth" -- "${B[@]}" --queue-depth 0
one_line depth-big "--queue-depth" -- "${B[@]}" --queue-depth 4,5000
one_line transfer-align "--transfer-size 5000: with O_DIRECT it must be a multiple of 4096" -- "${B[@]}" --transfer-size 5000
one_line transfer-junk "--transfer-size" -- "${B[@]}" --transfer-size 12X
one_line stripes-over "--stripes 2: allowed 1 .. 1" -- "${B[@]}" --stripes 2
one_line stripes-zero "--stripes" -- "${B[@]}" --stripes 0
one_line engine "--io-engine" -- "${B[@]}" --io-engine uring,auto
one_line rw "--rw" -- "${B[@]}" --rw read,append
one_line runs "--runs" -- "${B[@]}" --runs 0
one_line unit "--stripe-unit" -- "${B[@]}" --stripe-unit 5000
one_line size "--size" -- "${B[@]}" --size 0
one_line dir-missing "--dir $T/nope" -- "$RS" iobench --dir "$T/nope"
one_line dir-twice "given twice" -- "$RS" iobench --dir "$T/d0" --dir "$T/d0/"
one_line no-dir "--dir" -- "$RS" iobench
[ ! -e "$T/bad" ] && ok || fail "a refused run wrote $T/bad"

finish iobench_cli_test
