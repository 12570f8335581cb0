#!/usr/bin/env bash
# bench/datamation.sh — issue 4 targets, everything in one script so the ratios are side by side:
#   Datamation: 1 M records, 2 ranks, input in the page cache, wall from mpirun launch to exit,
#     median of RUNS (9): <= 0.30 s, and <= 0.6 x `LC_ALL=C sort --parallel=2 -S 4G` on the same
#     records in ASCII form (gensort -a layout, one record per line), run alternately.
#   10 M records, 2 ranks: sort phase >= 80 M records/s over 2 cores; whole run <= 1.3 s.
#   Skewed input (gensort -s) within 10 % of uniform; --transport rma and --btl tcp beside the default.
# Every timed run's output is validated afterwards (order + checksum against the manifest).
# Usage: bench/datamation.sh [--runs N] [--dir DATA_DIR] [--out results/FILE.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/bench.sh
rs_bench_args datamation 9 "$@"
DATA=$DATA/datamation
OUT=${OUT/datamation-/datamation-bench-}
rs_ensure_packages "${RS_BUILD_PACKAGES[@]}" "${RS_BENCH_PACKAGES[@]}"
rs_build build
RS=$PWD/build/app/riversort
# The huge page pool for the largest sort here, 10 M records (docs/machine.md#the-reserved-huge-page-pool).
peak=$(rs_plan_memory "$RS" --algo onepass --records 10M --ranks 2)
rs_reserve_huge_pages $((2 * peak))
# RS_MPIRUN_FLAGS without its BTL, which each run adds (scripts/lib/deps.sh).
VADER=("${RS_MPIRUN_BTL_VADER[@]}")
TCP=("${RS_MPIRUN_BTL_TCP[@]}")
MPI=(mpirun -q "${RS_MPIRUN_BASE[@]}" -np 2 "${RS_MPIRUN_AS_ROOT[@]}")
mkdir -p "$DATA" results
trap 'rm -rf "$DATA"' EXIT

json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$1" "$2"; }
verdicts=()

gen() {  # gen NAME RECORDS [gen flags]
  local name=$1 n=$2; shift 2
  mkdir -p "$DATA/$name"
  "${MPI[@]}" "${VADER[@]}" "$RS" gen --records "$n" "$@" --dir "$DATA/$name" --name 'in.{rank}' 2>/dev/null
  cat "$DATA/$name"/in.* > /dev/null
}
# sortrun VAR NAME BTL-ARRAY-NAME [sort flags]: one timed sort (launch to exit) appended to VAR,
# then validation of its output (not timed); the JSON result goes to $DATA/NAME.json.
sortrun() {
  local var=$1 name=$2 btl=$3; shift 3
  local -n btl_flags=$btl
  rm -rf "$DATA/$name.out"; mkdir -p "$DATA/$name.out"
  local t0 t1
  t0=$(rs_now)
  RS_LAUNCH_TIME=$t0 "${MPI[@]}" "${btl_flags[@]}" -x RS_LAUNCH_TIME "$RS" sort --algo onepass --in-dir "$DATA/$name" \
    --in-name 'in.{rank}' --out-dir "$DATA/$name.out" --out-name 'out.{rank}' --buffered-input --result "$DATA/$name.json" "$@" >/dev/null
  t1=$(rs_now)
  eval "$var+=($(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }'))"
  if "${MPI[@]}" "${VADER[@]}" "$RS" validate -q --dir "$DATA/$name.out" --name 'out.{rank}' \
       --manifest "$DATA/$name/in.manifest.json"; then
    verdicts+=("$name:ok")
  else
    verdicts+=("$name:FAILED"); echo "validation FAILED for $name" >&2
  fi
}

gen uniform 1M
gen skew 1M --skew
gen big 10M
"$RS" gen --records 1M --ascii --dir "$DATA" --name ascii.txt 2>/dev/null   # same records, ASCII, one per line
cat "$DATA/ascii.txt" > /dev/null

dm=(); gnu=(); skew=(); rma=(); tcp=()
for ((i = 0; i < RUNS; i++)); do
  sortrun dm uniform VADER
  t0=$(rs_now); LC_ALL=C sort --parallel=2 -S 4G "$DATA/ascii.txt" -o "$DATA/ascii.sorted"; t1=$(rs_now)
  gnu+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
  sortrun skew skew VADER
  sortrun rma uniform VADER --transport rma
  sortrun tcp uniform TCP
done
big=(); big_sort=(); big_work=()
for ((i = 0; i < RUNS; i++)); do
  sortrun big big VADER
  # sort phase rate over both ranks: records / the slowest rank's sort seconds. The phase holds
  # the entries and the radix sort's first level; the later levels run during the write
  # (docs/onepass.md), so the in-core sort's whole work is given beside it: records / rank 0's
  # build + every radix level, wherever it ran (both ranks sort at once, each half the records).
  big_sort+=("$(json "$DATA/big.json" 'd["records"] / max(p["wall_s"] for r in d["per_rank"] for p in r["phases"] if p["name"] == "sort") / 1e6')")
  big_work+=("$(json "$DATA/big.json" 'd["records"] / (d["details"]["in_core_sort"]["build_s"] + d["details"]["in_core_sort"]["sort_s"]) / 1e6')")
done

m_dm=$(rs_median "${dm[@]}"); m_gnu=$(rs_median "${gnu[@]}"); m_skew=$(rs_median "${skew[@]}")
m_rma=$(rs_median "${rma[@]}"); m_tcp=$(rs_median "${tcp[@]}"); m_big=$(rs_median "${big[@]}"); m_rate=$(rs_median "${big_sort[@]}")
m_work=$(rs_median "${big_work[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
failed=$(printf '%s\n' "${verdicts[@]}" | grep -c FAILED || true)
verdict=$([ "$failed" = 0 ] && echo all_${#verdicts[@]}_outputs_valid || echo "${failed}_outputs_INVALID")
{
  echo "# bench/datamation.sh --runs $RUNS   ($(date -Iseconds), $(hostname), $(nproc) cores, commit $(rs_source_commit))"
  echo "# wall seconds from mpirun launch to exit, alternating; medians"
  echo "datamation_1M   ${dm[*]}"
  echo "gnu_sort_1M     ${gnu[*]}   (LC_ALL=C sort --parallel=2 -S 4G, ASCII records, page cache)"
  echo "skew_1M         ${skew[*]}"
  echo "rma_1M          ${rma[*]}"
  echo "tcp_1M          ${tcp[*]}"
  echo "onepass_10M     ${big[*]}"
  echo "sort_phase_10M_Mrec_s ${big_sort[*]}   (the phase: entries + the radix sort's first level)"
  echo "in_core_sort_10M_Mrec_s ${big_work[*]}   (records / rank 0's build + every radix level, the write's part included)"
  echo "last 1M phase table:"; python3 - "$DATA/uniform.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for i, p in enumerate(d["per_rank"][0]["phases"]):
    print("  %-20s %s" % (p["name"], " ".join("%.3f" % r["phases"][i]["wall_s"] for r in d["per_rank"])))
PY
  echo "RESULT bench=datamation records=1000000 ranks=2 median_s=$m_dm target_s=0.30 verdict=$verdict $(rs_met "$m_dm <= 0.30")"
  echo "RESULT bench=datamation_vs_gnu_sort ratio=$(ratio "$m_dm" "$m_gnu") gnu_sort_s=$m_gnu target_ratio=0.6 verdict=$verdict $(rs_met "$m_dm <= 0.6 * $m_gnu")"
  echo "RESULT bench=onepass_10M records=10000000 median_s=$m_big target_s=1.3 verdict=$verdict $(rs_met "$m_big <= 1.3")"
  echo "RESULT bench=sort_phase_10M Mrec_s=$m_rate in_core_sort_Mrec_s=$m_work target_Mrec_s=80 verdict=$verdict $(rs_met "$m_rate >= 80")"
  echo "RESULT bench=skew_vs_uniform ratio=$(ratio "$m_skew" "$m_dm") skew_s=$m_skew target_ratio=1.10 verdict=$verdict $(rs_met "$m_skew <= 1.10 * $m_dm")"
  echo "RESULT bench=transport_rma median_s=$m_rma ratio_to_mpi=$(ratio "$m_rma" "$m_dm") verdict=$verdict reported"
  echo "RESULT bench=btl_tcp median_s=$m_tcp ratio_to_vader=$(ratio "$m_tcp" "$m_dm") verdict=$verdict reported"
} | tee "$OUT"
echo "recorded in $OUT"
