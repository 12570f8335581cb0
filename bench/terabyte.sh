#!/usr/bin/env bash
# bench/terabyte.sh — the scaled terabyte sort against its targets, all in one script so the ratios
# are measured side by side (docs/terabyte.md). 16 GB (160 M records) over 2 ranks, 1 GiB of memory
# per rank (the data is 8x the memory), O_DIRECT:
#   (a) disk floor: a pass of an external sort reads and writes at once, so its floor is fio's
#       mixed 50/50 read/write (--rw=rw) of twice the dataset's bytes (the data read and written
#       once), direct=1, the best iobench read transfer size (the newest results/iobench-*.json,
#       else 2 MiB) at QD32, io_uring, one fio job per rank file in parallel as the sort does;
#       M = the slowest job's run time, run before and after each run's sorts, the faster taken.
#       Beside it, not instead of it, N: per rank a read of a laid-out file and a write into a new
#       file at once (a sort's every write goes to new blocks, which this disk writes at about half
#       the rate it rewrites old ones); twopass / 2N and threepass / 3N are reported, no target.
#       And I: the same with the read job reading the dataset's own input (fio --readonly, in a
#       process of its own): a sort's first pass reads an input written long before, which this
#       disk serves slower than a file just laid out (docs/terabyte.md); twopass / (I + N) and
#       threepass / (I + 2N) are reported, no target.
#   (b) twopass and threepass, mpirun launch to durable output, every output validated (order and
#       checksum against the input): twopass <= 1.15 x 2M, threepass <= 1.2 x 3M; medians of RUNS.
#       (Until issue 15 the floor was a sequential write then read, R + W per pass, and the
#       targets 1.25x: too loose, as the disk overlaps a read and a write.)
#   (c) GNU sort: `LC_ALL=C sort -S 2G --parallel=2` on 4 GB of ASCII records in one file (output
#       synced, then validated): twopass's records/s from (b) >= 5 x GNU sort's.
#   (d) twopass time per record at 2, 4, 8 and 16 GB (BYTES/8 .. BYTES; 16 GB is (b)): flat,
#       max/min over the sizes <= 1.25.
# Free disk space is checked before each step; each dataset is deleted when its step is done.
#
# Usage: bench/terabyte.sh [--bytes N (16G; k/M/G/T = 10^3/6/9/12)] [--memory B (1G per rank)]
#          [--runs N (5)] [--dir D (repeat, one per disk; bench-data)] [--skip-gnu] [--skip-scaling]
#          [--quick] [--out results/FILE.txt]
# --skip-scaling leaves out (d).
# --quick: a smoke test of the script: 1 GB with 256 MiB per rank, GNU sort on 100 MB, 1 run.
# TERABYTE_STANDIN=onepass runs onepass wherever twopass and threepass would run, to check the
# script itself before they exist; the results file and every RESULT line then say so.
# RS_BUILD_DIR picks another build directory (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/bench.sh
ARGS="$*"
usage() { sed -n '2,34p' "$0" >&2; exit 2; }
die() { echo "bench/terabyte.sh: $*" >&2; exit 1; }
BYTES_ARG="" MEMORY="" DIRS=() SKIP_GNU=0 SKIP_SCALING=0 QUICK=0 PASS=() RUNS_GIVEN=0
while [ $# -gt 0 ]; do
  case $1 in
    --bytes) BYTES_ARG=$2; shift 2 ;;
    --memory) MEMORY=$2; shift 2 ;;
    --dir) DIRS+=("$2"); shift 2 ;;
    --skip-gnu) SKIP_GNU=1; shift ;;
    --skip-scaling) SKIP_SCALING=1; shift ;;
    --quick) QUICK=1; shift ;;
    --runs) PASS+=("$1" "$2"); RUNS_GIVEN=1; shift 2 ;;
    --out) PASS+=("$1" "$2"); shift 2 ;;
    -h|--help) usage ;;
    *) echo "bench/terabyte.sh: unknown option $1" >&2; usage ;;
  esac
done
rs_bench_args terabyte-bench 5 "${PASS[@]}"   # RUNS, DATA (bench-data), OUT (results/terabyte-bench-HOST-DATE.txt)
RANKS=2
if [ "$QUICK" = 1 ]; then
  : "${BYTES_ARG:=1G}" "${MEMORY:=256M}"; GNU_BYTES=100000000
  [ "$RUNS_GIVEN" = 1 ] || RUNS=1
else
  : "${BYTES_ARG:=16G}" "${MEMORY:=1G}"; GNU_BYTES=4000000000
fi
[[ $BYTES_ARG =~ ^([0-9]+)([kKMGT]?)$ ]] || die "--bytes '$BYTES_ARG' is not a size (digits with optional k/M/G/T = 10^3/6/9/12)"
BYTES=$((10#${BASH_REMATCH[1]}))
case ${BASH_REMATCH[2]} in k|K) BYTES=$((BYTES * 1000)) ;; M) BYTES=$((BYTES * 1000000)) ;;
  G) BYTES=$((BYTES * 1000000000)) ;; T) BYTES=$((BYTES * 1000000000000)) ;; esac
BYTES=$((BYTES / 100 * 100))   # whole records
[ "$BYTES" -ge 800 ] || die "--bytes $BYTES_ARG is too small"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs '$RUNS' is not a run count (1 or more)"
STANDIN=${TERABYTE_STANDIN:-}
[ ${#DIRS[@]} -gt 0 ] || DIRS=("$DATA")
ROOTS=()   # everything this script writes lives in ROOT/terabyte-bench, one per --dir
for d in "${DIRS[@]}"; do ROOTS+=("$(realpath -m -- "$d")/terabyte-bench"); done

rs_ensure_packages "${RS_BUILD_PACKAGES[@]}" "${RS_BENCH_PACKAGES[@]}"
BUILD=${RS_BUILD_DIR:-build}
rs_build "$BUILD"
RS=$PWD/$BUILD/app/riversort
rs_single_copy "$RS" "${STANDIN:-twopass}"  # out-of-core sorts (scripts/lib/deps.sh)
MPI=(mpirun "${RS_MPIRUN_FLAGS[@]}" -np "$RANKS")
# Every rank's budget from the huge page pool (docs/machine.md#the-reserved-huge-page-pool; from
# 2026-12-04 on: earlier results ran without it).
peak=$(rs_plan_memory "$RS" --algo twopass --records $((BYTES / 100)) --ranks "$RANKS" --memory "$MEMORY")
rs_reserve_huge_pages $((peak * RANKS))
WORK=$(mktemp -d)
cleanup() { rm -rf "${ROOTS[@]}" "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
cleanup; mkdir -p "${ROOTS[@]}" "$WORK" results
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

gb() { awk -v b="$1" 'BEGIN { if (b < 1e9) printf "%.0f MB", b / 1e6; else printf "%.1f GB", b / 1e9 }'; }
label() { awk -v b="$1" 'BEGIN { if (b >= 1e9) printf "%gG", b / 1e9; else printf "%gM", b / 1e6 }'; }
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$1" "$2"; }

# space STEP NEED WHAT [ROOT...]: the filesystems under ROOT... (default: every --dir) must hold
# their share of NEED bytes and keep 1 GB free; else one line and exit.
space() {
  local step=$1 need=$2 what=$3 r fs avail
  shift 3
  local roots=("$@")
  [ ${#roots[@]} -gt 0 ] || roots=("${ROOTS[@]}")
  local -A want free
  for r in "${roots[@]}"; do
    read -r fs avail < <(df -P -k "$r" | awk 'NR == 2 {print $6, $4}')
    want[$fs]=$((${want[$fs]:-0} + need / ${#roots[@]}))
    free[$fs]=$((avail * 1024))
  done
  for fs in "${!want[@]}"; do
    if ((want[$fs] + 1000000000 > free[$fs])); then
      die "step $step: not enough disk space on $fs for $what: $(gb "${want[$fs]}") needed, $(gb "${free[$fs]}") free (1 GB must stay free)"
    fi
  done
}

# gen SET BYTES [gen flags]: a dataset of BYTES over the ranks in ROOT/SET/in (one partition per
# rank, striped over the --dirs), with empty ROOT/SET/out and ROOT/SET/tmp beside it.
gen() {
  local set=$1 bytes=$2 r args=() err
  shift 2
  for r in "${ROOTS[@]}"; do mkdir -p "$r/$set/in" "$r/$set/out" "$r/$set/tmp"; args+=(--dir "$r/$set/in"); done
  rs_say "gen: $(gb "$bytes") ($((bytes / 100)) records) over $RANKS ranks -> ${ROOTS[*]/%//$set/in}"
  err=$("${MPI[@]}" "$RS" gen --records $((bytes / 100)) "${args[@]}" --name 'in.{rank}' "$@" 2>&1 >/dev/null) \
    || { echo "$err" >&2; die "gen failed"; }
}
drop() { local r; for r in "${ROOTS[@]}"; do rm -rf "${r:?}/$1"; done; }

# --tmp-dir comes with the out-of-core sorts; a build without it sorts without.
HAS_TMP=0
grep -q -- '--tmp-dir' <<< "$("$RS" sort --help 2>&1 || true)" && HAS_TMP=1
verdicts=()
declare -A PEAK   # ALGO:SET -> the largest peak RSS of any rank in any of those runs (bytes)
# sortrun ALGO VAR SET: one sort of ROOT/SET/in, timed from mpirun's launch to durable output (the
# result's launch_to_durable_s; validation runs after it, inside the same command), its output
# validated by the sort itself. Appends the seconds to array VAR and the verdict to verdicts,
# and the phase table's core-seconds per GB to VAR_cpu, raises PEAK[ALGO:SET] to the largest rank's peak RSS;
# keeps the phase table in $WORK/ALGO-SET.table. A failing
# sort stops the benchmark with its own message.
sortrun() {
  local algo=$1 var=$2 set=$3 run_algo=${STANDIN:-$1} r t0 t1 rc=0 flags=() secs verdict rss cpu
  for r in "${ROOTS[@]}"; do
    rm -rf "${r:?}/$set/out" "${r:?}/$set/tmp"; mkdir -p "$r/$set/out" "$r/$set/tmp"
    flags+=(--in-dir "$r/$set/in" --out-dir "$r/$set/out")
    [ "$HAS_TMP" = 0 ] || flags+=(--tmp-dir "$r/$set/tmp")
  done
  t0=$(rs_now)
  RS_LAUNCH_TIME=$t0 "${MPI[@]}" -x RS_LAUNCH_TIME "$RS" sort --algo "$run_algo" "${flags[@]}" --in-name 'in.{rank}' \
    --out-name 'out.{rank}' --memory "$MEMORY" --validate --result "$WORK/sort.json" >"$WORK/sort.out" 2>"$WORK/sort.err" || rc=$?
  t1=$(rs_now)
  if [ "$rc" != 0 ]; then
    echo "bench/terabyte.sh: $algo failed (exit $rc) on $set:" >&2
    tail -n 5 "$WORK/sort.err" | sed 's/^/    /' >&2
    die "stopped; no results recorded, data removed"
  fi
  secs=$(json "$WORK/sort.json" "'%.3f' % d['launch_to_durable_s']")
  awk -v s="$secs" 'BEGIN { exit !(s > 0) }' || secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  verdict=$(json "$WORK/sort.json" "d['validation']['verdict']")
  rss=$(json "$WORK/sort.json" "max(r['peak_rss'] for r in d['per_rank'])")
  eval "$var+=($secs)"
  # The phase table's core-seconds per GB (every rank, launch to end; issue 15 deliverable 6), "-"
  # where the binary prints none.
  cpu=$(awk '$1 == "CPU" { print $2 }' "$WORK/sort.out")
  eval "${var}_cpu+=(${cpu:--})"
  ((rss <= ${PEAK[$algo:$set]:-0})) || PEAK[$algo:$set]=$rss
  if [ "$verdict" = SUCCESS ]; then verdicts+=("$algo:ok"); else verdicts+=("$algo:FAILED"); echo "validation FAILED for $algo: $verdict" >&2; fi
  cp "$WORK/sort.out" "$WORK/$algo-$set.table"
  echo "    $algo $(label $(($(json "$WORK/sort.json" "d['records']") * 100))): $secs s, validation $verdict" >&2
}

# The best iobench read transfer size: the newest results/iobench-*.json (by its date), else 2 MiB
# (docs/machine.md#disk and core/config.hpp).
read -r R_BS FIO_SRC < <(python3 - <<'PY'
import glob, json
best = None
for f in glob.glob("results/iobench-*.json"):
    try:
        d = json.load(open(f))
        b = (d.get("date", ""), f, d["best"]["read"])
    except (OSError, ValueError, KeyError):
        continue
    if best is None or b[0] > best[0]:
        best = b
print(best[2]["transfer_size"], best[1]) if best else print(2097152, "defaults")
PY
)
# fio's jobs: one per rank, each over its rank's bytes striped over the --dirs (fio spreads a job
# over its files round-robin), rounded down to whole transfers (< 2 MiB per file lost).
FIO_QD=32
# shellcheck disable=SC2017  # rounds down on purpose
FIO_SIZE=$((BYTES / RANKS / (R_BS * ${#ROOTS[@]}) * R_BS * ${#ROOTS[@]}))
# fio_mixed: one mixed 50/50 read/write pass over 2 x FIO_SIZE bytes per job (fio lays the files out
# first, outside the timing); prints the slowest job's run time (s) and "ok" when every job read
# and wrote its bytes.
fio_mixed() {
  local q r jobs=() files
  for ((q = 0; q < RANKS; q++)); do
    files=""
    for r in "${ROOTS[@]}"; do mkdir -p "$r/fio"; files+="${files:+:}$r/fio/rank$q"; done
    jobs+=(--name="rank$q" --filename="$files")
  done
  fio --rw=rw --rwmixread=50 --bs="$R_BS" --iodepth="$FIO_QD" --ioengine=io_uring --direct=1 --size="$FIO_SIZE" \
    --io_size=$((2 * FIO_SIZE)) --end_fsync=1 --output-format=json --output="$WORK/fio.json" "${jobs[@]}" >/dev/null || return 1
  python3 - "$WORK/fio.json" "$FIO_SIZE" <<'PY'
import json, sys
jobs = json.load(open(sys.argv[1]))["jobs"]
size = int(sys.argv[2])
moved = [j["read"]["io_bytes"] + j["write"]["io_bytes"] for j in jobs]
ok = all(m == 2 * size for m in moved) and all(j["read"]["io_bytes"] > 0 and j["write"]["io_bytes"] > 0 for j in jobs)
print("%.3f %s" % (max(j["job_runtime"] for j in jobs) / 1000, "ok" if ok else "BYTES_WRONG"))
PY
}
# fio_pair_result JSON...: the slowest job's run time (s) over fio's JSON outputs, and "ok" when each
# read<q> job only read FIO_SIZE bytes and each new<q> job only wrote as many, else BYTES_WRONG.
fio_pair_result() {
  python3 - "$FIO_SIZE" "$@" <<'PY'
import json, sys
size = int(sys.argv[1])
jobs = [j for f in sys.argv[2:] for j in json.load(open(f))["jobs"]]
want = {"read": ("read", "write"), "new": ("write", "read")}
ok = all(j[want[j["jobname"].rstrip("0123456789")][0]]["io_bytes"] == size and
         j[want[j["jobname"].rstrip("0123456789")][1]]["io_bytes"] == 0 for j in jobs)
print("%.3f %s" % (max(j["job_runtime"] for j in jobs) / 1000, "ok" if ok else "BYTES_WRONG"))
PY
}
# fio_newfiles: what a sort's pass does to the disk and fio's mixed pass does not: per rank, one job
# reads FIO_SIZE bytes of a file laid out before the clock while another writes FIO_SIZE bytes into
# a new file (every run, work file and output of a sort is a new, preallocated file; this disk
# writes new blocks at about half the rate it rewrites old ones, docs/terabyte.md). Each job at half
# of QD FIO_QD; prints the slowest job's run time (s) and "ok" when every job moved its bytes.
# Reported beside the issue's floor, not instead of it.
fio_newfiles() {
  local q r jobs=() rfiles wfiles
  for ((q = 0; q < RANKS; q++)); do
    rfiles="" wfiles=""
    for r in "${ROOTS[@]}"; do
      mkdir -p "$r/fio"; rfiles+="${rfiles:+:}$r/fio/read$q"; wfiles+="${wfiles:+:}$r/fio/new$q"
    done
    jobs+=(--name="read$q" --rw=read --filename="$rfiles" --name="new$q" --rw=write --filename="$wfiles")
  done
  fio --bs="$R_BS" --iodepth=$((FIO_QD / 2)) --ioengine=io_uring --direct=1 --size="$FIO_SIZE" --fallocate=native \
    --end_fsync=1 --output-format=json --output="$WORK/fio-new.json" "${jobs[@]}" >/dev/null || return 1
  fio_pair_result "$WORK/fio-new.json"
}
# fio_input: as fio_newfiles, but each rank's read job reads that rank's input files of SET (the
# dataset the sorts read, striped as they are) instead of a file fio just laid out: what a sort's
# first pass does to the disk. The readers run in their own fio process with --readonly, so no job
# can write to an input (without it fio lays out afresh a file shorter than --size); the writers
# start beside them, in a second process with no shared start, so the two clocks begin a few ms
# apart. Prints the slowest job's run time (s) and "ok" when every job moved its bytes.
fio_input() {
  local set=$1 q r rjobs=() wjobs=() rfiles wfiles pid rc=0
  for ((q = 0; q < RANKS; q++)); do
    rfiles="" wfiles=""
    for r in "${ROOTS[@]}"; do
      mkdir -p "$r/fio"; rfiles+="${rfiles:+:}$r/$set/in/in.$q"; wfiles+="${wfiles:+:}$r/fio/new$q"
    done
    rjobs+=(--name="read$q" --rw=read --filename="$rfiles")
    wjobs+=(--name="new$q" --rw=write --filename="$wfiles")
  done
  local common=(--bs="$R_BS" --iodepth=$((FIO_QD / 2)) --ioengine=io_uring --direct=1 --size="$FIO_SIZE" --output-format=json)
  fio "${common[@]}" --readonly --output="$WORK/fio-input-read.json" "${rjobs[@]}" >/dev/null &
  pid=$!
  # A failed writer stops the readers too, rather than leaving them reading on their own.
  fio "${common[@]}" --fallocate=native --end_fsync=1 --output="$WORK/fio-input-write.json" "${wjobs[@]}" >/dev/null ||
    { rc=1; kill "$pid" 2>/dev/null || true; }
  wait "$pid" || rc=1
  ((rc == 0)) || return 1
  fio_pair_result "$WORK/fio-input-read.json" "$WORK/fio-input-write.json"
}
fio_m=() fio_ok=() fio_n=() fio_n_ok=() fio_i=() fio_i_ok=()
faster() { printf '%s\n' "$@" | sort -g | head -1; }
fio_floor() {  # a mixed pass, a new-files pass, an input pass; appends their seconds to fio_m, fio_n, fio_i
  local s ok out
  out=$(fio_mixed) || die "fio failed"
  read -r s ok <<< "$out"; fio_m+=("$s"); fio_ok+=("$ok")
  drop fio
  echo "    fio mixed 50/50: $s s ($ok)" >&2
  out=$(fio_newfiles) || die "fio failed (new files)"
  read -r s ok <<< "$out"; fio_n+=("$s"); fio_n_ok+=("$ok")
  drop fio
  echo "    fio read + write into new files: $s s ($ok)" >&2
  out=$(fio_input main) || die "fio failed (input)"
  read -r s ok <<< "$out"; fio_i+=("$s"); fio_i_ok+=("$ok")
  drop fio
  echo "    fio read of the input + write into new files: $s s ($ok)" >&2
}

# Preflight: both algorithms once on a tiny dataset, so a build without them stops here, in seconds.
rs_say "preflight: twopass and threepass on 10 MB${STANDIN:+ (stand-in: $STANDIN)}"
space preflight 100000000 "the preflight"
# shellcheck disable=SC2034  # sortrun appends to it by name
pre_s=()
gen pre 10000000
sortrun twopass pre_s pre; sortrun threepass pre_s pre
drop pre; verdicts=(); PEAK=()

# (a) + (b)
rs_say "(a)+(b): $(gb "$BYTES") over $RANKS ranks, --memory $MEMORY: fio floor, twopass, threepass; $RUNS runs"
rs_say "fio: mixed 50/50 read/write, $R_BS B x QD$FIO_QD io_uring, direct=1, $RANKS jobs x 2 x $(gb "$FIO_SIZE") (transfer size from $FIO_SRC)"
space b $((3 * BYTES)) "input + output + temporary files (3 x $(gb "$BYTES"))"
gen main "$BYTES"
two=() three=() floors=() nfloors=() ifloors=() two_cpu=() three_cpu=()
for ((i = 1; i <= RUNS; i++)); do
  rs_say "run $i/$RUNS (load $(cut -d' ' -f1 /proc/loadavg))"
  fio_floor
  if ((i % 2)); then sortrun twopass two main; sortrun threepass three main
  else sortrun threepass three main; sortrun twopass two main; fi
  # The sorts validated their outputs: room for fio's files (input + 2 x the data, within the 3 x checked).
  for r in "${ROOTS[@]}"; do rm -rf "${r:?}/main/out" "${r:?}/main/tmp"; done
  fio_floor
  floors+=("$(faster "${fio_m[-2]}" "${fio_m[-1]}")")   # the faster of before and after
  nfloors+=("$(faster "${fio_n[-2]}" "${fio_n[-1]}")")
  ifloors+=("$(faster "${fio_i[-2]}" "${fio_i[-1]}")")
done
drop main

# (c)
gnu=() gnu_verdict=skipped
if [ "$SKIP_GNU" = 0 ]; then
  G=${ROOTS[0]}/gnu
  GNU_RECORDS=$((GNU_BYTES / 100))
  rs_say "(c): LC_ALL=C sort -S 2G --parallel=2 on $(gb "$GNU_BYTES") of ASCII records ($GNU_RECORDS), $RUNS runs"
  space c $((3 * GNU_BYTES)) "GNU sort's input + output + temporary files (3 x $(gb "$GNU_BYTES"))" "${ROOTS[0]}"
  mkdir -p "$G/tmp"
  "$RS" gen --records "$GNU_RECORDS" --ascii --dir "$G" --name in.txt 2>/dev/null || die "gen --ascii failed"
  for ((i = 1; i <= RUNS; i++)); do
    rm -f "$G/out.txt"; rm -rf "$G/tmp"; mkdir -p "$G/tmp"
    t0=$(rs_now)
    LC_ALL=C sort -S 2G --parallel=2 -T "$G/tmp" -o "$G/out.txt" "$G/in.txt" || die "GNU sort failed"
    sync "$G/out.txt"
    t1=$(rs_now)
    gnu+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
    echo "    GNU sort: ${gnu[-1]} s" >&2
  done
  if "$RS" validate -q --dir "$G" --name out.txt --manifest "$G/in.txt.manifest.json"; then gnu_verdict=output_valid
  else gnu_verdict=OUTPUT_INVALID; echo "validation FAILED for GNU sort's output" >&2; fi
  rm -rf "$G"
fi

# (d): 16 GB is (b)'s twopass
SIZES=() SCALE_S=()
DIVS=(8 4 2); [ "$SKIP_SCALING" = 0 ] || DIVS=()
for div in "${DIVS[@]}"; do
  b=$((BYTES / div / 100 * 100))
  rs_say "(d): twopass on $(gb "$b"), $RUNS runs"
  space d $((3 * b)) "input + output + temporary files (3 x $(gb "$b"))"
  gen scale "$b"
  sc=(); for ((i = 1; i <= RUNS; i++)); do sortrun twopass sc scale; done
  SIZES+=("$b"); SCALE_S+=("$(rs_median "${sc[@]}")")
  drop scale
done
SIZES+=("$BYTES"); SCALE_S+=("$(rs_median "${two[@]}")")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# fio moved RANKS x 2 x FIO_SIZE bytes (whole transfers): scaled to twice the dataset's bytes.
FIO_TOTAL=$((RANKS * FIO_SIZE))
m_m=$(awk -v s="$(rs_median "${floors[@]}")" -v a="$BYTES" -v f="$FIO_TOTAL" 'BEGIN { printf "%.3f", s * a / f }')
m_n=$(awk -v s="$(rs_median "${nfloors[@]}")" -v a="$BYTES" -v f="$FIO_TOTAL" 'BEGIN { printf "%.3f", s * a / f }')
m_i=$(awk -v s="$(rs_median "${ifloors[@]}")" -v a="$BYTES" -v f="$FIO_TOTAL" 'BEGIN { printf "%.3f", s * a / f }')
m_two=$(rs_median "${two[@]}"); m_three=$(rs_median "${three[@]}")
f2=$(awk -v m="$m_m" 'BEGIN { printf "%.3f", 2 * m }')
f3=$(awk -v m="$m_m" 'BEGIN { printf "%.3f", 3 * m }')
n2=$(awk -v m="$m_n" 'BEGIN { printf "%.3f", 2 * m }')
n3=$(awk -v m="$m_n" 'BEGIN { printf "%.3f", 3 * m }')
i2=$(awk -v i="$m_i" -v n="$m_n" 'BEGIN { printf "%.3f", i + n }')      # first pass from the input, then one more
i3=$(awk -v i="$m_i" -v n="$m_n" 'BEGIN { printf "%.3f", i + 2 * n }')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
cpu_median() { if [[ " $* " == *" - "* ]]; then echo -; else rs_median "$@"; fi; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / s / 1e6 }'; }
gib() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 2^30 }'; }
failed=$(printf '%s\n' "${verdicts[@]}" | grep -c FAILED || true)
verdict=$([ "$failed" = 0 ] && echo "all_${#verdicts[@]}_outputs_valid" || echo "${failed}_outputs_INVALID")
fio_verdict=$(printf '%s\n' "${fio_ok[@]}" | grep -q BYTES_WRONG && echo fio_BYTES_WRONG || echo fio_bytes_ok)
fio_n_verdict=$(printf '%s\n' "${fio_n_ok[@]}" | grep -q BYTES_WRONG && echo newfiles_BYTES_WRONG || echo newfiles_bytes_ok)
fio_i_verdict=$(printf '%s\n' "${fio_i_ok[@]}" | grep -q BYTES_WRONG && echo input_BYTES_WRONG || echo input_bytes_ok)
RECORDS=$((BYTES / 100))
rate_two=$(awk -v n="$RECORDS" -v s="$m_two" 'BEGIN { printf "%.3f", n / s / 1e6 }')
what=""; [ -z "$STANDIN" ] || what=" standin=$STANDIN"
{
  echo "# ${STANDIN:+TERABYTE_STANDIN=$STANDIN }bench/terabyte.sh $ARGS   ($(date -Iseconds), $(hostname), $(nproc) cores, commit $(rs_source_commit), load average before $LOAD_BEFORE, after $LOAD_AFTER)"
  [ -z "$STANDIN" ] || echo "# STAND-IN: --algo $STANDIN ran wherever twopass and threepass are named; these numbers check the script, not the targets"
  echo "# $(gb "$BYTES") ($RECORDS records) over $RANKS ranks, --memory $MEMORY per rank, O_DIRECT, dirs ${ROOTS[*]}; medians of $RUNS"
  echo "# ${MPI[*]} (single copy: $RS_SINGLE_COPY_USED)"
  echo "# sorts: seconds from mpirun launch to durable output (the result's launch_to_durable_s); each output validated"
  echo "# fio: --rw=rw --rwmixread=50 --direct=1 --bs=$R_BS --iodepth=$FIO_QD io_uring end_fsync, $RANKS jobs in parallel (one per rank),"
  echo "#   each moving 2 x $FIO_SIZE bytes, half read and half written (its share of the data, read and written once;"
  echo "#   transfer size from $FIO_SRC); seconds = the slowest job's"
  echo "#   job_runtime; before and after each run's sorts, the faster taken; mixed_s below is their median scaled to the"
  echo "#   dataset's $BYTES bytes read and written (fio moved $FIO_TOTAL each way); floors: twopass 2 x mixed_s, threepass 3 x"
  echo "fio_mixed_s   ${fio_m[*]}   (before, after, per run)"
  echo "fio_floor_s   ${floors[*]}   (the faster of each run's two)"
  echo "# fio new files: per rank a job reading $FIO_SIZE bytes of a laid-out file beside a job writing as many into a new"
  echo "#   preallocated file (--fallocate=native), each at QD$((FIO_QD / 2)), end_fsync; scaled like mixed_s: one pass of a sort"
  echo "#   as this disk serves it when every write goes to new blocks; reported beside the floor above, not instead of it"
  echo "fio_newfiles_s ${fio_n[*]}   (before, after, per run; the faster of each run's two: ${nfloors[*]})"
  echo "# fio input: the same, the read jobs reading each rank's input files of the sorted dataset (fio --readonly, its"
  echo "#   own process, beside the writers): a sort's first pass; floors reported: twopass I + N, threepass I + 2N"
  echo "fio_input_s   ${fio_i[*]}   (before, after, per run; the faster of each run's two: ${ifloors[*]})"
  echo "twopass_s     ${two[*]}   (core-s/GB: ${two_cpu[*]})"
  echo "threepass_s   ${three[*]}   (core-s/GB: ${three_cpu[*]})"
  [ "$SKIP_GNU" = 1 ] || echo "gnu_sort_s    ${gnu[*]}   (LC_ALL=C sort -S 2G --parallel=2 -T on the data disk, then sync; $(gb "$GNU_BYTES") ASCII, one file)"
  for i in "${!SIZES[@]}"; do echo "twopass_$(label "${SIZES[i]}")_median_s ${SCALE_S[i]}"; done
  for a in twopass threepass; do echo "last $a phase table ($(gb "$BYTES")):"; sed 's/^/  /' "$WORK/$a-main.table"; done
  echo "RESULT bench=terabyte_disk_floor bytes=$BYTES ranks=$RANKS mixed_s=$m_m mixed_MBps=$(mbps $((2 * BYTES)) "$m_m") newfiles_s=$m_n newfiles_MBps=$(mbps $((2 * BYTES)) "$m_n") newfiles_over_mixed=$(ratio "$m_n" "$m_m") twopass_over_2newfiles=$(ratio "$m_two" "$n2") threepass_over_3newfiles=$(ratio "$m_three" "$n3") input_s=$m_i input_over_newfiles=$(ratio "$m_i" "$m_n") twopass_over_input_plus_newfiles=$(ratio "$m_two" "$i2") threepass_over_input_plus_2newfiles=$(ratio "$m_three" "$i3") verdict=$fio_verdict+$fio_n_verdict+$fio_i_verdict reported"
  echo "RESULT bench=terabyte_twopass$what bytes=$BYTES records=$RECORDS ranks=$RANKS memory=$MEMORY median_s=$m_two floor_s=$f2 ratio=$(ratio "$m_two" "$f2") target_ratio=1.15 core_s_per_GB=$(cpu_median "${two_cpu[@]}") Mrec_s=$rate_two peak_rss_GiB=$(gib "${PEAK[twopass:main]}") verdict=$verdict $(rs_met "$m_two <= 1.15 * $f2")"
  echo "RESULT bench=terabyte_threepass$what bytes=$BYTES records=$RECORDS ranks=$RANKS memory=$MEMORY median_s=$m_three floor_s=$f3 ratio=$(ratio "$m_three" "$f3") target_ratio=1.2 core_s_per_GB=$(cpu_median "${three_cpu[@]}") peak_rss_GiB=$(gib "${PEAK[threepass:main]}") verdict=$verdict $(rs_met "$m_three <= 1.2 * $f3")"
  if [ "$SKIP_GNU" = 0 ]; then
    m_gnu=$(rs_median "${gnu[@]}")
    rate_gnu=$(awk -v n="$GNU_RECORDS" -v s="$m_gnu" 'BEGIN { printf "%.3f", n / s / 1e6 }')
    echo "RESULT bench=terabyte_vs_gnu_sort$what riversort_Mrec_s=$rate_two gnu_Mrec_s=$rate_gnu gnu_records=$GNU_RECORDS gnu_median_s=$m_gnu ratio=$(ratio "$rate_two" "$rate_gnu") target_ratio=5 verdict=${verdict}+gnu_$gnu_verdict $(rs_met "$rate_two >= 5 * $rate_gnu")"
  fi
  ns=() labels=()
  [ "$SKIP_SCALING" = 0 ] || SIZES=()
  for i in "${!SIZES[@]}"; do
    ns+=("$(awk -v s="${SCALE_S[i]}" -v b="${SIZES[i]}" 'BEGIN { printf "%.1f", s / (b / 100) * 1e9 }')"); labels+=("$(label "${SIZES[i]}")")
  done
  spread=""
  [ "$SKIP_SCALING" = 1 ] || spread=$(printf '%s\n' "${ns[@]}" | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.3f", hi / lo}')
  [ "$SKIP_SCALING" = 1 ] || echo "RESULT bench=terabyte_scaling$what sizes=$(IFS=,; echo "${labels[*]}") ns_per_record=$(IFS=,; echo "${ns[*]}") spread=$spread target_spread=1.25 verdict=$verdict $(rs_met "$spread <= 1.25")"
} | tee "$OUT"
echo "recorded in $OUT"
