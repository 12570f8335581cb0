#!/usr/bin/env bash
# tests/cli/hang_test.sh — nothing hangs (docs/reliability.md, the liveness ring): a rank that
# freezes (SIGSTOP, as a rank behind a cut link looks to its peers) outside an exchange, in every
# phase where the others then sit in an MPI collective, ends the job within --net-timeout + a few
# seconds with a line naming it and no partition under a final name; so does a job whose ranks are
# all alive but all wait in collectives that never complete; a rank killed by a signal gets
# one line on stderr under `mpirun -q`; Ctrl-C while a rank is frozen removes every rank's
# temporaries. Only processes this script started are ever signalled, by their PIDs.
# Usage: hang_test.sh RIVERSORT MPIRUN
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
now() { date +%s.%N; }
within() { [ "$(echo "$1 <= $2" | bc)" = 1 ]; }

mkdir -p "$T/in" "$T/out" "$T/tmp" "$T/gen"
"${MPI[@]}" -np 3 "$RS" gen --records 600K --dir "$T/in" --name 'in.{rank}' 2>/dev/null || { echo "gen failed"; exit 1; }
SORT=(sort --in-dir "$T/in" --in-name 'in.{rank}' --out-dir "$T/out" --out-name 'out.{rank}' --tmp-dir "$T/tmp")
GEN=(gen --records 3M --dir "$T/gen" --name 'g.{rank}')
VALIDATE=(validate --dir "$T/in" --name 'in.{rank}')
clear_dirs() { rm -f "$T"/out/* "$T"/tmp/* "$T"/gen/*; }
leftovers() { entries "$T/out" "$T/tmp"; }

# The ranks of the job started as $1 (mpirun's children), recorded while they live.
ranks_of() { pgrep -P "$1" 2>/dev/null | tr '\n' ' '; }
# Lets a stopped rank of ours go (mpirun normally has killed it already): by PID, ours only.
release() {
  local p
  for p in $1; do
    [ -r "/proc/$p/cmdline" ] && tr '\0' ' ' < "/proc/$p/cmdline" | grep -q "^$RS " && kill -CONT "$p" 2>/dev/null
  done
  return 0
}
# Waits for mpirun $1 at most $2 s; kills it (by PID) past that, so a hang fails instead of blocking.
wait_bounded() {
  local pid=$1 limit=$2 i
  for i in $(seq 1 $((limit * 20))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; fi
  wait "$pid"
}

# --- a rank frozen outside the exchange: every phase where the others wait in a collective
for case in "twopass:merge" "threepass:local sort" "threepass:parallel selection" "threepass:local merge" \
            "onepass:sort" "gen:gen" "validate:validate"; do
  what=${case%%:*} point=${case#*:}
  clear_dirs
  case $what in
    gen) cmd=("${GEN[@]}") ;;
    validate) cmd=("${VALIDATE[@]}") ;;
    onepass) cmd=("${SORT[@]}" --algo onepass) ;;
    *) cmd=("${SORT[@]}" --algo "$what" --memory 192M) ;;
  esac
  RS_FAULT="1:$point:stop" "${MPI[@]}" -x RS_FAULT -np 3 "$RS" "${cmd[@]}" --net-timeout 3 >/dev/null 2>"$T/err" &
  pid=$!
  for _ in $(seq 1 1200); do grep -q "RS_FAULT: stopping" "$T/err" && break; sleep 0.05; done
  stopped=$(now)
  ranks=$(ranks_of "$pid")
  grep -q 'RS_FAULT: stopping' "$T/err" && ok || bad "stop $what/$point: the rank never reached the point"
  wait_bounded "$pid" 30; rc=$?
  secs=$(echo "$(now) - $stopped" | bc)
  release "$ranks"
  [ "$rc" != 0 ] && ok || bad "stop $what/$point: exit 0"
  grep -qE '^rank [0-9]+: rank 1 has not answered for 3 s \(--net-timeout\); is it or its link down\?$' "$T/err" && ok ||
    bad "stop $what/$point: no line naming rank 1: $(cat "$T/err")"
  within "$secs" 8 && ok || bad "stop $what/$point: took $secs s after the stop (--net-timeout 3)"
  printf '%s: ended %.1f s after the stop, exit %s\n' "$what/$point" "$secs" "$rc"
  sleep 0.3
  if [ "$what" = gen ]; then
    # gen's partitions carry their final names as they are written; the manifest marks a whole dataset.
    entries "$T/gen" | grep -q manifest && bad "stop gen: a manifest was written for an unfinished dataset" || ok
  else
    entries "$T/out" | grep -qE '^out\.[0-9]+$' && bad "stop $what/$point: a partition under its final name" || ok
    # (work kept for --resume stays on purpose: docs/fault-tolerance.md)
    survivors=$(leftovers | grep -E 'r[02]-|^out\.[02]\.tmp' | grep -vE 'riversort-[0-9a-f]{16}-r[0-9]+-(run|merge|work|index|journal)(-[0-9]+)?\.run$|riversort-[0-9a-f]{16}(-resume|\.lock)$' || true)
    [ -z "$survivors" ] && ok || bad "stop $what/$point: healthy ranks left temporaries: $survivors"
  fi
done

# --- every rank alive but waiting in a collective that will never complete: rank 1 enters one of
# its own (RS_FAULT ":stray"), the others wait for it in their next one (a transport's communicator
# duplicate, a merge's collectives, validate's). The liveness ring's stall check ends the job.
for case in "twopass:read & distribute" "threepass:local merge" "validate:validate"; do
  what=${case%%:*} point=${case#*:}
  clear_dirs
  case $what in
    validate) cmd=("${VALIDATE[@]}") ;;
    *) cmd=("${SORT[@]}" --algo "$what" --memory 192M) ;;
  esac
  start=$(now)
  RS_FAULT="1:$point:stray" "${MPI[@]}" -x RS_FAULT -np 3 "$RS" "${cmd[@]}" --net-timeout 3 >/dev/null 2>"$T/err" &
  pid=$!
  wait_bounded "$pid" 40; rc=$?
  secs=$(echo "$(now) - $start" | bc)
  grep -q 'RS_FAULT: this rank enters a collective of its own' "$T/err" && ok ||
    bad "stray $what/$point: the rank never reached the point: $(cat "$T/err")"
  [ "$rc" != 0 ] && ok || bad "stray $what/$point: exit 0"
  grep -qE '^rank [0-9]+: every rank has waited in a collective for 3 s or more \(--net-timeout\), all alive: the job is stuck' \
    "$T/err" && ok || bad "stray $what/$point: no stall line: $(cat "$T/err")"
  within "$secs" 25 && ok || bad "stray $what/$point: took $secs s (--net-timeout 3)"
  entries "$T/out" | grep -qE '^out\.[0-9]+$' && bad "stray $what/$point: a partition under its final name" || ok
  printf 'stray %s/%s: ended after %.1f s, exit %s\n' "$what" "$point" "$secs" "$rc"
done

# --- a rank killed by a signal under mpirun -q: one line names it (mpirun -q itself says nothing)
for case in "twopass:merge" "threepass:parallel selection" "gen:gen"; do
  what=${case%%:*} point=${case#*:}
  clear_dirs
  if [ "$what" = gen ]; then cmd=("${GEN[@]}"); else cmd=("${SORT[@]}" --algo "$what" --memory 192M); fi
  start=$(now)
  err=$(RS_FAULT="1:$point" "${MPI[@]}" -x RS_FAULT -np 3 "$RS" "${cmd[@]}" 2>&1 >/dev/null); rc=$?
  secs=$(echo "$(now) - $start" | bc)
  lines=$(printf '%s\n' "$err" | grep -v '^RS_FAULT: ' | grep -v '^$')
  [ "$rc" != 0 ] && ok || bad "kill $what/$point: exit 0"
  [ "$(printf '%s\n' "$lines" | grep -c .)" = 1 ] && [[ "$lines" =~ ^rank\ [0-9]+:\ rank\ 1\ ended\ abruptly ]] && ok ||
    bad "kill $what/$point: want one line naming rank 1, got: $err"
  within "$secs" 15 && ok || bad "kill $what/$point: took $secs s"
  printf '%s killed: %.1f s, exit %s: %s\n' "$what/$point" "$secs" "$rc" "$lines"
done

# --- Ctrl-C (SIGINT to mpirun) while a rank is frozen: no rank's temporaries are left. mpirun
# sends SIGCONT, then SIGTERM a second later and SIGKILL as soon as one rank has died; the frozen
# rank may finish the job in that second, so either no partition or all of them is right.
for case in "twopass:exchange" "threepass:local merge"; do
  algo=${case%%:*} point=${case#*:}
  clear_dirs
  RS_FAULT="1:$point:stop" "${MPI[@]}" -x RS_FAULT -np 3 "$RS" "${SORT[@]}" --algo "$algo" --memory 192M \
    >/dev/null 2>"$T/err" &
  pid=$!
  for _ in $(seq 1 1200); do grep -q "RS_FAULT: stopping" "$T/err" && break; sleep 0.05; done
  ranks=$(ranks_of "$pid")
  sleep 0.5  # the healthy ranks are working or waiting by now, their temporaries on disk
  before=$(leftovers | grep -cE '\.run$|\.tmp\.')
  [ "$before" -gt 0 ] && ok || bad "ctrl-c $algo/$point: no temporaries to remove"
  kill -INT "$pid"
  wait_bounded "$pid" 20; rc=$?
  release "$ranks"
  sleep 0.3
  [ "$rc" != 0 ] && ok || bad "ctrl-c $algo/$point: exit 0"
  left=$(leftovers | grep -E '\.run$|\.tmp\.' | grep -vE 'riversort-[0-9a-f]{16}-r[0-9]+-(run|merge|work|index|journal)(-[0-9]+)?\.run$|riversort-[0-9a-f]{16}(-resume|\.lock)$' || true)
  [ -z "$left" ] && ok || bad "ctrl-c $algo/$point: left $left (of $before temporaries)"
  n=$(entries "$T/out" | grep -cE '^out\.[0-9]+$')
  [ "$n" = 0 ] || [ "$n" = 3 ] && ok || bad "ctrl-c $algo/$point: $n of 3 partitions under their final names"
  echo "ctrl-c $algo/$point: $before temporaries before, exit $rc, left: ${left:-none}, $n partitions published"
done

# --- onepass whose key range outgrows its memory: all keys equal, so one rank receives all four
# partitions (4x the mean; onepass sets aside 2x with --splitters uniform, and the slack of its
# circulating buffers holds 3x at this size). Its receive pool runs
# dry and cannot refill; the transport's one watchdog (river/net/mpi_transport_base.hpp) ends the
# job from the communication thread after config::kReceiveStallSeconds with a line naming it.
mkdir -p "$T/equal"
python3 -c "
import sys
rec = b'\x80' * 10 + b'x' * 88 + b'\r\n'
for r in range(4): open(sys.argv[1] + '/e.%d' % r, 'wb').write(rec * 500000)
" "$T/equal"
clear_dirs
EQ=(sort --in-dir "$T/equal" --in-name 'e.{rank}' --out-dir "$T/out" --out-name 'out.{rank}' --algo onepass
    --splitters uniform)
need=$("${MPI[@]}" -np 4 "$RS" "${EQ[@]}" --memory 32M 2>&1 | grep -o 'needs at least [0-9]* MiB' | grep -o '[0-9]*')
t0=$(now)
err=$("${MPI[@]}" -np 4 "$RS" "${EQ[@]}" --memory "${need:-0}M" 2>&1 >/dev/null); rc=$?
secs=$(echo "$(now) - $t0" | bc)
[ "$rc" != 0 ] && ok || bad "onepass outgrown: exit 0"
printf '%s\n' "$err" | grep -qE '^rank [0-9]: its key range holds more than the [0-9]+ bytes of memory set aside for it' &&
  ok || bad "onepass outgrown: no line naming the rank: $err"
within "$secs" 30 && ok || bad "onepass outgrown: took $secs s"
[ -z "$(entries "$T/out" | grep -E '^out\.[0-9]+$')" ] && ok || bad "onepass outgrown: partitions published"
printf 'onepass outgrown (memory %s MiB): %.1f s, exit %s\n' "$need" "$secs" "$rc"
rm -rf "$T/equal"

finish hang_test
