#!/usr/bin/env bash
# scripts/terabyte.sh — the scaled terabyte sort (docs/terabyte.md): an out-of-core sort of data
# several times larger than each rank's memory. Installs what is missing, builds Release, checks
# the free disk space up front on every node, generates the input with `riversort gen` under
# mpirun (one partition per rank), sorts it with `riversort sort --algo ALGO --validate
# --progress` (O_DIRECT in and out), timed from the launch of mpirun, prints the phase table and
# the result, and removes the data at the end unless --keep. The JSON result goes to results/.
#
# Options: --bytes N      data size, k/K/M/G/T = 10^3/6/9/12 like record counts (16G = 160 M records)
#          --ranks N      (2)            --memory B  per-rank budget, K/M/G = 2^10/20/30 (1G)
#          --algo onepass|twopass|threepass|auto (twopass)
#          --dir D        repeat, one per disk: every partition stripes over them; D/terabyte-data/
#                         {in,out,tmp} hold input, output and work files (D: the repository)
#          --hostfile F   passed to mpirun (a cluster: the same paths on every node)
#          --result FILE  (results/terabyte-ALGO-HOST-DATE.json)   --keep  keep the data
# RS_BUILD_DIR picks another build directory (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
BYTES_ARG=16G RANKS=2 MEMORY=1G ALGO=twopass DIRS=() HOSTFILE="" KEEP=0 RESULT=""
usage() { sed -n '2,16p' "$0" >&2; exit 2; }
die() { echo "terabyte.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case $1 in
    --bytes) BYTES_ARG=$2; shift 2 ;;
    --ranks) RANKS=$2; shift 2 ;;
    --memory) MEMORY=$2; shift 2 ;;
    --algo) ALGO=$2; shift 2 ;;
    --dir) DIRS+=("$2"); shift 2 ;;
    --hostfile) HOSTFILE=$2; shift 2 ;;
    --result) RESULT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage ;;
    *) echo "terabyte.sh: unknown option $1" >&2; usage ;;
  esac
done

# count TEXT: digits with an optional k/K/M/G/T suffix (powers of ten), as an integer.
count() {
  [[ $1 =~ ^([0-9]+)([kKMGT]?)$ ]] || return 1
  local n=$((10#${BASH_REMATCH[1]}))
  case ${BASH_REMATCH[2]} in k|K) n=$((n * 1000)) ;; M) n=$((n * 1000000)) ;; G) n=$((n * 1000000000)) ;;
    T) n=$((n * 1000000000000)) ;; esac
  echo "$n"
}
# bytes2 TEXT: digits with an optional K/M/G/T (2^10/20/30/40, optionally "i"/"iB"/"B"), as riversort reads --memory.
bytes2() {
  [[ $1 =~ ^([0-9]+)(([KMGT])(i|iB|B)?)?$ ]] || return 1
  local n=$((10#${BASH_REMATCH[1]}))
  case ${BASH_REMATCH[3]} in K) n=$((n << 10)) ;; M) n=$((n << 20)) ;; G) n=$((n << 30)) ;; T) n=$((n << 40)) ;; esac
  echo "$n"
}
gb() { awk -v b="$1" 'BEGIN { if (b < 1e9) printf "%.0f MB", b / 1e6; else printf "%.1f GB", b / 1e9 }'; }

BYTES=$(count "$BYTES_ARG") || die "--bytes '$BYTES_ARG' is not a size (digits with optional k/M/G/T = 10^3/6/9/12)"
MEMORY_BYTES=$(bytes2 "$MEMORY") || die "--memory '$MEMORY' is not a byte size (digits with optional K/M/G/T = 2^10/20/30/40)"
[[ $RANKS =~ ^[1-9][0-9]*$ ]] || die "--ranks '$RANKS' is not a rank count (1 or more)"
[ $((BYTES % 100)) = 0 ] || die "--bytes $BYTES is not a whole number of 100-byte records"
RECORDS=$((BYTES / 100))
[ "$RECORDS" -ge "$RANKS" ] || die "--bytes $BYTES_ARG is fewer records than ranks"
# Disk space for input + output + temporary files, in multiples of the data: onepass keeps no
# work files; twopass spills every record once as sorted runs at its receiver, which stay until
# the merge has written the output; threepass has the input, its runs and its sorted work file
# during the local merge, then the input, the work files and the output during the parallel merge.
case $ALGO in
  onepass) FACTOR=2; WHAT="input + output" ;;
  twopass|auto) FACTOR=3; WHAT="input + output + sorted runs" ;;
  threepass) FACTOR=3; WHAT="input + work files + output" ;;
  *) die "--algo must be onepass, twopass, threepass or auto" ;;
esac
[ -z "$HOSTFILE" ] || [ -r "$HOSTFILE" ] || die "--hostfile $HOSTFILE: cannot read it"
[ ${#DIRS[@]} -gt 0 ] || DIRS=("$PWD")
ROOTS=()   # everything this script writes lives in D/terabyte-data, one per --dir
for d in "${DIRS[@]}"; do ROOTS+=("$(realpath -m -- "$d")/terabyte-data"); done
[ -n "$RESULT" ] || RESULT=results/terabyte-$ALGO-$(hostname)-$(date +%Y%m%d-%H%M%S).json

rs_ensure_packages "${RS_BUILD_PACKAGES[@]}" python3
BUILD=${RS_BUILD_DIR:-build}
rs_build "$BUILD"
rs_reserve_huge_pages $((MEMORY_BYTES * RANKS))  # docs/machine.md#the-reserved-huge-page-pool
RS=$PWD/$BUILD/app/riversort
# Single copy where this machine allows it (scripts/lib/deps.sh); with a --hostfile the other nodes
# are not probed, so the copies stay.
SINGLE_COPY="not probed (--hostfile)"
if [ -z "$HOSTFILE" ]; then rs_single_copy "$RS" "$ALGO"; SINGLE_COPY=$RS_SINGLE_COPY_USED; fi
MPIRUN=(mpirun)
for f in "${RS_MPIRUN_FLAGS[@]}"; do
  # Between nodes the ranks need TCP beside shared memory.
  if [ -n "$HOSTFILE" ] && [ "$f" = self,vader ]; then MPIRUN+=("self,vader,tcp"); else MPIRUN+=("$f"); fi
done
[ -z "$HOSTFILE" ] || MPIRUN+=(--hostfile "$HOSTFILE")
MPIRUN+=(-np "$RANKS")

# Runs once on every node (the rank with local rank 0), through mpirun so a --hostfile cluster
# gets it too. "prepare NEED_PER_RANK WHAT ROOT...": clears what an earlier run left in ROOT, makes
# ROOT/{in,out,tmp}, and checks that each filesystem has room for this node's share (its ranks x
# NEED_PER_RANK, spread over the ROOTs) and 1 GB to spare. "clean ROOT...": removes ROOT.
NODE_STEP=$(cat <<'EOF'
set -u
[ "${OMPI_COMM_WORLD_LOCAL_RANK:-0}" = 0 ] || exit 0
action=$1; shift
if [ "$action" = clean ]; then
  rm -rf "$@"
  exit 0
fi
per_rank=$1 what=$2; shift 2
here=${OMPI_COMM_WORLD_LOCAL_SIZE:-1}
declare -A need free dirs
for d in "$@"; do
  rm -rf "$d"
  mkdir -p "$d/in" "$d/out" "$d/tmp" || exit 1
  read -r fs avail < <(df -P -k "$d" | awk 'NR == 2 {print $6, $4}')
  need[$fs]=$(( ${need[$fs]:-0} + per_rank * here / $# ))
  free[$fs]=$(( avail * 1024 ))
  dirs[$fs]="${dirs[$fs]:+${dirs[$fs]} }$d"
done
rc=0
for fs in "${!need[@]}"; do
  line=$(awk -v n="${need[$fs]}" -v f="${free[$fs]}" 'BEGIN { printf "%.1f GB needed, %.1f GB free", n / 1e9, f / 1e9 }')
  if (( need[$fs] + 1000000000 > free[$fs] )); then
    echo "terabyte.sh: $(hostname): not enough disk space on $fs for $what: $line (1 GB must stay free; dirs ${dirs[$fs]})" >&2
    rc=1
  else
    echo "    $(hostname): $fs: $line (${dirs[$fs]})" >&2
  fi
done
exit $rc
EOF
)
on_nodes() { "${MPIRUN[@]}" bash -c "$NODE_STEP" node-step "$@"; }
cleanup() {
  on_nodes clean "${ROOTS[@]}" || true
  rm -rf "${ROOTS[@]}"  # this node, also when mpirun failed
}
if [ "$KEEP" = 1 ]; then
  trap 'rs_say "kept the data in ${ROOTS[*]} (in/, out/, tmp/)"' EXIT
else
  trap cleanup EXIT
fi
trap 'exit 130' INT TERM

PER_RANK=$((BYTES / RANKS))
rs_say "terabyte sort: $(gb "$BYTES") ($RECORDS records) over $RANKS ranks, $(gb "$PER_RANK") per rank = $(awk -v a="$PER_RANK" -v m="$MEMORY_BYTES" 'BEGIN { printf "%.2f", a / m }') x --memory $MEMORY, --algo $ALGO, O_DIRECT"
rs_say "disk: $WHAT = $FACTOR x the data = $(gb $((FACTOR * BYTES))) in ${ROOTS[*]}"
# (the refusal is the node's one line)
on_nodes prepare $((FACTOR * PER_RANK)) "$WHAT ($FACTOR x $(gb "$BYTES"), $ALGO)" "${ROOTS[@]}" || exit 1

GEN=("$RS" gen --records "$RECORDS")
IN=() OUT=() TMP=()
for d in "${ROOTS[@]}"; do GEN+=(--dir "$d/in"); IN+=(--in-dir "$d/in"); OUT+=(--out-dir "$d/out"); TMP+=(--tmp-dir "$d/tmp"); done
GEN+=(--name 'in.{rank}')
rs_say "gen: ${MPIRUN[*]} ${GEN[*]}"
t0=$(date +%s.%N)
sum=$("${MPIRUN[@]}" "${GEN[@]}" 2>&1 >/dev/null) || { echo "$sum" >&2; die "gen failed"; }
t1=$(date +%s.%N)
echo "input: $RECORDS records, checksum $sum, generated in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"

SORT=("$RS" sort --algo "$ALGO" "${IN[@]}" --in-name 'in.{rank}' "${OUT[@]}" --out-name 'out.{rank}' --memory "$MEMORY")
# --tmp-dir and --progress come with the out-of-core sorts; a build without them sorts without.
help=$("$RS" sort --help 2>&1 || true)
if grep -q -- '--tmp-dir' <<< "$help"; then SORT+=("${TMP[@]}"); else rs_say "note: this build has no --tmp-dir; sorting without it"; fi
if grep -q -- '--progress' <<< "$help"; then SORT+=(--progress); else rs_say "note: this build has no --progress; sorting without it"; fi
SORT+=(--validate --result "$RESULT")
mkdir -p "$(dirname "$RESULT")"
# A rank's stderr is a pipe to mpirun: tell rank 0 whether ours is a terminal (progress rewrites one line there).
TTY=0; [ -t 2 ] && TTY=1
rs_say "sort: ${MPIRUN[*]} ${SORT[*]}"
t0=$(date +%s.%N)
rc=0
RS_LAUNCH_TIME=$t0 RS_PROGRESS_TTY=$TTY "${MPIRUN[@]}" -x RS_LAUNCH_TIME -x RS_PROGRESS_TTY "${SORT[@]}" || rc=$?
t1=$(date +%s.%N)
if [ "$rc" != 0 ] && [ "$KEEP" = 1 ]; then
  # The data stays, but not the temporaries of a rank that died (riversort clean, on every node).
  CLEAN=("$RS" clean); for d in "${ROOTS[@]}"; do CLEAN+=(--dir "$d/out" --dir "$d/tmp"); done
  rs_say "clean: ${CLEAN[*]}"
  "${MPIRUN[@]}" "${CLEAN[@]}" | grep -E 'freed|kept' >&2 || true
fi
[ "$rc" = 0 ] || die "the sort failed (exit $rc); $([ "$KEEP" = 1 ] && echo "data kept" || echo "data removed")"
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
python3 - "$RESULT" "$wall" "$MEMORY" "$MEMORY_BYTES" "$SINGLE_COPY" "${MPIRUN[*]}" <<'PY'
import json, os, sys, tempfile
d = json.load(open(sys.argv[1]))
wall, memory, memory_bytes = float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
# How the ranks were launched goes into the result beside the sort's own facts (docs/results.md):
# written to a new file of a fresh name (mkstemp: O_EXCL, O_NOFOLLOW), synced, and renamed over
# the sort's, so the result is never half-written; the new file is removed if anything fails.
d["launch"] = {"mpirun": sys.argv[6], "single_copy": sys.argv[5]}
where, name = os.path.split(os.path.abspath(sys.argv[1]))
fd, tmp = tempfile.mkstemp(prefix=name + ".", suffix=".tmp", dir=where)
try:
    with os.fdopen(fd, "w") as f:
        os.fchmod(f.fileno(), 0o644)
        json.dump(d, f, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, sys.argv[1])
except BaseException:
    os.unlink(tmp)
    raise
t = d["launch_to_durable_s"] if d["launch_to_durable_s"] > 0 else wall
n = d["records"]
print(f"sorted {n * 100 / 1e9:.1f} GB ({n} records) over {d['environment']['ranks']} ranks with {d['algo']}: "
      f"{t:.2f} s launch to durable output, {n * 100 / 1e6 / t:.0f} MB/s, {n / 1e6 / t:.2f} M records/s; "
      f"validation {d['validation']['verdict']}")
rss = [r["peak_rss"] for r in d["per_rank"]]
print("peak RSS per rank: " + ", ".join(f"{r / 2**30:.2f} GiB" for r in rss)
      + f" (--memory {memory} = {memory_bytes / 2**30:.2f} GiB; max/budget {max(rss) / memory_bytes:.2f})")
PY
echo "wall time from mpirun launch to exit: $wall s"
echo "result: $RESULT"
