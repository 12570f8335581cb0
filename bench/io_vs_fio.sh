#!/usr/bin/env bash
# bench/io_vs_fio.sh — River's disk streams against fio, side by side in one run (issue 3):
# every measurement alternates with its fio twin (who goes first alternates too), RUNS times,
# and the medians are compared as ratios, because this machine's absolute numbers drift 30-50 %.
#
#   Part 1, a 4 GiB file, O_DIRECT, io_uring, at 2 MiB / QD16 and at 512 KiB / QD32:
#     DiskSink writes and DiskSource reads (riversort iobench, one point)  vs  fio --rw=write/read
#     throughput  >= 0.90 x fio's        CPU seconds per GB  <= 1.2 x fio's
#     (fio with registered buffers and files, and with huge-page buffers where hugetlb pages are
#     configured, run too as references: what fio does with the memory riversort has)
#   Part 2, best against best: the iobench grid (1 GiB; 128K, 512K, 2M x QD 1, 4, 16, 32; uring)
#     and fio over the same grid; riversort's best MB/s per direction within 10 % of fio's best.
#
# Usage: bench/io_vs_fio.sh [--runs N] [--dir DATA_DIR] [--out results/FILE.txt]
# RS_BUILD_DIR picks another build directory (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/deps.sh
source scripts/lib/bench.sh
ARGS="$*"
rs_bench_args io_vs_fio 5 "$@"
BUILD=${RS_BUILD_DIR:-build}
rs_ensure_packages "${RS_BUILD_PACKAGES[@]}" "${RS_BENCH_PACKAGES[@]}"
rs_build "$BUILD"
RS=$PWD/$BUILD/app/riversort
# The issue's sizes; the environment may shrink them to check the script itself quickly.
SIZE=${IO_VS_FIO_SIZE:-4G}
BEST_SIZE=${IO_VS_FIO_BEST_SIZE:-1G}
CASES=("2M 16" "512K 32")
GRID_T=(128K 512K 2M)
GRID_Q=(1 4 16 32)
mkdir -p "$DATA" results
WORK=$(mktemp -d "$DATA/io_vs_fio.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
SAMPLES=$WORK/samples.tsv   # part run tool rw bs depth MBps cpu_s_per_GB ok
: > "$SAMPLES"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# rs PART RUN RW BS DEPTH SIZE: one riversort iobench point (uring, 1 stripe); appends its sample.
# For --rw read iobench first writes the file (not timed) and then reads it back (timed).
rs() {
  local part=$1 run=$2 rw=$3 bs=$4 depth=$5 size=$6 dir
  dir=$(mktemp -d "$WORK/rs.XXXXXX")
  "$RS" iobench --dir "$DATA" --size "$size" --transfer-size "$bs" --queue-depth "$depth" --stripes 1 \
    --io-engine uring --rw "$rw" --out-dir "$dir" >/dev/null 2>"$dir/err" || { cat "$dir/err" >&2; exit 1; }
  # CSV: rw,engine,stripes,stripe_unit,transfer_size,queue_depth,bytes,seconds,MBps,cpu_s_per_GB
  awk -F, -v p="$part" -v r="$run" -v bs="$bs" 'NR > 1 {print p, r, "riversort", $1, bs, $6, $9, $10, "bytes_ok"}' \
    "$dir"/iobench-*.csv >> "$SAMPLES"
  rm -rf "$dir"
}

# fio_job RW BS DEPTH SIZE JSON [FIO_OPTION...]: fio on $WORK/fio.dat, io_uring, O_DIRECT.
fio_job() {
  local rw=$1 bs=$2 depth=$3 size=$4 json=$5 extra=("${@:6}")
  [ "$rw" = write ] && extra+=(--end_fsync=1)
  fio --name="$rw" --filename="$WORK/fio.dat" --rw="$rw" --bs="$bs" --iodepth="$depth" --size="$size" \
    --direct=1 --ioengine=io_uring "${extra[@]}" --output-format=json --output="$json" >/dev/null
}

# fio_point PART RUN RW BS DEPTH SIZE [TOOL FIO_OPTION...]: like rs (TOOL names the sample, default
# "fio"); a read first writes a fresh file (not timed), as iobench does, so both read a file that
# was just written with O_DIRECT.
fio_point() {
  local part=$1 run=$2 rw=$3 bs=$4 depth=$5 size=$6 tool=${7:-fio} opts=("${@:8}")
  rm -f "$WORK/fio.dat"
  [ "$rw" = read ] && fio_job write "$bs" "$depth" "$size" "$WORK/prep.json" "${opts[@]}"
  fio_job "$rw" "$bs" "$depth" "$size" "$WORK/fio.json" "${opts[@]}"
  # Parsed at the end, all at once (a python start per run costs more than the run at small sizes).
  mv "$WORK/fio.json" "$WORK/fio-$part-$run-$tool-$rw-$bs-$depth-$size.json"
  rm -f "$WORK/fio.dat"
}

# References beside the targets (the targets are against fio's defaults): fio_fixed registers
# its buffers and files as riversort's ring does; fio_huge also takes its buffers from huge pages
# as riversort's MemPool does (MADV_HUGEPAGE), which needs hugetlb pages (fio --iomem=shmhuge):
# run only where /proc/sys/vm/nr_hugepages provides enough, e.g. `echo 64 > /proc/sys/vm/nr_hugepages`.
fio_fixed() { fio_point "$@" fio_fixed --fixedbufs --registerfiles; }
fio_huge() { fio_point "$@" fio_huge --iomem=shmhuge --fixedbufs --registerfiles; }
HUGE_FREE_KB=$(awk '/^HugePages_Free/ {f = $2} /^Hugepagesize/ {s = $2} END {print f * s}' /proc/meminfo)
TOOLS=(rs fio_point fio_fixed)
# 2 MiB x QD32 of fio buffers is the most the grid needs at once; leave room for rounding.
if [ "$HUGE_FREE_KB" -ge $((96 * 1024)) ]; then TOOLS+=(fio_huge); HUGE=1; else HUGE=0; fi

# each_tool PART RUN RW BS DEPTH SIZE: every tool once; the order reverses every run.
each_tool() {
  local order=("${TOOLS[@]}") i
  if (($2 % 2 == 0)); then for ((i = ${#TOOLS[@]} - 1; i >= 0; i--)); do order[${#TOOLS[@]} - 1 - i]=${TOOLS[i]}; done; fi
  for t in "${order[@]}"; do "$t" "$@"; done
}

# grid_rs RUN: riversort sweeps the part-2 grid in one process (write then read per point).
grid_rs() {
  local run=$1 dir
  dir=$(mktemp -d "$WORK/grid.XXXXXX")
  "$RS" iobench --dir "$DATA" --size "$BEST_SIZE" --transfer-size "$(IFS=,; echo "${GRID_T[*]}")" \
    --queue-depth "$(IFS=,; echo "${GRID_Q[*]}")" --stripes 1 --io-engine uring --rw read,write \
    --out-dir "$dir" >/dev/null 2>"$dir/err" || { cat "$dir/err" >&2; exit 1; }
  awk -F, -v r="$run" 'NR > 1 {t = $5 / 1024; u = t >= 1024 ? t / 1024 "M" : t "K";
                               print 2, r, "riversort", $1, u, $6, $9, $10, "bytes_ok"}' \
    "$dir"/iobench-*.csv >> "$SAMPLES"
  rm -rf "$dir"
}

# grid_fio RUN: fio over the same grid, point by point (and fio_huge where hugetlb pages exist).
grid_fio() {
  local run=$1 bs q
  for bs in "${GRID_T[@]}"; do
    for q in "${GRID_Q[@]}"; do
      fio_point 2 "$run" write "$bs" "$q" "$BEST_SIZE"
      fio_point 2 "$run" read "$bs" "$q" "$BEST_SIZE"
      if [ "$HUGE" = 1 ]; then
        fio_huge 2 "$run" write "$bs" "$q" "$BEST_SIZE"
        fio_huge 2 "$run" read "$bs" "$q" "$BEST_SIZE"
      fi
    done
  done
}

for ((run = 1; run <= RUNS; run++)); do
  rs_say "run $run/$RUNS, part 1: ${SIZE} file at ${CASES[*]/ /\/QD} (load $(cut -d' ' -f1 /proc/loadavg))"
  for c in "${CASES[@]}"; do
    read -r bs depth <<< "$c"
    for rw in read write; do each_tool 1 "$run" "$rw" "$bs" "$depth" "$SIZE"; done
  done
  rs_say "run $run/$RUNS, part 2: ${BEST_SIZE} grid ${GRID_T[*]} x QD ${GRID_Q[*]}"
  if ((run % 2)); then grid_rs "$run"; grid_fio "$run"; else grid_fio "$run"; grid_rs "$run"; fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "# bench/io_vs_fio.sh $ARGS   ($(date -Iseconds), $(hostname), $(nproc) cores, commit $(rs_source_commit), load average before $LOAD_BEFORE, after $LOAD_AFTER)"
  cat <<EOF
# What each number includes (both sides measure the transfer phase only):
#   riversort write: riversort iobench --rw write, 1 stripe, uring: steady clock from the first
#     DiskSink::Put to the end of Close() (all writes complete, ftruncate + fsync, rename, directory
#     fsync); creating and fallocating the file happen before the clock, as fio lays out its file
#     before its clock. Buffers: a MemPool of depth + 2 buffers filled once, registered with the ring.
#   riversort read: iobench writes the file (not timed) and reads it back: clock from
#     DiskSource::Open (open, ring setup, buffer registration, I/O thread start) to the last buffer.
#   fio write: fio --ioengine=io_uring --direct=1 --bs --iodepth --size --end_fsync=1 on a fresh file;
#     MB/s = io_bytes / job_runtime (job_runtime includes the end fsync). fio's other defaults:
#     no registered buffers (fixedbufs=0), no SQPOLL.
#   fio read: a fresh file written first by the same fio write (not timed), then --rw=read.
#   fio_fixed: the same fio runs with --fixedbufs --registerfiles (registered buffers and files, as
#     riversort's ring uses them); fio_huge: also --iomem=shmhuge (buffers in 2 MiB huge pages, as
#     riversort's MemPool has them). References printed beside the targets, not targets themselves.
#   hugetlb pages free at the start: $HUGE_FREE_KB kB (fio_huge $( [ "$HUGE" = 1 ] && echo ran || echo "skipped: too few"))
#   CPU s/GB: user + system CPU seconds per 10^9 bytes. riversort: getrusage(RUSAGE_SELF) delta over
#     its timed phase (every thread of the process). fio: (usr_cpu + sys_cpu) % x job_runtime, fio's
#     own accounting of the job process. Kernel work done outside both processes is in neither.
#   MB/s = 10^6 bytes/s. Each run measures every tool once, the order reversing every run (riversort
#     first on odd runs, last on even runs); medians of $RUNS.
EOF
  python3 - "$SAMPLES" "$RUNS" "$SIZE" "$BEST_SIZE" "$WORK" <<'EOF'
import glob, json, os, statistics, sys
from collections import defaultdict
path, runs, size, best_size, work = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
lines = open(path).read().splitlines()
# fio's samples: MB/s = io_bytes / job_runtime (which includes end_fsync for writes);
# CPU = (usr_cpu + sys_cpu) % x job_runtime.
for name in glob.glob(os.path.join(work, "fio-*.json")):
    part, run, tool, rw, bs, depth, sz = os.path.basename(name)[4:-5].split("-")
    job = json.load(open(name))["jobs"][0]
    want = int(sz[:-1]) << {"K": 10, "M": 20, "G": 30}[sz[-1]]
    io = job[rw]["io_bytes"]
    runtime = job["job_runtime"] / 1000.0
    cpu_s = (job["usr_cpu"] + job["sys_cpu"]) / 100.0 * runtime
    lines.append(f"{part} {run} {tool} {rw} {bs} {depth} {io / 1e6 / runtime:.1f} {cpu_s / (io / 1e9):.4f} "
                 + ("bytes_ok" if io == want else f"bytes_{io}_of_{want}"))
mbps, cpu, oks = defaultdict(list), defaultdict(list), defaultdict(set)
for line in sorted(lines, key=lambda l: int(l.split()[1])):  # run order
    part, run, tool, rw, bs, depth, m, c, ok = line.split()
    key = (int(part), tool, rw, bs, int(depth))
    mbps[key].append(float(m)); cpu[key].append(float(c)); oks[key].add(ok)
med = lambda xs: statistics.median(xs)
def verdict(ok): return "met" if ok else "MISSED"
def bytes_verdict(*keys): return "bytes_ok" if all(oks[k] == {"bytes_ok"} for k in keys) else "BYTES_WRONG"

print("# part 1: per-run values in run order")
for rw in ("read", "write"):
    for bs, depth in (("2M", 16), ("512K", 32)):
        for tool in ("riversort", "fio", "fio_fixed", "fio_huge"):
            k = (1, tool, rw, bs, depth)
            if k not in mbps:
                continue
            print(f"{rw:5} {bs:>4} QD{depth:<2} {tool:9} MB/s     " + " ".join(f"{v:.0f}" for v in mbps[k]))
            print(f"{rw:5} {bs:>4} QD{depth:<2} {tool:9} CPU s/GB " + " ".join(f"{v:.4f}" for v in cpu[k]))
for rw in ("read", "write"):
    for bs, depth in (("2M", 16), ("512K", 32)):
        r, f = (1, "riversort", rw, bs, depth), (1, "fio", rw, bs, depth)
        ratio = med(mbps[r]) / med(mbps[f])
        cr = med(cpu[r]) / med(cpu[f])
        common = f"rw={rw} bs={bs} depth={depth} size={size} runs={runs}"
        print(f"RESULT bench=io_vs_fio_throughput {common} riversort_MBps={med(mbps[r]):.0f} fio_MBps={med(mbps[f]):.0f} "
              f"ratio={ratio:.3f} target_ratio>=0.90 verdict={bytes_verdict(r, f)} {verdict(ratio >= 0.90)}")
        print(f"RESULT bench=io_vs_fio_cpu {common} riversort_cpu_s_per_GB={med(cpu[r]):.4f} fio_cpu_s_per_GB={med(cpu[f]):.4f} "
              f"ratio={cr:.3f} target_ratio<=1.2 verdict={bytes_verdict(r, f)} {verdict(cr <= 1.2)}")
        for ref, what in (("fio_fixed", "--fixedbufs --registerfiles"), ("fio_huge", "--iomem=shmhuge --fixedbufs --registerfiles")):
            x = (1, ref, rw, bs, depth)
            if x in mbps:
                print(f"# reference, not a target: fio {what} {rw} {bs} QD{depth}: {med(mbps[x]):.0f} MB/s "
                      f"(riversort/that {med(mbps[r]) / med(mbps[x]):.3f}), {med(cpu[x]):.4f} CPU s/GB "
                      f"(riversort/that {med(cpu[r]) / med(cpu[x]):.3f}); {bytes_verdict(x)}")

huge2 = any(k[0] == 2 and k[1] == "fio_huge" for k in mbps)
print(f"# part 2: {best_size} grid, medians of MB/s per point (riversort iobench uring | fio io_uring"
      + (" | fio_huge)" if huge2 else ")"))
grid = sorted({(k[3], k[4]) for k in mbps if k[0] == 2}, key=lambda x: (int(x[0][:-1]) << (20 if x[0][-1] == "M" else 10), x[1]))
for rw in ("read", "write"):
    tools = ("riversort", "fio", "fio_huge") if huge2 else ("riversort", "fio")
    print(f"# {rw}: " + "  ".join(f"{bs}/QD{q} " + "|".join(f"{med(mbps[(2, t, rw, bs, q)]):.0f}" for t in tools)
                             for bs, q in grid))
for rw in ("read", "write"):
    best = {}
    for tool in ("riversort", "fio"):
        best[tool] = max(grid, key=lambda p: med(mbps[(2, tool, rw, p[0], p[1])]))
    rb, fb = best["riversort"], best["fio"]
    rv, fv = med(mbps[(2, "riversort", rw, *rb)]), med(mbps[(2, "fio", rw, *fb)])
    keys = [(2, t, rw, bs, q) for t in ("riversort", "fio") for bs, q in grid]
    print(f"RESULT bench=iobench_best_vs_fio_best rw={rw} size={best_size} runs={runs} riversort_best={rb[0]}xQD{rb[1]} "
          f"riversort_MBps={rv:.0f} fio_best={fb[0]}xQD{fb[1]} fio_MBps={fv:.0f} "
          f"riversort_at_fio_best_MBps={med(mbps[(2, 'riversort', rw, *fb)]):.0f} ratio={rv / fv:.3f} "
          f"target_ratio>=0.90 verdict={bytes_verdict(*keys)} {verdict(rv / fv >= 0.90)}")
    if huge2:
        hb = max(grid, key=lambda p: med(mbps[(2, "fio_huge", rw, p[0], p[1])]))
        hv = med(mbps[(2, "fio_huge", rw, *hb)])
        print(f"# reference, not a target: fio_huge best {rw}: {hb[0]}xQD{hb[1]} {hv:.0f} MB/s; riversort best / that = "
              f"{rv / hv:.3f}; riversort at that setting {med(mbps[(2, 'riversort', rw, *hb)]):.0f} MB/s")
EOF
} | tee "$OUT"
echo "recorded in $OUT"
