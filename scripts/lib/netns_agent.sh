#!/bin/sh
# scripts/lib/netns_agent.sh — the "ssh" of the one-machine test cluster (scripts/cluster.sh).
# Open MPI's rsh launcher (--mca plm_rsh_agent) calls it as it would call ssh,
#   netns_agent.sh [ssh options] HOST command...
# to start its daemon (orted) on HOST. Like sshd on a real node, it puts the command on HOST:
# in HOST's network namespace (HOST's own address), with HOST's name (a UTS namespace), and with
# HOST's own data directory mounted on the cluster's common data path (a private mount namespace,
# so every host sees only its own disk there); then it runs the words as a shell command.
#   netns_agent.sh --exec HOST PROGRAM ARG...
# does the same with an argument vector, no shell (cluster.sh starts mpirun on h0 this way).
# RS_CLUSTER_MAP names the cluster's map file, one line per host: NAME NETNS DATA_DIR MOUNT_POINT.
set -eu
exec_mode=0
if [ "${1:-}" = --exec ]; then
  exec_mode=1
  shift
else
  # ssh options that Open MPI or a user may pass: skip them (and the values of those that take one).
  while [ $# -gt 0 ]; do
    case $1 in
      -[bcDEeFIiJLlmOopQRSWw]) shift 2 ;;
      -*) shift ;;
      *) break ;;
    esac
  done
fi
[ $# -ge 2 ] || { echo "netns_agent.sh: usage: netns_agent.sh [--exec] HOST command..." >&2; exit 255; }
host=$1
shift
map=${RS_CLUSTER_MAP:?netns_agent.sh: RS_CLUSTER_MAP (the cluster map file) is not set}
line=$(awk -v h="$host" '$1 == h { print; exit }' "$map")
[ -n "$line" ] || { echo "netns_agent.sh: $host: no such host in $map" >&2; exit 255; }
ns=$(echo "$line" | awk '{ print $2 }')
dir=$(echo "$line" | awk '{ print $3 }')
mnt=$(echo "$line" | awk '{ print $4 }')
# `ip netns exec` enters the network namespace in a new mount namespace of its own (mounts made
# in it do not reach the machine); `unshare --uts` gives the host its own name.
enter='echo "$1" > /proc/sys/kernel/hostname && mount --bind "$2" "$3" && shift 3 && exec "$@"'
if [ "$exec_mode" = 1 ]; then
  exec ip netns exec "$ns" unshare --uts -- sh -c "$enter" netns-agent "$host" "$dir" "$mnt" "$@"
fi
# ssh joins its words with spaces and the remote shell parses the line: the same here.
exec ip netns exec "$ns" unshare --uts -- sh -c "$enter" netns-agent "$host" "$dir" "$mnt" sh -c "$*"
