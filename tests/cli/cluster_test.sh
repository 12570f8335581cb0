#!/usr/bin/env bash
# tests/cli/cluster_test.sh — scripts/cluster.sh end to end: a 4-host and a 16-host cluster of
# network namespaces on this machine sort with every algorithm over TCP and validate; a failing sort and
# an interrupted run still tear everything down (no namespace, /etc/netns entry or data left).
# Prints "SKIP: reason" and exits 77 where namespaces cannot be created (not root, no netns,
# veth or bridge support).
# Usage: cluster_test.sh [RIVERSORT]   (default: build/app/riversort of this repository)
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
RS=${1:-$REPO/build/app/riversort}
CLUSTER=$REPO/scripts/cluster.sh
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "not root (network namespaces, veth pairs and bind mounts need root)"
for tool in ip unshare mount timeout python3; do
  command -v "$tool" > /dev/null || skip "$tool is not installed"
done
probe=rs-probe-$$
err=$(ip netns add "$probe" 2>&1) || skip "cannot create a network namespace: $err"
err=$({ ip -n "$probe" link add probe0 type veth peer name probe1 && ip -n "$probe" link add probebr type bridge &&
  ip netns exec "$probe" unshare --uts true; } 2>&1)
probe_rc=$?
ip netns del "$probe"
[ "$probe_rc" = 0 ] || skip "network namespaces, but no veth pair, bridge or UTS namespace: $err"
[ -x "$RS" ] || { echo "FAIL: $RS is not built"; exit 1; }

MPIRUN=${MPIRUN:-mpirun}  # lib.sh wants one; cluster.sh runs its own
# shellcheck source=lib.sh
source "$REPO/tests/cli/lib.sh"
links_before=$(ip -o link show | awk -F': ' '{ print $2 }' | sort)

# left_behind NAME OUTPUT: nothing of that run may remain — its namespaces (named after its pid,
# which the output shows), their /etc/netns entries, links in this namespace, data under $T.
left_behind() {
  local name=$1 out=$2 prefix
  prefix=$(sed -n 's/.*network namespaces \(rs-[0-9]*-\)h\*.*/\1/p' <<< "$out" | head -1)
  [ -n "$prefix" ] || { bad "$name: the output does not name the namespaces"; return; }
  local ns
  ns=$(ip netns list | awk '{ print $1 }' | grep "^$prefix" | tr '\n' ' ')
  [ -z "$ns" ] && ok || bad "$name: namespaces left behind: $ns"
  ls -d /etc/netns/"$prefix"* > /dev/null 2>&1 && bad "$name: /etc/netns/$prefix* left behind" || ok
  [ "$(ip -o link show | awk -F': ' '{ print $2 }' | sort)" = "$links_before" ] && ok ||
    bad "$name: the machine's links changed: $(ip -o link show | awk -F': ' '{ print $2 }' | tr '\n' ' ')"
  [ -z "$(ls -A "$T")" ] && ok || bad "$name: data left behind in $T: $(ls -A "$T")"
}

# 1. Every algorithm across 4 hosts, validated by the sort and by validate --manifest. 2M records
# (50 MB per host): enough that auto has to choose twopass under --memory 192M. Then a link cut
# during a twopass exchange: the job ends within the watchdog's 5 s (plus mpirun's keepalive).
out=$("$CLUSTER" --hosts 4 --records 2M --riversort "$RS" --data-dir "$T" --timeout 120 --cut-link 2>&1)
rc=$?
echo "$out"
[ "$rc" = 0 ] && ok || bad "cluster.sh exited $rc"
for i in 0 1 2 3; do
  grep -q "^    rank $i: host h$i, address 10\.[0-9]*\.0\.$((i + 1))/24, disk of h$i$" <<< "$out" &&
    ok || bad "rank $i did not run on h$i"
done
for algo in onepass twopass threepass 'auto>twopass'; do
  grep -Eq "^$algo +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +[-0-9]+ +SUCCESS +SUCCESS +ok$" <<< "$out" &&
    ok || bad "$algo: no line saying it sorted and validated with the partitions on their hosts"
done
# The exchange went over the bridge: at least 3/4 of the 200 MB (each host keeps its own quarter).
mb=$(awk '$1 == "twopass" { print int($4) }' <<< "$out")
[ "${mb:-0}" -ge 140 ] && ok || bad "twopass moved ${mb:-no} MB over the bridge, want >= 140"
cut=$(grep '^cut link: exit' <<< "$out")
if [[ $cut =~ ^cut\ link:\ exit\ ([0-9]+)\ ([0-9.]+)\ s\ after\ the\ cut\;\ partitions\ published:\ 0\;\ rank\ [0-9]+:\ (the\ exchange\ made\ no\ progress|rank\ [0-9]+\ has\ not\ answered) ]] &&
   [ "${BASH_REMATCH[1]}" != 0 ] && awk -v s="${BASH_REMATCH[2]}" 'BEGIN { exit !(s <= 20) }'; then
  ok
else
  bad "cut link: want a non-zero exit within 20 s, nothing published, a line naming a rank; got: ${cut:-nothing}"
fi
left_behind "success" "$out"

# 2. A sort that fails (a budget below twopass's floor, 6 MiB here): non-zero exit, the failure in the
# summary, everything torn down.
out=$("$CLUSTER" --hosts 4 --records 100k --algos twopass --memory 2M --riversort "$RS" --data-dir "$T" --timeout 60 2>&1)
rc=$?
[ "$rc" != 0 ] && ok || bad "a failing sort: cluster.sh exited 0"
grep -q "too small for --algo twopass" <<< "$out" && grep -Eq "^twopass .* exit 1 +not run" <<< "$out" &&
  ok || { bad "a failing sort: no reason or summary line"; echo "$out"; }
left_behind "failing sort" "$out"

# 3. Interrupted (SIGTERM) in the middle of a sort: exit 143, everything torn down.
"$CLUSTER" --hosts 4 --records 2M --algos twopass --memory 128M --riversort "$RS" --data-dir "$T" --timeout 60 \
  > "$T.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
  grep -q '==> sort:' "$T.log" && break
  kill -0 "$pid" 2> /dev/null || break
  sleep 0.1
done
sleep 0.5
kill -TERM "$pid"
wait "$pid"
rc=$?
out=$(cat "$T.log")
rm -f "$T.log"
[ "$rc" = 143 ] && ok || { bad "SIGTERM: cluster.sh exited $rc, want 143"; echo "$out"; }
left_behind "SIGTERM" "$out"

# 4. Sixteen hosts (issue 13): every algorithm sorts 1M records under --memory 64M (twopass and
# threepass size their network buffers for 16 peers) and validates, partitions on their hosts.
out=$("$CLUSTER" --hosts 16 --records 1M --memory 64M --riversort "$RS" --data-dir "$T" --timeout 180 2>&1)
rc=$?
[ "$rc" = 0 ] && ok || { bad "16 hosts: cluster.sh exited $rc"; echo "$out"; }
for algo in onepass twopass threepass 'auto>twopass'; do
  grep -Eq "^$algo +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +[-0-9]+ +SUCCESS +SUCCESS +ok$" <<< "$out" &&
    ok || bad "16 hosts, $algo: no line saying it sorted and validated with the partitions on their hosts"
done
grep -A6 "^16 hosts" <<< "$out"
left_behind "16 hosts" "$out"

finish cluster_test
