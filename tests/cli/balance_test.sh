#!/usr/bin/env bash
# tests/cli/balance_test.sh — unequal key ranges (docs/fault-tolerance.md#slow-ranks): --weights
# splits the output in the given proportions (threepass's selection exactly, twopass's sample
# within its error), on uniform, skewed and all-equal keys, every output validated; the JSON result
# carries each rank's weight; --balance speed gives a rank whose disk is throttled
# (scripts/slow_rank.sh, when cgroups can be written) a smaller share; bad weights and onepass are
# refused in one line.
# Usage: balance_test.sh RIVERSORT MPIRUN
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
quick_exits  # every job here ends by itself: no rank is killed
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

gen() {  # gen DIR RECORDS [FLAGS]: 3 partitions
  mkdir -p "$T/$1"
  "${MPI[@]}" -np 3 "$RS" gen --records "$2" --dir "$T/$1" --name 'in.{rank}' "${@:3}" 2>/dev/null || { echo "gen $1 failed"; exit 1; }
}
gen uniform 300001
gen skew 300001 --skew
mkdir -p "$T/equal"
# All-equal keys: one record repeated (the key and the payload), 100,001 per partition.
python3 -c "import sys; sys.stdout.buffer.write(b'K' * 10 + b'x' * 90)" > "$T/rec"
for r in 0 1 2; do yes "$(cat "$T/rec")" 2>/dev/null | head -c $((100001 * 101)) | tr -d '\n' > "$T/equal/in.$r"; done
mkdir -p "$T/out" "$T/tmp"

shares_of() {  # the output records per rank, from the JSON result
  python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(' '.join(str(x['records_out']) for x in r['per_rank']))" "$1"
}
for data in uniform skew equal; do
  for algo in twopass threepass; do
    rm -f "$T"/out/*
    "${MPI[@]}" -np 3 "$RS" sort --algo "$algo" --memory 64M --in-dir "$T/$data" --in-name 'in.{rank}' \
      --out-dir "$T/out" --out-name 'out.{rank}' --tmp-dir "$T/tmp" --weights 1,2,5 --validate \
      --result "$T/r.json" >/dev/null 2>"$T/err"; rc=$?
    [ "$rc" = 0 ] && grep -q "SUCCESS - all records are in order" "$T/err" && ok ||
      bad "$data/$algo --weights 1,2,5: rc $rc $(head -3 "$T/err")"
    read -r a b c <<<"$(shares_of "$T/r.json")"
    n=$((a + b + c))
    if [ "$algo" = threepass ]; then  # exact: boundaries at ⌊N·1/8⌋ and ⌊N·3/8⌋
      [ "$a" = $((n / 8)) ] && [ "$((a + b))" = $((n * 3 / 8)) ] && ok || bad "$data/threepass: parts $a $b $c of $n, want exactly 1:2:5"
    else  # the sample's bound: each part within 10 % of its share (and more for the smallest)
      awk -v a="$a" -v b="$b" -v c="$c" -v n="$n" 'BEGIN { exit !(a > 0.8*n/8 && a < 1.2*n/8 && b > 0.8*n/4 && b < 1.2*n/4) }' &&
        ok || bad "$data/twopass: parts $a $b $c of $n, want about 1:2:5"
    fi
    python3 -c "import json,sys; w=[x['weight'] for x in json.load(open(sys.argv[1]))['per_rank']]; sys.exit(0 if abs(w[0]-0.125)<1e-9 and abs(sum(w)-1)<1e-9 else 1)" "$T/r.json" &&
      ok || bad "$data/$algo: the JSON weights are wrong"
  done
done

# Refusals, one line each.
SORT=(sort --in-dir "$T/uniform" --in-name 'in.{rank}' --out-dir "$T/out" --out-name 'o.{rank}' --tmp-dir "$T/tmp")
refused() {  # refused WHAT EXPECTED -- ARGS
  local what=$1 want=$2
  shift 3
  out=$("${MPI[@]}" -np 3 "$RS" "${SORT[@]}" "$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" != 0 ] && [[ "$out" == *"$want"* ]] && ok || bad "$what: rc $rc: $out"
}
refused "two weights for three ranks" "--weights: 2 weights for 3 ranks" -- --algo twopass --weights 1,2
refused "a zero weight" "every weight must be a positive number" -- --algo threepass --weights 1,0,2
refused "onepass" "onepass sizes its memory for equal parts" -- --algo onepass --balance speed
refused "uniform splitters" "need --splitters sample" -- --algo twopass --splitters uniform --weights 1,1,2

# --balance speed: a rank whose disk reads at 100 MB/s gets a smaller share than the others.
if [ -w /sys/fs/cgroup/blkio ] || [ -w /sys/fs/cgroup/cgroup.subtree_control ]; then
  mkdir -p "$T/big"
  "${MPI[@]}" -np 3 "$RS" gen --records 3M --dir "$T/big" --name 'in.{rank}' 2>/dev/null
  rm -f "$T"/out/*
  "${MPI[@]}" -np 3 "$ROOT/scripts/slow_rank.sh" --rank 2 --disk-mbps 100 --dir "$T" -- "$RS" sort --algo twopass \
    --memory 256M --in-dir "$T/big" --in-name 'in.{rank}' --out-dir "$T/out" --out-name 'out.{rank}' --tmp-dir "$T/tmp" \
    --balance speed --validate --result "$T/r.json" >/dev/null 2>"$T/err"; rc=$?
  [ "$rc" = 0 ] && grep -q "SUCCESS" "$T/err" && ok || bad "--balance speed: rc $rc $(head -3 "$T/err")"
  python3 -c "import json,sys; w=[x['weight'] for x in json.load(open(sys.argv[1]))['per_rank']]; sys.exit(0 if w[2] < min(w[0], w[1]) else 1)" "$T/r.json" &&
    ok || bad "--balance speed: the throttled rank 2 did not get the smallest share: $(grep measured "$T/err")"
else
  echo "balance_test: cgroups are not writable here: the throttled-rank case is not run"
fi
finish balance_test
