#!/usr/bin/env bash
# scripts/slow_rank.sh — makes one MPI rank slow, for the --balance tests and benchmarks
# (docs/fault-tolerance.md#slow-ranks). Use it as mpirun's program, in front of riversort:
#   mpirun -np 2 scripts/slow_rank.sh --rank 1 --disk-mbps 300 -- build/app/riversort sort ...
# The rank named (OMPI_COMM_WORLD_RANK) runs its command in a cgroup of its own: with --disk-mbps,
# cgroup v1 blkio.throttle.{read,write}_bps_device (or v2 io.max, whichever is mounted) on the
# device of --dir (default: the current directory's), which throttles O_DIRECT reads and writes;
# with --cpu-percent, cpu.cfs_quota_us (v2: cpu.max) of one core. The other ranks run their
# command unchanged. The cgroup is removed when the command ends; the command's exit status is
# the script's. Needs root (it says so otherwise).
# Usage: slow_rank.sh --rank R [--disk-mbps MB] [--cpu-percent P] [--dir D] -- COMMAND [ARGS...]
set -u
rank="" mbps="" cpu="" dir=.
while [ $# -gt 0 ]; do
  case $1 in
    --rank) rank=$2; shift 2 ;;
    --disk-mbps) mbps=$2; shift 2 ;;
    --cpu-percent) cpu=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "slow_rank.sh: unknown argument $1 (usage: --rank R [--disk-mbps MB] [--cpu-percent P] [--dir D] -- COMMAND)" >&2; exit 2 ;;
  esac
done
[ -n "$rank" ] && [ $# -gt 0 ] || { echo "slow_rank.sh: give --rank R and -- COMMAND" >&2; exit 2; }
me=${OMPI_COMM_WORLD_RANK:-0}
[ "$me" = "$rank" ] || exec "$@"
[ "$(id -u)" = 0 ] || { echo "slow_rank.sh: rank $me: cgroups need root" >&2; exit 2; }

# The block device under --dir: a partition's parent disk carries the throttle.
dev=$(stat -c %d "$dir") || exit 2
majmin="$((dev >> 8)):$((dev & 255))"
if [ -e "/sys/dev/block/$majmin/partition" ]; then
  majmin=$(cat "/sys/dev/block/$majmin/../dev")
fi
name=riversort-slow-$$
made=()
cleanup() { for d in "${made[@]}"; do rmdir "$d" 2>/dev/null; done; }
trap cleanup EXIT
join() {  # join DIR: this shell (and so the command) into the cgroup DIR
  echo $$ > "$1/cgroup.procs" || { echo "slow_rank.sh: cannot join $1" >&2; exit 2; }
}
if [ -n "$mbps" ]; then
  bps=$((mbps * 1000000))
  if [ -d /sys/fs/cgroup/blkio ]; then
    d=/sys/fs/cgroup/blkio/$name
    mkdir "$d" && made+=("$d")
    echo "$majmin $bps" > "$d/blkio.throttle.read_bps_device"
    echo "$majmin $bps" > "$d/blkio.throttle.write_bps_device"
    join "$d"
  else
    d=/sys/fs/cgroup/$name
    mkdir "$d" && made+=("$d")
    echo "$majmin rbps=$bps wbps=$bps" > "$d/io.max"
    join "$d"
  fi
  echo "slow_rank.sh: rank $me: disk $majmin throttled to $mbps MB/s read and write" >&2
fi
if [ -n "$cpu" ]; then
  if [ -d /sys/fs/cgroup/cpu ]; then
    d=/sys/fs/cgroup/cpu/$name
    mkdir "$d" && made+=("$d")
    echo 100000 > "$d/cpu.cfs_period_us"
    echo $((cpu * 1000)) > "$d/cpu.cfs_quota_us"
    join "$d"
  else
    d=/sys/fs/cgroup/$name-cpu
    mkdir "$d" && made+=("$d")
    echo "$((cpu * 1000)) 100000" > "$d/cpu.max"
    join "$d"
  fi
  echo "slow_rank.sh: rank $me: CPU capped at $cpu% of one core" >&2
fi
# Not exec: the cgroups are removed once the command is gone (a cgroup with a process cannot be).
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
wait "$child"; rc=$?
# wait returns early on a trapped signal: wait for the child itself.
while kill -0 "$child" 2>/dev/null; do wait "$child"; rc=$?; done
# Leave the cgroups so that they can be removed.
for d in "${made[@]}"; do
  root=$(dirname "$d")
  echo $$ > "$root/cgroup.procs" 2>/dev/null
done
exit "$rc"
