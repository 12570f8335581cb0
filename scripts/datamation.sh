#!/usr/bin/env bash
# scripts/datamation.sh — the README's main job: the Datamation sort (1 M records) across ranks.
# Installs what is missing, builds Release, generates the input with `riversort gen` under mpirun,
# sorts it with `riversort sort --algo onepass` under mpirun, timed from the launch of mpirun to
# its exit (the output is durable by then), validates the output against the input manifest, and
# prints the phase table. The JSON result is recorded under results/.
#
# Options: --ranks N (2)  --records N (1M)  --skew  --transport mpi|rma  --exchange free|restricted
#          --splitters sample|uniform  --btl vader|tcp  --data-dir DIR (./datamation-data)
#          --result FILE (results/datamation-HOST-DATE.json)  --keep (keep the data)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
RANKS=2 RECORDS=1M SKEW=() TRANSPORT=mpi EXCHANGE=free SPLITTERS=sample BTL=vader
DATA=$PWD/datamation-data KEEP=0
RESULT=results/datamation-$(hostname)-$(date +%Y%m%d-%H%M%S).json
usage() { sed -n '2,12p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case $1 in
    --ranks) RANKS=$2; shift 2 ;;
    --records) RECORDS=$2; shift 2 ;;
    --skew) SKEW=(--skew); shift ;;
    --transport) TRANSPORT=$2; shift 2 ;;
    --exchange) EXCHANGE=$2; shift 2 ;;
    --splitters) SPLITTERS=$2; shift 2 ;;
    --btl) BTL=$2; shift 2 ;;
    --data-dir) DATA=$2; shift 2 ;;
    --result) RESULT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) usage ;;
    *) echo "datamation.sh: unknown option $1" >&2; usage ;;
  esac
done
case $BTL in
  vader) BTL_FLAGS=("${RS_MPIRUN_BTL_VADER[@]}") ;;
  tcp) BTL_FLAGS=("${RS_MPIRUN_BTL_TCP[@]}") ;;
  *) echo "datamation.sh: --btl must be vader or tcp" >&2; exit 2 ;;
esac
rs_ensure_packages "${RS_BUILD_PACKAGES[@]}"
rs_build build
RS=$PWD/build/app/riversort
# The huge page pool for every rank's peak, as the plan counts it (docs/machine.md#the-reserved-huge-page-pool).
peak=$(rs_plan_memory "$RS" --algo onepass --records "$RECORDS" --ranks "$RANKS")
rs_reserve_huge_pages $((peak * RANKS))
# RS_MPIRUN_FLAGS with the chosen BTL (scripts/lib/deps.sh).
MPIRUN=(mpirun -q "${RS_MPIRUN_BASE[@]}" "${BTL_FLAGS[@]}" -np "$RANKS" "${RS_MPIRUN_AS_ROOT[@]}")
mkdir -p "$DATA/in" "$DATA/out" "$(dirname "$RESULT")"
[ "$KEEP" = 1 ] || trap 'rm -rf "$DATA"' EXIT

rs_say "gen: $RECORDS records over $RANKS ranks ${SKEW[*]} -> $DATA/in"
"${MPIRUN[@]}" "$RS" gen --records "$RECORDS" "${SKEW[@]}" --dir "$DATA/in" --name 'in.{rank}' 2>/dev/null
cat "$DATA"/in/in.* > /dev/null  # input in the page cache, as the Datamation rules allow
rm -f "$DATA"/out/*
rs_say "sort: ${MPIRUN[*]} riversort sort --algo onepass --transport $TRANSPORT --exchange $EXCHANGE --splitters $SPLITTERS --buffered-input"
t0=$(date +%s.%N)
rc=0
RS_LAUNCH_TIME=$t0 "${MPIRUN[@]}" -x RS_LAUNCH_TIME "$RS" sort --algo onepass --in-dir "$DATA/in" --in-name 'in.{rank}' \
  --out-dir "$DATA/out" --out-name 'out.{rank}' --transport "$TRANSPORT" --exchange "$EXCHANGE" \
  --splitters "$SPLITTERS" --buffered-input --result "$RESULT" || rc=$?
t1=$(date +%s.%N)
if [ "$rc" != 0 ]; then
  # A rank that died leaves its temporaries (its token says it is gone); kept data gets them removed.
  [ "$KEEP" = 1 ] && { rs_say "clean: riversort clean --dir $DATA/out"; "${MPIRUN[@]}" "$RS" clean --dir "$DATA/out" >/dev/null || true; }
  echo "datamation.sh: the sort failed (exit $rc)" >&2
  exit "$rc"
fi
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
rs_say "validate: riversort validate --manifest (order and checksum against the input)"
"${MPIRUN[@]}" "$RS" validate --dir "$DATA/out" --name 'out.{rank}' --manifest "$DATA/in/in.manifest.json"
echo "wall time from mpirun launch to exit: $wall s"
echo "result: $RESULT"
