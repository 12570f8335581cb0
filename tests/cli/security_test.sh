#!/usr/bin/env bash
# tests/cli/security_test.sh — files created safely (docs/security.md): run as root, with an
# "attacker" (user nobody) who plants symbolic links and files in a shared sticky scratch
# directory under every name a job will write — final outputs, --result, gen's partitions and
# manifest, validate's --summary-out, the lock files, and the predictable temporary names of
# earlier versions — pointing at a mode-0600 target owned by that user. The target must stay
# untouched, and each job either succeeds or refuses with one line. Also: a world-writable
# --tmp-dir without the sticky bit is refused; in a sticky one the job works in a private 0700
# subdirectory with 0600 runs; an interrupted job removes only files it made.
# Usage: security_test.sh RIVERSORT MPIRUN
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
quick_exits  # no rank is killed here but in the interrupted sort (MPI_KILLS)
if [ "$(id -u)" != 0 ] || ! command -v runuser >/dev/null || ! id nobody >/dev/null 2>&1; then
  echo "skip security_test: needs root, runuser and a user nobody (the attacker)"
  exit 0
fi
chmod 755 "$T"
as_nobody() { runuser -u nobody -- "$@"; }

# The target: another user's private file, outside the shared directory.
mkdir -p "$T/home" && chown nobody "$T/home" && chmod 700 "$T/home"
as_nobody sh -c "printf 'secret of nobody\n' > '$T/home/target'; chmod 600 '$T/home/target'"
TARGET=$T/home/target
target_state() { stat -c '%U %a %s %Y' "$TARGET"; sha256sum < "$TARGET"; }
BEFORE=$(target_state)
untouched() { [ "$(target_state)" = "$BEFORE" ] && ok || bad "$1: the target changed: $(target_state)"; }

S=$T/shared
mkdir -p "$S" && chmod 1777 "$S"
plant_link() { as_nobody ln -sfn "$TARGET" "$1"; }
plant_file() { as_nobody sh -c "printf planted > '$1'"; }

# runs NAME -- command: success, or a refusal of exactly one line
runs() {
  local name=$1; shift 2
  local err rc
  err=$(timeout 120 "$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" = 0 ] || { [ "$rc" != 124 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ]; }; then ok
  else bad "$name: exit $rc, neither success nor one line: $err"; fi
  untouched "$name"
}

mkdir -p "$T/in"
"${MPI[@]}" -np 2 "$RS" gen --records 300K --dir "$T/in" --name 'in.{rank}' 2>/dev/null || { echo "gen failed"; exit 1; }
IN=(--in-dir "$T/in" --in-name 'in.{rank}')

# --- the old attack: links under the predictable temporary names of earlier versions
next=$(cat /proc/sys/kernel/ns_last_pid 2>/dev/null || echo 1000)
for ((p = next; p < next + 300; p++)); do
  for r in 0 1; do plant_link "$S/riversort-$p-r$r-run-0.run"; plant_link "$S/riversort-$p-r$r-work-0.run"; done
  plant_link "$S/out.0.tmp.$p"; plant_link "$S/out.1.tmp.$p"
done

# --- each algorithm, with links planted under the final output names and --result
for algo in onepass twopass threepass; do
  plant_link "$S/out.0"; plant_link "$S/out.1"; plant_link "$S/r.json"
  mem=(); [ "$algo" = onepass ] || mem=(--memory 192M)
  runs "sort-$algo" -- "${MPI[@]}" -np 2 "$RS" sort --algo "$algo" "${IN[@]}" "${mem[@]}" --out-dir "$S" \
    --out-name 'out.{rank}' --tmp-dir "$S" --result "$S/r.json" --validate
  [ -f "$S/out.0" ] && [ ! -L "$S/out.0" ] && [ -f "$S/r.json" ] && ok || bad "sort-$algo: the outputs are not files"
  rm -f "$S/out.0" "$S/out.1" "$S/r.json"
done

# --- a regular file the attacker planted under a final name is replaced, never written into
plant_file "$S/out.0"
ino=$(stat -c %i "$S/out.0")
runs planted-file -- "${MPI[@]}" -np 2 "$RS" sort "${IN[@]}" --out-dir "$S" --out-name 'out.{rank}' --tmp-dir "$S"
[ "$(stat -c %i "$S/out.0")" != "$ino" ] && [ "$(stat -c %U "$S/out.0")" = root ] && ok ||
  bad "planted-file: the planted file was written into rather than replaced"
rm -f "$S/out.0" "$S/out.1"

# --- links under the lock names: refused, never written through
plant_link "$S/out.0.riversort.lock"
runs lock-link -- "${MPI[@]}" -np 2 "$RS" sort "${IN[@]}" --out-dir "$S" --out-name 'out.{rank}'
err=$("${MPI[@]}" -np 2 "$RS" sort "${IN[@]}" --out-dir "$S" --out-name 'out.{rank}' 2>&1 >/dev/null)
[[ "$err" == *"out.0.riversort.lock: is a symbolic link; riversort never writes through a link"* ]] && ok ||
  bad "lock-link: not refused by name: $err"
rm -f "$S/out.0.riversort.lock"; plant_file "$S/out.0.riversort.lock"
runs lock-file -- "${MPI[@]}" -np 2 "$RS" sort "${IN[@]}" --out-dir "$S" --out-name 'out.{rank}'
rm -f "$S"/out.*

# --- gen's partitions and manifest, validate's --summary-out
plant_link "$S/g.0"; plant_link "$S/g.1"; plant_link "$S/g.manifest.json"
runs gen -- "${MPI[@]}" -np 2 "$RS" gen --records 1000 --dir "$S" --name 'g.{rank}'
plant_link "$S/v.sum"
"$RS" sort --in-dir "$T/in" --in-name in.0 --out-dir "$T" --out-name sorted.0 >/dev/null 2>&1
runs validate-summary -- "$RS" validate --dir "$T" --name sorted.0 --summary-out "$S/v.sum"
[ -f "$S/v.sum" ] && [ ! -L "$S/v.sum" ] && [ "$(stat -c %s "$S/v.sum")" = 280 ] && ok || bad "validate-summary: no 280-byte file"

rm -f "$S"/g.* "$S/v.sum"

# --- temporary directories: world-writable without the sticky bit refused; private inside a sticky one
mkdir -p "$T/ww" && chmod 777 "$T/ww"
err=$("${MPI[@]}" -np 2 "$RS" sort --algo twopass --memory 192M "${IN[@]}" --out-dir "$T" --out-name 'o.{rank}' \
      --tmp-dir "$T/ww" 2>&1 >/dev/null); rc=$?
[ "$rc" != 0 ] && [[ "$err" == *"$T/ww: temporary directory is world-writable without the sticky bit"* ]] && ok ||
  bad "world-writable tmp: exit $rc: $err"
"${MPI[@]}" -np 2 "$RS" gen --records 3M --dir "$T/in" --name 'big.{rank}' 2>/dev/null
"${MPI_KILLS[@]}" -np 2 "$RS" sort --algo twopass --memory 192M --in-dir "$T/in" --in-name 'big.{rank}' --out-dir "$T" \
  --out-name 'b.{rank}' --tmp-dir "$S" >/dev/null 2>&1 &
job=$!
run_file=
for _ in $(seq 1 200); do run_file=$(find "$S" -mindepth 2 -name '*.run' 2>/dev/null | head -1); [ -n "$run_file" ] && break; sleep 0.05; done
if [ -n "$run_file" ]; then
  [ "$(stat -c %a "$(dirname "$run_file")")" = 700 ] && [ "$(stat -c %a "$run_file")" = 600 ] && ok ||
    bad "private tmp: $(stat -c '%a %n' "$(dirname "$run_file")" "$run_file")"
else
  bad "private tmp: no run appeared in a private subdirectory of $S ($(ls -A "$S"))"
fi
# ... and an interrupt removes what the job made, nothing the attacker put there
plant_file "$S/b.0.riversort-0123456789abcdef-0.tmp"
kill -TERM "$job"; wait "$job"
sleep 0.5
# Work kept for --resume stays, in the job's own private directory (docs/fault-tolerance.md).
left=$(find "$S" -mindepth 1 -user root -name '*riversort*' | sed 's|.*/||' | grep -vE 'riversort-[0-9a-f]{16}-r[0-9]+-(run|merge|work|index|journal)(-[0-9]+)?\.run$|riversort-[0-9a-f]{16}(-resume|\.lock)$')
[ -z "$left" ] && ok || bad "interrupt: the job's files stayed: $left"
[ -f "$S/b.0.riversort-0123456789abcdef-0.tmp" ] && ok || bad "interrupt: the attacker's file was removed"
untouched interrupt

finish security_test
