#!/usr/bin/env bash
# scripts/cluster.sh — a test cluster of H hosts on this one machine, and the sort across it.
# Host hN is a network namespace (rs-PID-hN: its own address 10.X.0.N+1/24 and its own name) on a
# veth pair to a bridge that lives in a namespace of its own (rs-PID-sw), with its own data
# directory that only it sees at the cluster's data path. mpirun runs on h0 and starts the other
# hosts' daemons through scripts/lib/netns_agent.sh (its "ssh"); the ranks talk TCP over the
# namespace addresses. The script generates the input (one partition per host), sorts it with
# every algorithm (--validate; a --memory below what onepass would need, so auto goes out of core
# too), checks each output with `riversort validate --manifest`, and prints one line per
# algorithm. Processes, namespaces, links and data are torn down on exit, also after a failure or
# an interrupt. Needs root. docs/cluster.md has the picture and the mpirun flags.
#
# Options: --hosts H (4)   --records N (2M)   --algos "onepass twopass threepass auto" (all four)
#          --memory B      budget per rank for twopass, threepass and auto (192M; onepass takes
#                          what the data needs)
#          --onepass-memory  give onepass the --memory too (bench/scale.sh: one budget for all)
#          --results DIR   copy each sort's JSON result there, with summary.tsv (one row per algorithm:
#                          algo, wall s, launch to durable s, bytes across the bridge, peak RSS, verdict)
#          --data-dir DIR  the hosts' disks go in DIR/riversort-cluster-PID (DIR: $TMPDIR or /tmp)
#          --riversort EXE use this binary (default: build Release in build/, or in RS_BUILD_DIR)
#          --timeout S     limit for each mpirun step (300)   --keep  keep the data
#          --sort-flags F  more flags for every sort, one word each (e.g. "--transport rma")
#          --cut-link      then sort once more (twopass, --net-timeout 5) and take the last host's
#                          link down once the exchange is under way: the job must end, non-zero,
#                          with a line naming a rank (docs/reliability.md)
set -euo pipefail
cd "$(dirname "$0")/.."
HOSTS=4 RECORDS=2M ALGOS="onepass twopass threepass auto" MEMORY=192M DATA_DIR=${TMPDIR:-/tmp}
RS="" TIMEOUT=300 KEEP=0 CUT_LINK=0 ONEPASS_MEMORY=0 RESULTS="" SORT_FLAGS=""
usage() { sed -n '2,25p' "$0" >&2; exit 2; }
die() { echo "cluster.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case $1 in
    --hosts) HOSTS=$2; shift 2 ;;
    --records) RECORDS=$2; shift 2 ;;
    --algos) ALGOS=$2; shift 2 ;;
    --memory) MEMORY=$2; shift 2 ;;
    --data-dir) DATA_DIR=$2; shift 2 ;;
    --onepass-memory) ONEPASS_MEMORY=1; shift ;;
    --results) RESULTS=$2; shift 2 ;;
    --riversort) RS=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --sort-flags) SORT_FLAGS=$2; shift 2 ;;
    --cut-link) CUT_LINK=1; shift ;;
    -h|--help) usage ;;
    *) echo "cluster.sh: unknown option $1" >&2; usage ;;
  esac
done
[[ $HOSTS =~ ^[1-9][0-9]*$ ]] && [ "$HOSTS" -le 200 ] || die "--hosts '$HOSTS' must be 1 to 200"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout '$TIMEOUT' must be a number of seconds"
read -r -a ALGO_LIST <<< "$ALGOS"
read -r -a EXTRA <<< "$SORT_FLAGS"
[ ${#ALGO_LIST[@]} -gt 0 ] || die "--algos: name at least one of onepass twopass threepass auto"
for a in "${ALGO_LIST[@]}"; do
  case $a in onepass|twopass|threepass|auto) ;; *) die "--algos: '$a' is not onepass, twopass, threepass or auto" ;; esac
done
[ -d "$DATA_DIR" ] || die "--data-dir $DATA_DIR: no such directory"
if [ -n "$RESULTS" ]; then
  mkdir -p "$RESULTS" && RESULTS=$(realpath "$RESULTS") || die "--results $RESULTS: cannot create it"
  : > "$RESULTS/summary.tsv"
fi
[ "$(id -u)" = 0 ] || die "needs root: it creates network namespaces, veth pairs, a bridge and bind mounts"
source scripts/lib/deps.sh

rs_ensure_packages iproute2 util-linux openmpi-bin python3
if [ -z "$RS" ]; then
  rs_ensure_packages "${RS_BUILD_PACKAGES[@]}"
  BUILD=${RS_BUILD_DIR:-build}
  rs_build "$BUILD"
  RS=$BUILD/app/riversort
fi
[ -x "$RS" ] || die "--riversort $RS: not an executable"
RS=$(realpath "$RS")
AGENT=$PWD/scripts/lib/netns_agent.sh

# --- names and places. Everything is named after this process, so runs side by side never meet.
P=$$
SW=rs-$P-sw                       # the switch: a namespace holding the bridge br0
NSES=()                           # namespaces created so far (the teardown removes them)
ETC_DIRS=()                       # /etc/netns/NS directories created so far
ETC_NETNS_MADE=0
CHILD=""                          # the running step (the teardown stops it first)
# A /24 the machine does not route itself (the hosts could not see it anyway; this keeps the
# addresses unambiguous for a reader of `ip route`).
in_use() { { ip -4 route show to match "$1"; ip -4 route show root "$1"; } 2>/dev/null | grep -v '^default' | grep -q .; }
NET=""
for x in $(seq 213 254) $(seq 16 212); do
  in_use "10.$x.0.0/24" || { NET=10.$x.0; break; }
done
[ -n "$NET" ] || die "no free 10.X.0.0/24 subnet on this machine"
SUBNET=$NET.0/24
W=$(realpath -m -- "$DATA_DIR")/riversort-cluster-$P
DISK=$W/local                     # the data path: on every host, that host's own data directory
SHARED=$W/shared                  # hostfile, host map, results, logs (the same on every host)
HOSTFILE=$SHARED/hostfile
export RS_CLUSTER_MAP=$SHARED/hosts.map

teardown() {
  local rc=$? pids ns try
  trap - EXIT
  trap '' INT TERM HUP PIPE   # finish the teardown (a closed output just loses its messages)
  set +e
  [ -z "$CHILD" ] || kill -TERM "$CHILD" 2>/dev/null
  # What still runs on a host (mpirun, orted, ranks) was started by this script: stop it by id.
  for try in $(seq 1 50); do
    pids=$(for ns in "${NSES[@]}"; do ip netns pids "$ns" 2>/dev/null; done)
    [ -n "$pids" ] || break
    if [ "$try" -lt 30 ]; then kill -TERM $pids 2>/dev/null; else kill -KILL $pids 2>/dev/null; fi
    sleep 0.1
  done
  [ -z "$CHILD" ] || wait "$CHILD" 2>/dev/null
  # Deleting a host's namespace deletes its veth pair; deleting the switch deletes the bridge.
  for ns in "${NSES[@]}"; do ip netns del "$ns" 2>/dev/null; done
  for ns in "${ETC_DIRS[@]}"; do rm -rf "/etc/netns/$ns"; done
  [ "$ETC_NETNS_MADE" = 0 ] || rmdir /etc/netns 2>/dev/null
  local left
  left=$(ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^rs-$P-" | tr '\n' ' ')
  if [ -n "$left" ]; then
    echo "cluster.sh: teardown: namespaces left behind: $left" >&2
    rc=1
  elif [ ${#NSES[@]} -gt 0 ]; then
    rs_say "teardown: ${#NSES[@]} namespaces with their links and the bridge removed"
  fi
  if [ "$KEEP" = 1 ]; then
    [ ! -d "$W" ] || rs_say "kept the data: $W/hosts/h*/ (each host's disk), $SHARED (results, logs)"
  else
    rm -rf "$W"
  fi
  exit "$rc"
}
trap teardown EXIT
trap 'echo "cluster.sh: line $LINENO failed: $BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# step LOG COMMAND...: runs one step in the background (a signal then reaches the teardown at once,
# not when the step ends), its output to LOG, within --timeout; shows the output indented.
step() {
  local log=$1 rc=0
  shift
  timeout -k 10 "$TIMEOUT" "$@" > "$log" 2>&1 &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=""
  # (Open MPI's launcher warns when the agent has exec'ed before it set its process group: a
  # harmless race, left in the log.)
  grep -v 'plm:rsh: Warning: setpgid' "$log" | sed 's/^/    /' || true
  [ "$rc" != 124 ] || echo "cluster.sh: the step ran longer than --timeout $TIMEOUT s and was stopped" >&2
  return "$rc"
}

# --- the hosts. First what a killed run (SIGKILL) left: namespaces named after a process that is
# gone, with nothing running in them. (Data stays: it may be a --keep.)
for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E '^rs-[0-9]+-(sw|h[0-9]+)$' || true); do
  pid=${ns#rs-}
  pid=${pid%%-*}
  if ! kill -0 "$pid" 2>/dev/null && [ -z "$(ip netns pids "$ns" 2>/dev/null)" ]; then
    rs_say "removing namespace $ns, left by a run that was killed"
    ip netns del "$ns" && rm -rf "/etc/netns/$ns"
  fi
done
mkdir -p "$W/hosts" "$DISK" "$SHARED/log"
: > "$RS_CLUSTER_MAP"
: > "$HOSTFILE"
rs_say "cluster: $HOSTS hosts h0..h$((HOSTS - 1)) = network namespaces rs-$P-h*, $SUBNET on bridge br0 (namespace $SW)"
err=$(ip netns add "$SW" 2>&1) || die "cannot create a network namespace: $err"
NSES+=("$SW")
ip -n "$SW" link set lo up
ip -n "$SW" link add br0 type bridge
ip -n "$SW" link set br0 up
[ -d /etc/netns ] || { mkdir -p /etc/netns; ETC_NETNS_MADE=1; }
HOSTS_FILE=$(printf '127.0.0.1 localhost\n::1 localhost\n'; for i in $(seq 0 $((HOSTS - 1))); do echo "$NET.$((i + 1)) h$i"; done)
for i in $(seq 0 $((HOSTS - 1))); do
  ns=rs-$P-h$i
  ip netns add "$ns"
  NSES+=("$ns")
  # `ip netns exec` mounts /etc/netns/NS/hosts over /etc/hosts: the host names resolve to the
  # namespace addresses on every host, as a cluster's DNS would have them.
  mkdir -p "/etc/netns/$ns"
  ETC_DIRS+=("$ns")
  echo "$HOSTS_FILE" > "/etc/netns/$ns/hosts"
  ip -n "$ns" link set lo up
  ip -n "$SW" link add "h$i" type veth peer name eth0 netns "$ns"
  ip -n "$SW" link set "h$i" master br0 up
  ip -n "$ns" addr add "$NET.$((i + 1))/24" dev eth0
  ip -n "$ns" link set eth0 up
  mkdir -p "$W/hosts/h$i/tmp"
  echo "h$i" > "$W/hosts/h$i/.host"
  echo "h$i $ns $W/hosts/h$i $DISK" >> "$RS_CLUSTER_MAP"
  echo "h$i slots=1" >> "$HOSTFILE"
  echo "    h$i  $NET.$((i + 1))  namespace $ns  disk $W/hosts/h$i -> $DISK"
done

# Every host knows every other's link address from the start, as a cluster's switches and ARP
# caches soon do: at 64 hosts the first exchange's ARP requests, each flooded by the bridge to
# every port, overflowed the kernel's per-CPU receive backlog (1,000 packets) on this 2-core
# machine, and the SYNs dropped with them left MPI's TCP connections failed
# (docs/scale.md#what-went-wrong-at-64-hosts-and-what-was-done).
NEIGH=$(for i in $(seq 0 $((HOSTS - 1))); do
  mac=$(ip -n "rs-$P-h$i" -o link show eth0 | awk '{ for (k = 1; k < NF; k++) if ($k == "link/ether") print $(k + 1) }')
  echo "neigh replace $NET.$((i + 1)) lladdr $mac dev eth0 nud permanent"
done)
for i in $(seq 0 $((HOSTS - 1))); do
  echo "$NEIGH" | grep -v " $NET.$((i + 1)) " | ip -n "rs-$P-h$i" -batch - || die "cannot set h$i's neighbour table"
done
rs_say "neighbours: every host's address table holds the $HOSTS hosts' link addresses (no ARP floods)"

MPIRUN=(mpirun -q --allow-run-as-root --hostfile "$HOSTFILE" -np "$HOSTS" --map-by node
  --mca plm_rsh_agent "$AGENT" --mca plm_rsh_no_tree_spawn 1
  --mca pml ob1 "${RS_MPIRUN_BTL_TCP[@]}" --mca btl_tcp_if_include "$SUBNET" --mca oob_tcp_if_include "$SUBNET"
  # A host whose link is cut must be noticed by mpirun's daemons too, or ending the job waits on
  # it for TCP's minutes: keepalive probes after 2 s idle, 1 s apart, 3 missed = lost.
  --mca oob_tcp_keepalive_time 2 --mca oob_tcp_keepalive_intvl 1 --mca oob_tcp_keepalive_probes 3
  # Every "host" is a namespace on this machine's two cores: each daemon thinks its rank is alone
  # on the node and would bind it to the first core, so that every rank shared core 0. Unbound,
  # the kernel spreads them; and a rank waiting in MPI yields its core to those still working.
  --bind-to none --mca mpi_yield_when_idle 1)
# mpirun runs on h0 (as one logs in to a cluster's first node); the ranks on every host.
ON_CLUSTER=("$AGENT" --exec h0 "${MPIRUN[@]}")
# Bytes the hosts sent into the bridge (the switch side of each veth receives them).
bridge_bytes() { ip netns exec "$SW" sh -c 'cat /sys/class/net/h*/statistics/rx_bytes' | awk '{ s += $1 } END { print s + 0 }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
rs_say "mpirun (on h0): ${MPIRUN[*]}"

# --- every rank on its own host, with its own address and its own disk
rs_say "hosts: where each rank runs"
# shellcheck disable=SC2016  # expanded by the ranks' shell
WHERE='echo "rank $OMPI_COMM_WORLD_RANK: host $(cat /proc/sys/kernel/hostname),'\
' address $(ip -4 -o addr show dev eth0 | awk "{ print \$4 }"), disk of $(cat "$1/.host")"'
step "$SHARED/log/hosts" "${ON_CLUSTER[@]}" sh -c "$WHERE" rank "$DISK" || die "mpirun could not start a rank on every host"
for i in $(seq 0 $((HOSTS - 1))); do
  grep -qx "rank $i: host h$i, address $NET.$((i + 1))/24, disk of h$i" "$SHARED/log/hosts" ||
    die "rank $i did not run on h$i with its address and disk"
done

# --- the input: one partition per host, on that host's disk
rs_say "gen: $RECORDS records, partition r on host hr: riversort gen --records $RECORDS --dir $DISK --name 'in.{rank}'"
t0=$(date +%s.%N)
step "$SHARED/log/gen" "${ON_CLUSTER[@]}" "$RS" gen --records "$RECORDS" --dir "$DISK" --name 'in.{rank}' || die "gen failed"
t1=$(date +%s.%N)
for i in $(seq 0 $((HOSTS - 1))); do
  echo "    h$i: $(find "$W/hosts/h$i" -mindepth 1 -maxdepth 1 ! -name tmp -printf '%f\n' | sort | paste -sd ' ' || true)"
  [ -f "$W/hosts/h$i/in.$i" ] || die "gen: in.$i is not on h$i"
done
echo "    generated in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
MANIFEST=$DISK/in.manifest.json   # on h0, where rank 0 reads it

# --- every algorithm, validated twice: by the sort itself and by `riversort validate --manifest`
SUMMARY=()
ROW='%-15s %7s %10s %8s %9s %9s  %-11s %-11s %s'
failed=0
for algo in "${ALGO_LIST[@]}"; do
  MEM=()
  [ "$algo" = onepass ] && [ "$ONEPASS_MEMORY" = 0 ] || MEM=(--memory "$MEMORY")
  MEM+=("${EXTRA[@]}")
  rm -f "$W"/hosts/h*/out.*
  json=$SHARED/sort-$algo.json
  rs_say "sort: riversort sort --algo $algo ${MEM[*]:+${MEM[*]} }--in-dir $DISK --out-dir $DISK --tmp-dir $DISK/tmp --validate"
  n0=$(bridge_bytes)
  t0=$(date +%s.%N)
  src=0
  export RS_LAUNCH_TIME=$t0
  step "$SHARED/log/sort-$algo" "${ON_CLUSTER[@]}" -x RS_LAUNCH_TIME "$RS" sort --algo "$algo" "${MEM[@]}" \
    --in-dir "$DISK" --in-name 'in.{rank}' --out-dir "$DISK" --out-name 'out.{rank}' --tmp-dir "$DISK/tmp" \
    --validate --result "$json" || src=$?
  t1=$(date +%s.%N)
  n1=$(bridge_bytes)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  # Each host holds its own output partition, and no run or work file is left.
  where=ok
  for i in $(seq 0 $((HOSTS - 1))); do
    outs=$(cd "$W/hosts/h$i" && ls -d out.* 2>/dev/null | tr '\n' ' ' || true)
    [ "$outs" = "out.$i " ] || where="h$i holds '${outs% }', not out.$i"
    [ -z "$(ls -A "$W/hosts/h$i/tmp")" ] || where="h$i: files left in tmp/"
  done
  vrc=0 vverdict="not run" l2d=- rss=- runs=- sverdict="exit $src" name=$algo
  if [ "$src" = 0 ]; then
    rs_say "validate: riversort validate --dir $DISK --name 'out.{rank}' --manifest $MANIFEST"
    step "$SHARED/log/validate-$algo" "${ON_CLUSTER[@]}" "$RS" validate --dir "$DISK" --name 'out.{rank}' \
      --manifest "$MANIFEST" || vrc=$?
    vverdict=$(grep -E '^(SUCCESS|ERROR)' "$SHARED/log/validate-$algo" | tail -1 || true)
    vverdict=${vverdict%% - *}
    [ "$vrc" = 0 ] || vverdict="exit $vrc${vverdict:+ $vverdict}"
    [ -s "$json" ] || sverdict="no result"
  else
    where=-
  fi
  if [ "$src" = 0 ] && [ -s "$json" ]; then
    IFS=$'\t' read -r l2d rss runs sverdict < <(python3 - "$json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
runs = d.get("details", {}).get("max_runs_per_rank", "-")
print(f"{d['launch_to_durable_s']:.2f}\t{d['peak_rss_max'] / 2**20:.0f}\t{runs}\t{d['validation']['verdict']}")
PY
    )
    chose=$(sed -n 's/^auto: \([a-z]*\) .*/\1/p' "$SHARED/log/sort-$algo" | head -1)
    [ -z "$chose" ] || name="$algo>$chose"
  fi
  [ "$src" = 0 ] && [ "$vrc" = 0 ] && [ "$sverdict" = SUCCESS ] && [ "$where" = ok ] || failed=1
  if [ -n "$RESULTS" ]; then
    [ ! -s "$json" ] || cp "$json" "$RESULTS/sort-$algo.json"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$algo" "$wall" "$l2d" "$((n1 - n0))" "$rss" \
      "$([ "$src" = 0 ] && [ "$vrc" = 0 ] && [ "$sverdict" = SUCCESS ] && [ "$where" = ok ] && echo ok || echo failed)" \
      >> "$RESULTS/summary.tsv"
  fi
  SUMMARY+=("$(printf "$ROW" "$name" "$wall" "$l2d" "$(mb $((n1 - n0)))" "$rss" "$runs" "$sverdict" "$vverdict" "$where")")
done

echo
echo "$HOSTS hosts, $RECORDS records, --memory $MEMORY ($([ "$ONEPASS_MEMORY" = 1 ] && echo "every algorithm" || echo "twopass, threepass, auto")), TCP over $SUBNET:"
printf "$ROW\n" algo "wall s" "launch to" "bridge" "peak RSS" "runs per" "sort" "validate" "partitions"
printf "$ROW\n" "" "" "durable s" "MB" "MiB" "rank" "--validate" "--manifest" "on own host"
printf '%s\n' "${SUMMARY[@]}"
[ "$failed" = 0 ] || die "at least one algorithm failed (logs above)"

# --- a link cut during the exchange: a watchdog (the transports' or the liveness ring) must end the job (--net-timeout)
if [ "$CUT_LINK" = 1 ]; then
  victim=h$((HOSTS - 1))
  rm -f "$W"/hosts/h*/out.*
  rs_say "cut link: twopass with --net-timeout 5; $victim's link goes down once the exchange is under way"
  n0=$(bridge_bytes)
  (
    for _ in $(seq 1 600); do
      if [ $(( $(bridge_bytes) - n0 )) -gt 5000000 ]; then  # the exchange is under way: cut now
        ip -n "$SW" link set "$victim" down
        date +%s.%N > "$SHARED/cut-at"
        exit 0
      fi
      sleep 0.02
    done
  ) &
  cutter=$!
  src=0
  TIMEOUT=60 step "$SHARED/log/cut-link" "${ON_CLUSTER[@]}" "$RS" sort --algo twopass --memory "$MEMORY" \
    --in-dir "$DISK" --in-name 'in.{rank}' --out-dir "$DISK" --out-name 'out.{rank}' --tmp-dir "$DISK/tmp" \
    --net-timeout 5 || src=$?
  ended=$(date +%s.%N)
  wait "$cutter" || true
  ip -n "$SW" link set "$victim" up
  [ -s "$SHARED/cut-at" ] || die "cut link: the exchange never got under way"
  secs=$(awk -v a="$(cat "$SHARED/cut-at")" -v b="$ended" 'BEGIN { printf "%.1f", b - a }')
  # The exchange's watchdog or the liveness ring, whichever sees the silence first.
  line=$(grep -m1 -E '^rank [0-9]+: (the exchange made no progress|rank [0-9]+ has not answered)' "$SHARED/log/cut-link" || true)
  published=$(find "$W"/hosts/h*/ -mindepth 1 -maxdepth 1 -regextype posix-extended -regex '.*/out\.[0-9]+' | wc -l || true)
  echo "cut link: exit $src $secs s after the cut; partitions published: $published; ${line:-no line naming a rank}"
  [ "$src" != 0 ] && [ -n "$line" ] && [ "$published" = 0 ] || die "cut link: the job did not end as it should"
fi
