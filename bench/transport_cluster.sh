#!/usr/bin/env bash
# bench/transport_cluster.sh — issue 15's one-sided target across hosts: `--transport rma` against
# two-sided MPI (`--transport mpi`), onepass, on a test cluster of HOSTS network namespaces talking
# TCP (scripts/cluster.sh: own address, own disk, one rank each; needs root). Every round runs
# both, alternating which goes first; each sort is validated twice by cluster.sh. Across hosts
# only osc/pt2pt serves an MPI window over TCP here, so both run with OMPI_MCA_osc=pt2pt (the
# two-sided transport opens no window). Prints each run's exchange phase (read & distribute, the
# slowest rank's, from the JSON result) and launch to durable, the medians and their ratios
# rma/mpi, one RESULT line (target: exchange ratio <= 1).
# Usage: [HOSTS=4] [RECORDS=10M] [RS=build/app/riversort] bench/transport_cluster.sh [--runs N] [--dir DIR]
#        [--out FILE]   (--dir: where the hosts' disks go, as cluster.sh --data-dir; default bench-data/)
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=${HOSTS:-4}
RECORDS=${RECORDS:-10M}
source scripts/lib/bench.sh
rs_bench_args transport_cluster 5 "$@"
RS=${RS:-build/app/riversort}
mkdir -p "$(dirname "$OUT")" "$DATA"
W=$(mktemp -d "$DATA/rs-transport-XXXXXX")
trap 'rm -rf "$W"' EXIT

one() {  # one ROUND TRANSPORT: prints "exchange_s launch_to_durable_s"
  local dir=$W/$1-$2
  OMPI_MCA_osc=pt2pt scripts/cluster.sh --hosts "$HOSTS" --records "$RECORDS" --algos onepass --riversort "$RS" \
    --results "$dir" --data-dir "$W" --sort-flags "--transport $2" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; return 1; }
  python3 - "$dir/sort-onepass.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ex = max(p["wall_s"] for r in d["per_rank"] for p in r["phases"] if p["name"] == "read & distribute")
print(f"{ex:.3f} {d['launch_to_durable_s']:.3f}")
PY
}

mpi_x=() mpi_d=() rma_x=() rma_d=()
for ((i = 0; i < RUNS; i++)); do
  if ((i % 2 == 0)); then order=(mpi rma); else order=(rma mpi); fi
  for t in "${order[@]}"; do
    out=$(one "$i" "$t") || { echo "transport_cluster.sh: round $i, --transport $t failed (above)" >&2; exit 1; }
    read -r x d <<< "$out"
    if [ "$t" = mpi ]; then mpi_x+=("$x") mpi_d+=("$d"); else rma_x+=("$x") rma_d+=("$d"); fi
  done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
mx=$(rs_median "${mpi_x[@]}") rx=$(rs_median "${rma_x[@]}") md=$(rs_median "${mpi_d[@]}") rd=$(rs_median "${rma_d[@]}")
{
  echo "command: HOSTS=$HOSTS RECORDS=$RECORDS bench/transport_cluster.sh --runs $RUNS   ($(date -Is), commit $(rs_source_commit))"
  echo "mpi exchange (s):          ${mpi_x[*]}"
  echo "rma exchange (s):          ${rma_x[*]}"
  echo "mpi launch to durable (s): ${mpi_d[*]}"
  echo "rma launch to durable (s): ${rma_d[*]}"
  echo "RESULT bench=transport_cluster hosts=$HOSTS records=$RECORDS runs=$RUNS mpi_exchange_s=$mx rma_exchange_s=$rx exchange_ratio=$(ratio "$rx" "$mx") mpi_launch_to_durable_s=$md rma_launch_to_durable_s=$rd durable_ratio=$(ratio "$rd" "$md") target=1 $(rs_met "$rx <= $mx") validation=SUCCESS"
} | tee "$OUT"
