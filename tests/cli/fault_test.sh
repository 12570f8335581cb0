#!/usr/bin/env bash
# tests/cli/fault_test.sh — faults during a sort (docs/reliability.md): a rank killed in each phase
# of each algorithm (RS_FAULT, core/fault_point.hpp) ends the job non-zero within 10 s with mpirun's
# line naming the rank and no partition under a final name; a rank that stops answering during
# the exchange ends it within --net-timeout with a line naming a rank; SIGINT or SIGTERM to mpirun removes
# every temporary file; a full output or temporary directory (a small tmpfs) gives one line, a
# non-zero exit, an untouched input and nothing under the final name.
# Usage: fault_test.sh RIVERSORT MPIRUN
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
# Without -q: mpirun's "process rank R ... exited on signal" line is what names a killed rank.
MPI=("$MPIRUN" "${MPI_FLAGS[@]}")

mkdir -p "$T/in" "$T/out" "$T/tmp"
"${MPI[@]}" -q -np 3 "$RS" gen --records 3M --dir "$T/in" --name 'in.{rank}' 2>/dev/null || { echo "gen failed"; exit 1; }
INPUT_SUM=$(cat "$T"/in/* | sha256sum)
SORT=(sort --in-dir "$T/in" --in-name 'in.{rank}' --out-dir "$T/out" --out-name 'out.{rank}' --tmp-dir "$T/tmp")
memory_for() { [ "$1" = onepass ] || echo "--memory 192M"; }  # the out-of-core sorts under a budget

leftovers() { entries "$T/out" "$T/tmp"; }
clear_dirs() { rm -f "$T"/out/* "$T"/tmp/*; }

# --- a rank killed at the start of each phase of each algorithm
for case in "onepass:read & distribute" "onepass:sort" "onepass:write" \
            "twopass:read & distribute" "twopass:merge" \
            "threepass:local sort" "threepass:local merge" "threepass:parallel selection" \
            "threepass:parallel merge"; do
  algo=${case%%:*} phase=${case#*:}
  clear_dirs
  start=$(date +%s.%N)
  # shellcheck disable=SC2046
  err=$(RS_FAULT="1:$phase" "${MPI[@]}" -x RS_FAULT -np 3 "$RS" "${SORT[@]}" --algo "$algo" $(memory_for "$algo") \
        2>&1 >/dev/null); rc=$?
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  [ "$rc" != 0 ] && ok || bad "kill $algo/$phase: exit 0"
  [[ "$err" == *"process rank 1"*"exited on signal 9"* ]] && ok || bad "kill $algo/$phase: no line naming rank 1: $err"
  [ "$(echo "$secs <= 10" | bc)" = 1 ] && ok || bad "kill $algo/$phase: took $secs s (limit 10)"
  # The killed rank cannot remove its own temporaries (SIGKILL); no partition may look finished.
  entries "$T/out" | grep -qE '^out\.[0-9]+$' && bad "kill $algo/$phase: a partition under its final name: $(ls "$T/out")" || ok
  # Nothing of the surviving ranks is left (they are ended by mpirun's SIGTERM).
  # (the killed rank's: its runs, claim and output temporary carry its token; its output lock)
  leftovers | grep -vE 'riversort-[0-9a-f]{16}|^out\.1\.riversort\.lock$' | grep -q . &&
    bad "kill $algo/$phase: stray files $(leftovers)" || ok
  # Runs, work files and journals of the out-of-core sorts are kept for --resume (sort/resume/).
  survivors=$(leftovers | grep -E -- '-r[02]-|^out\.[02]\.' |
              grep -vE -- '^riversort-[0-9a-f]{16}-r[02]-(run|merge|work|index|journal)(-[0-9]+)?\.run$' || true)
  [ -z "$survivors" ] && ok || bad "kill $algo/$phase: surviving ranks left temporaries: $survivors"
done

# --- a rank that stops answering during the exchange (SIGSTOP: as a cut link looks to its peers)
for case in "onepass:exchange" "twopass:exchange" "threepass:remote reads"; do
  algo=${case%%:*} phase=${case#*:}
  clear_dirs
  # shellcheck disable=SC2046
  RS_FAULT="1:$phase:stop" "${MPI[@]}" -q -x RS_FAULT -np 3 "$RS" "${SORT[@]}" --algo "$algo" $(memory_for "$algo") --net-timeout 3 \
    >/dev/null 2>"$T/stall.err" &
  pid=$!
  for _ in $(seq 1 400); do grep -q 'RS_FAULT: stopping' "$T/stall.err" && break; sleep 0.05; done
  stopped=$(date +%s.%N)
  wait "$pid"; rc=$?
  secs=$(echo "$(date +%s.%N) - $stopped" | bc)
  pkill -CONT -f "^$RS sort" 2>/dev/null
  [ "$rc" != 0 ] && ok || bad "stall $algo/$phase: exit 0"
  # Whichever watchdog sees it first: the exchange's, or the liveness ring's (rank 1's successor).
  grep -qE '^rank [0-9]+: (the exchange made no progress for 3 s \(--net-timeout\); nothing from rank 1|rank 1 has not answered for 3 s \(--net-timeout\))' "$T/stall.err" && ok ||
    bad "stall $algo/$phase: no line naming rank 1: $(cat "$T/stall.err")"
  [ "$(echo "$secs <= 3 + 5" | bc)" = 1 ] && ok || bad "stall $algo/$phase: took $secs s after the stop (timeout 3 s)"
  sleep 0.5
  entries "$T/out" | grep -qE '^out\.[0-9]+$' && bad "stall $algo/$phase: a partition under its final name" || ok
done

# --- SIGINT / SIGTERM to mpirun while runs exist: every temporary file is removed
for sig in INT TERM; do
  for algo in twopass threepass; do
    clear_dirs
    "${MPI[@]}" -q -np 3 "$RS" "${SORT[@]}" --algo "$algo" --memory 192M >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do entries "$T/tmp" | grep -q '\.run$' && break; sleep 0.05; done
    entries "$T/tmp" | grep -q '\.run$' && ok || bad "$sig $algo: no runs appeared to interrupt"
    kill -"$sig" "$pid"
    wait "$pid"; rc=$?
    [ "$rc" != 0 ] && ok || bad "$sig $algo: exit 0"
    sleep 0.5
    # Temporaries are gone; a job interrupted after every rank published keeps its whole output.
    # Work kept for --resume stays on purpose (docs/fault-tolerance.md); nothing else may.
    leftovers | grep -vE 'riversort-[0-9a-f]{16}-r[0-9]+-(run|merge|work|index|journal)(-[0-9]+)?\.run$|riversort-[0-9a-f]{16}-resume$' | grep -qE '\.run$|\.tmp$|\.lock$' && bad "$sig $algo: left $(leftovers)" || ok
    n=$(entries "$T/out" | grep -cE '^out\.[0-9]+$')
    [ "$n" = 0 ] || [ "$n" = 3 ] && ok || bad "$sig $algo: $n of 3 partitions under their final names"
  done
done
[ "$(cat "$T"/in/* | sha256sum)" = "$INPUT_SUM" ] && ok || bad "the input changed"

# --- a full output or temporary directory: one line, non-zero, input untouched, no final output
if mkdir -p "$T/small" && mount -t tmpfs -o size=8m tmpfs "$T/small" 2>/dev/null; then
  MOUNTS+=("$T/small")
  for where in out tmp; do
    clear_dirs; rm -rf "${T:?}/small/"*
    if [ "$where" = out ]; then dirs=(--out-dir "$T/small" --tmp-dir "$T/tmp"); else dirs=(--out-dir "$T/out" --tmp-dir "$T/small"); fi
    err=$("${MPI[@]}" -q -np 3 "$RS" sort --algo twopass --in-dir "$T/in" --in-name 'in.{rank}' --out-name 'out.{rank}' \
          "${dirs[@]}" --memory 192M 2>&1 >/dev/null); rc=$?
    [ "$rc" = 1 ] && ok || bad "full $where: exit $rc, want 1"
    [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && [[ "$err" == "rank "*"No space left on device"* ]] && ok ||
      bad "full $where: want one line 'rank R: ...No space left on device', got: $err"
    entries "$T/small" "$T/out" | grep -qE '^out\.[0-9]+$' && bad "full $where: output under a final name" || ok
    [ -z "$(ls -A "$T/small")" ] && [ -z "$(leftovers)" ] && ok || bad "full $where: left $(ls "$T/small") $(leftovers)"
  done
  [ "$(cat "$T"/in/* | sha256sum)" = "$INPUT_SUM" ] && ok || bad "the input changed"
else
  echo "skip disk-full cases: cannot mount a tmpfs here (needs root)"
fi

finish fault_test
