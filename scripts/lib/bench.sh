# shellcheck shell=bash
# scripts/lib/bench.sh — sourced by bench/*.sh: the common options (--runs N --dir DIR --out FILE)
# and the small helpers every side-by-side benchmark needs.

# rs_source_commit: the commit of the tree a benchmark measures, for its result file's head:
# "-dirty" when the tree has changes not committed (the binary then is not that commit's).
rs_source_commit() {
  git describe --always --dirty 2>/dev/null || echo none
}

# rs_bench_args NAME DEFAULT_RUNS "$@": sets RUNS, DATA (bench-data/), OUT (results/NAME-HOST-DATE.txt).
rs_bench_args() {
  local name=$1
  RUNS=$2
  shift 2
  DATA=$PWD/bench-data
  OUT=results/$name-$(hostname)-$(date +%Y%m%d-%H%M%S).txt
  while [ $# -gt 0 ]; do
    case $1 in
      --runs) RUNS=$2; shift 2 ;;
      --dir) DATA=$2; shift 2 ;;
      --out) OUT=$2; shift 2 ;;
      *) echo "usage: bench/$name.sh [--runs N] [--dir DATA_DIR] [--out FILE]" >&2; exit 2 ;;
    esac
  done
}

rs_now() { date +%s.%N; }
# rs_median X...: the median of the numbers.
rs_median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# rs_pairs_spread "A1 A2 ..." "B1 B2 ...": for two series of seconds timed in alternated pairs, one
# line: the median of the pairs' ratios A/B, how many pairs had A/B > 1, and a 95 % interval of
# the ratio of medians median(A)/median(B) from 2,000 resamples of the pairs (seeded: the same
# line for the same numbers). A ratio of medians from one session moves by a few percent here;
# the interval says how far this session's could.
rs_pairs_spread() {
  python3 - "$1" "$2" <<'PY'
import random, statistics, sys
a = [float(x) for x in sys.argv[1].split()]
b = [float(x) for x in sys.argv[2].split()]
r = [x / y for x, y in zip(a, b)]
rng = random.Random(1)
boot = []
for _ in range(2000):
    idx = [rng.randrange(len(a)) for _ in a]
    boot.append(statistics.median(a[i] for i in idx) / statistics.median(b[i] for i in idx))
boot.sort()
print("pairs' median %.3f, A/B > 1 in %d of %d, 95 %% interval of the ratio of medians %.3f-%.3f"
      % (statistics.median(r), sum(x > 1 for x in r), len(r), boot[len(boot) // 40], boot[len(boot) - 1 - len(boot) // 40]))
PY
}
# rs_met "awk comparison": "met" when it holds, else "MISSED".
rs_met() { awk "BEGIN { exit !($1) }" && echo met || echo MISSED; }
# rs_bench_dataset NAME RIVERSORT RECORDS: makes DATA a private DATA/NAME-XXXXXX (removed at exit)
# with in/, out/ and tmp/, and RECORDS records generated over the ranks of the MPI array into
# in/in.{rank} (with its manifest). The results file's directory is made too.
rs_bench_dataset() {
  mkdir -p "$DATA" "$(dirname "$OUT")"
  DATA=$(mktemp -d "$DATA/$1-XXXXXX")
  trap 'rm -rf "$DATA"' EXIT
  mkdir -p "$DATA/in" "$DATA/out" "$DATA/tmp"
  "${MPI[@]}" "$2" gen --records "$3" --dir "$DATA/in" --name 'in.{rank}' 2>/dev/null
}
