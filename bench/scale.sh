#!/usr/bin/env bash
# bench/scale.sh — riversort as the number of hosts grows (issue 13, docs/scale.md): the namespace
# test cluster (scripts/cluster.sh, one rank per host, TCP over a bridge) at P = 2, 4, 8, 16, 32 and
# 64 hosts on the same dataset, every algorithm with the same --memory, every output validated
# twice. Per P and algorithm it records the wall time (mpirun launch to exit), launch to durable
# output, the bytes the hosts sent into the bridge, peak RSS (largest rank), the slowest rank's
# time in each phase, and beside them the plan's figures for the same job (`riversort plan --json`:
# peak and least memory per rank, bytes and messages each rank sends, sample bytes per rank).
# Targets: onepass on 32 hosts moves at most 1.5x the data across the bridge; peak RSS per rank at
# 64 hosts within 1.5x that at 4 hosts, for every algorithm. Wall times are reported, not targets:
# all P ranks share this machine's 2 cores, one run per P (a cluster of 64 takes minutes to
# start and tear down).
# Writes results/scale-HOST-DATE.txt (tables and RESULT lines) and .json (the rows, for
# `scripts/plot_results.py scale FILE.json`, which adds the plan's figures up to 10,000 ranks).
# Usage: bench/scale.sh [--hosts "2 4 8 16 32 64"] [--records 1M] [--memory 256M]
#          [--algos "onepass twopass threepass"] [--out results/FILE.txt]
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS_LIST="2 4 8 16 32 64" RECORDS=1M MEMORY=256M ALGOS="onepass twopass threepass"
OUT=results/scale-$(hostname)-$(date +%Y%m%d-%H%M%S).txt
while [ $# -gt 0 ]; do
  case $1 in
    --hosts) HOSTS_LIST=$2; shift 2 ;;
    --records) RECORDS=$2; shift 2 ;;
    --memory) MEMORY=$2; shift 2 ;;
    --algos) ALGOS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "bench/scale.sh: unknown option $1" >&2; sed -n '15,16p' "$0" >&2; exit 2 ;;
  esac
done
source scripts/lib/deps.sh
rs_ensure_packages python3
BUILD=${RS_BUILD_DIR:-build}
rs_ensure_packages "${RS_BUILD_PACKAGES[@]}"
rs_build "$BUILD"
RS=$(realpath "$BUILD/app/riversort")
mkdir -p "$(dirname "$OUT")"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/rs-scale-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
COMMAND="bench/scale.sh --hosts \"$HOSTS_LIST\" --records $RECORDS --memory $MEMORY --algos \"$ALGOS\""
rs_say "scale: $COMMAND"

for p in $HOSTS_LIST; do
  rs_say "cluster of $p hosts"
  scripts/cluster.sh --hosts "$p" --records "$RECORDS" --memory "$MEMORY" --algos "$ALGOS" --onepass-memory \
    --riversort "$RS" --results "$WORK/p$p" 2>&1 | grep -E '^(==> (gen|sort)|    generated|[a-z]+ +[0-9.]+ )' | sed 's/^/  /' || true
  [ -s "$WORK/p$p/summary.tsv" ] || { echo "bench/scale.sh: the cluster of $p hosts gave no results" >&2; exit 1; }
  for algo in $ALGOS; do
    "$RS" plan --algo "$algo" --records "$RECORDS" --ranks "$p" --memory "$MEMORY" --json > "$WORK/p$p/plan-$algo.json" ||
      echo '{}' > "$WORK/p$p/plan-$algo.json"
  done
done

python3 - "$WORK" "$OUT" "$COMMAND" "$RECORDS" "$MEMORY" "$HOSTS_LIST" "$ALGOS" <<'PY'
import json, os, socket, subprocess, sys, time
work, out, command, records, memory, hosts, algos = sys.argv[1:8]
hosts = [int(h) for h in hosts.split()]
algos = algos.split()
rows = []
for p in hosts:
    d = os.path.join(work, f"p{p}")
    summary = {}
    for line in open(os.path.join(d, "summary.tsv")):
        algo, wall, l2d, bridge, rss, verdict = line.rstrip("\n").split("\t")
        summary[algo] = dict(wall_s=float(wall), launch_to_durable_s=float(l2d) if l2d != "-" else None,
                             bridge_bytes=int(bridge), verdict=verdict)
    for algo in algos:
        if algo not in summary:
            continue
        row = dict(hosts=p, algo=algo, **summary[algo])
        res = os.path.join(d, f"sort-{algo}.json")
        if os.path.exists(res):
            r = json.load(open(res))
            row["records"] = r["records"]
            row["data_bytes"] = r["records"] * 100
            row["peak_rss_max"] = r["peak_rss_max"]
            ranks = r["per_rank"]
            row["peak_rss_median"] = sorted(x["peak_rss"] for x in ranks)[len(ranks) // 2]
            row["bytes_sent_max"] = max(x["bytes_sent"] for x in ranks)
            phases = {}
            for x in ranks:
                for ph in x["phases"]:
                    phases[ph["name"]] = max(phases.get(ph["name"], 0.0), ph["wall_s"])
            row["phase_max_s"] = phases
            row["total_s"] = r["total_s"]
        plan = json.load(open(os.path.join(d, f"plan-{algo}.json")))
        row["plan"] = {k: plan.get(k) for k in ("peak_memory_bytes", "min_memory_bytes", "net_bytes_per_rank",
                                                 "messages_per_rank", "sample_bytes_per_rank", "net_buffer_bytes",
                                                 "transfer_size_bytes", "runs_per_rank")}
        rows.append(row)

commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
meta = dict(command=command, date=time.strftime("%Y-%m-%dT%H:%M:%S%z"), host=socket.gethostname(), commit=commit,
            records=records, memory=memory, cores=os.cpu_count())
json.dump(dict(meta=meta, rows=rows), open(out.rsplit(".", 1)[0] + ".json", "w"), indent=1)

mib = lambda b: f"{b / 2**20:.0f}" if b is not None else "-"
L = [f"# {command}   ({meta['date']}, {meta['host']}, {meta['cores']} cores, commit {commit})",
     f"# {records} records, --memory {memory} for every algorithm; one rank per namespace host, all on this machine's cores;",
     "# bridge = bytes the hosts sent into the bridge (the data itself is records x 100 bytes); peak RSS = largest rank;",
     "# plan = `riversort plan --json` for the same job; every output validated by the sort and by `riversort validate`",
     f"{'P':>4} {'algo':<10} {'wall s':>7} {'durable s':>9} {'bridge MB':>9} {'x data':>6} {'RSS MiB':>7} "
     f"{'plan peak':>9} {'plan sent MB':>12} {'sample B/rank':>13} {'verdict':>7}"]
for r in rows:
    data = r.get("data_bytes") or 0
    pl = r["plan"]
    L.append(f"{r['hosts']:>4} {r['algo']:<10} {r['wall_s']:>7.2f} {r['launch_to_durable_s'] or 0:>9.2f} "
             f"{r['bridge_bytes'] / 1e6:>9.1f} {r['bridge_bytes'] / data if data else 0:>6.2f} {mib(r.get('peak_rss_max')):>7} "
             f"{mib(pl.get('peak_memory_bytes')):>9} {(pl.get('net_bytes_per_rank') or 0) * r['hosts'] / 1e6:>12.1f} "
             f"{pl.get('sample_bytes_per_rank') or 0:>13} {r['verdict']:>7}")
L.append("")
L.append("# where the time goes: the slowest rank's seconds per phase ('overhead' is launch and MPI init)")
for r in rows:
    if r["hosts"] >= 32 and "phase_max_s" in r:
        ph = ", ".join(f"{k} {v:.2f}" for k, v in r["phase_max_s"].items())
        L.append(f"{r['hosts']:>4} {r['algo']:<10} wall {r['wall_s']:.2f}: {ph}; after durable output "
                 f"{r['wall_s'] - (r['launch_to_durable_s'] or r['wall_s']):.2f}")
L.append("")
by = {(r["hosts"], r["algo"]): r for r in rows}
ok = all(r["verdict"] == "ok" for r in rows)
verdict = f"all_{len(rows)}_outputs_valid" if ok else "FAILED_runs"
if (32, "onepass") in by and by[(32, "onepass")].get("data_bytes"):
    r = by[(32, "onepass")]
    x = r["bridge_bytes"] / r["data_bytes"]
    L.append(f"RESULT bench=scale_bridge hosts=32 algo=onepass bridge_bytes={r['bridge_bytes']} "
             f"data_bytes={r['data_bytes']} ratio={x:.3f} target_ratio=1.5 verdict={verdict} "
             f"{'met' if x <= 1.5 and ok else 'MISSED'}")
for algo in algos:
    if (4, algo) in by and (64, algo) in by and by[(4, algo)].get("peak_rss_max") and by[(64, algo)].get("peak_rss_max"):
        a, b = by[(4, algo)]["peak_rss_max"], by[(64, algo)]["peak_rss_max"]
        L.append(f"RESULT bench=scale_rss algo={algo} rss4_MiB={a / 2**20:.0f} rss64_MiB={b / 2**20:.0f} "
                 f"ratio={b / a:.3f} target_ratio=1.5 verdict={verdict} {'met' if b <= 1.5 * a and ok else 'MISSED'}")
open(out, "w").write("\n".join(L) + "\n")
print("\n".join(L))
PY
rs_say "wrote $OUT and ${OUT%.*}.json"
