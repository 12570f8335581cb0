#!/usr/bin/env bash
# tests/cli/safety_test.sh — "never lose a byte" (docs/reliability.md): no way of naming paths
# overwrites an input or writes one name twice (the write guard), inputs must be files and no open
# blocks, empty path arguments are refused, a second job on the same output names is refused,
# publishing never destroys (a failed publish puts back what the final names held; gen publishes
# all-or-none), cheap checks come before the work, a --validate mismatch names what it compared,
# and `riversort clean` removes the leftovers of dead jobs. Every refusal: one line, non-zero exit,
# the input's bytes unchanged.
# Usage: safety_test.sh RIVERSORT MPIRUN
set -u
RS=$1
MPIRUN=${2:-mpirun}
source "$(dirname "$0")/lib.sh"
quick_exits  # no rank is killed here but in the leftovers case (MPI_KILLS)

# refused NAME WANT_SUBSTRING -- command: exit non-zero (not by the 60 s timeout), stderr exactly
# one line containing WANT.
refused() { expect_stderr "$1" nonzero one-line "$2" -- timeout 60 "${@:4}"; }
sums() { (cd "$T/d" && sha256sum in.* in.manifest.json); }
input_unchanged() { [ "$(sums)" = "$INPUT_SUMS" ] && ok || bad "$1: the input changed"; }
no_output() {  # no file other than the inputs (and what the case made on purpose) in d
  local extra
  extra=$(entries "$T/d" | grep -vE '^(in\.[0-9]|in\.manifest\.json|keep.*|link.*|hard.*)$')
  [ -z "$extra" ] && ok || bad "$1: left $extra"
}

mkdir -p "$T/d" "$T/out" "$T/tmp"
"${MPI[@]}" -np 2 "$RS" gen --records 20011 --dir "$T/d" --name 'in.{rank}' 2>/dev/null || { echo "gen failed"; exit 1; }
INPUT_SUMS=$(sums)
S2=("${MPI[@]}" -np 2 "$RS" sort --in-dir "$T/d" --in-name 'in.{rank}')

# --- 1. the write guard: no output is an input, no name is written twice, on any rank
refused swap-inputs "rank 0: $T/d/in.1: output is the input (rank 1's input $T/d/in.1 is the same file)" -- \
  "${S2[@]}" --out-dir "$T/d" --out-name in.1 in.0
input_unchanged swap-inputs
refused other-spelling "output is the input" -- "${S2[@]}" --out-dir "$T/d/../d" --out-name in.1 o.1
ln "$T/d/in.0" "$T/d/hard.0"
refused hard-link "output is the input" -- "${S2[@]}" --out-dir "$T/d" --out-name hard.0 o.1
refused result-is-input "rank 0: $T/d/in.0: output is the input" -- "${S2[@]}" --out-dir "$T/out" \
  --out-name 'o.{rank}' --result "$T/d/in.0"
refused result-is-output "written twice by this job" -- "${S2[@]}" --out-dir "$T/out" --out-name 'o.{rank}' \
  --result "$T/out/o.1"
refused result-is-manifest "output is the input" -- "${S2[@]}" --out-dir "$T/out" --out-name 'o.{rank}' \
  --result "$T/d/in.manifest.json"
refused same-same "rank 1: $T/out/same: written twice by this job (also rank 0's output $T/out/same)" -- \
  "${S2[@]}" --out-dir "$T/out" --out-name same same
refused striped-same-dir "written twice" -- "${S2[@]}" --out-dir "$T/out" --out-dir "$T/out" --out-name 'o.{rank}'
refused gen-a-a "written twice by this job" -- "${MPI[@]}" -np 2 "$RS" gen --records 100 --dir "$T/out" --name a a
refused gen-manifest-is-partition "written twice by this job" -- "${MPI[@]}" -np 2 "$RS" gen --records 100 \
  --dir "$T/out" --name 'g.{rank}' --manifest "$T/out/g.1"
refused validate-summary-is-input "output is the input" -- "$RS" validate --dir "$T/d" --name in.0 \
  --summary-out "$T/d/in.0"
[ -z "$(ls -A "$T/out")" ] && ok || bad "refused jobs left files in out: $(ls -A "$T/out")"
input_unchanged guard
no_output guard
# A link under an output name is replaced by the rename, never followed: the input stays.
ln -s "$T/d/in.0" "$T/d/link.0"
"$RS" sort --in-dir "$T/d" --in-name in.1 --out-dir "$T/d" --out-name link.0 >/dev/null 2>&1 || bad "sort onto a link failed"
[ ! -L "$T/d/link.0" ] && [ -f "$T/d/link.0" ] && ok || bad "link at the output name was not replaced"
input_unchanged link-replaced
rm -f "$T/d/link.0" "$T/d/hard.0"

# --- inputs: files only, no open blocks; empty path arguments
mkfifo "$T/d/fifo.0"; cp "$T/d/in.1" "$T/d/fifo.1"
refused fifo-input "rank 0: $T/d/fifo.0: is a FIFO; an input must be a regular file (or a block device)" -- \
  "${MPI[@]}" -np 2 "$RS" sort --in-dir "$T/d" --in-name 'fifo.{rank}' --out-dir "$T/out" --out-name 'o.{rank}'
refused fifo-validate "is a FIFO" -- "$RS" validate --dir "$T/d" --name fifo.0
refused dir-input "is a directory" -- "$RS" validate --dir "$T" --name d
refused chardev-input "is a character device" -- "$RS" sort --in-dir /dev --in-name zero --out-dir "$T/out" --out-name z
rm -f "$T/d/fifo.0" "$T/d/fifo.1"
# A block device is an input (raw-disk benchmarks): its size comes from the device.
"$RS" gen --records 1024 --dir "$T" --name raw 2>/dev/null
if dev=$(losetup -f --show "$T/raw" 2>/dev/null); then
  err=$("$RS" sort --in-dir "$(dirname "$dev")" --in-name "$(basename "$dev")" --out-dir "$T/out" --out-name raw.sorted \
        --validate 2>&1 >/dev/null); rc=$?
  losetup -d "$dev"
  [ "$rc" = 0 ] && [[ "$err" == *"SUCCESS"* ]] && ok || bad "block-device input: exit $rc: $err"
  rm -f "$T/out/raw.sorted"
else
  echo "skip block-device input: cannot attach a loop device here (needs root)"
fi
# ... but never one whose filesystem the job writes into: it would overwrite what it reads raw.
if truncate -s 64M "$T/fs.img" && mkfs.ext4 -q -F "$T/fs.img" 2>/dev/null && dev=$(losetup -f --show "$T/fs.img" 2>/dev/null); then
  mkdir -p "$T/mnt"
  if mount "$dev" "$T/mnt" 2>/dev/null; then
    MOUNTS=("$T/mnt" "${MOUNTS[@]}")
    refused raw-input-own-fs "is on the filesystem of rank 0's input device $dev, which is read raw" -- "$RS" sort \
      --in-dir "$(dirname "$dev")" --in-name "$(basename "$dev")" --out-dir "$T/mnt" --out-name x
    [ -z "$(entries "$T/mnt" | grep -v lost+found)" ] && ok || bad "raw-input-own-fs: wrote $(ls -A "$T/mnt")"
    umount "$T/mnt"
  else
    echo "skip raw-input-own-fs: cannot mount a loop filesystem here"
  fi
  losetup -d "$dev"
else
  echo "skip raw-input-own-fs: cannot make a loop filesystem here (needs root and e2fsprogs)"
fi
rm -f "$T/fs.img"
for flag in --in-dir --out-dir --tmp-dir --result --manifest; do
  args=(--in-dir "$T/d" --in-name in.0 --out-dir "$T/out" --out-name e)
  refused "empty$flag" "$flag: an empty path" -- "$RS" sort "${args[@]}" "$flag" ''
done
refused empty-gen-dir "--dir: an empty path" -- "$RS" gen --records 10 --dir '' --name x
refused empty-validate-dir "--dir: an empty path" -- "$RS" validate --dir '' --name x
refused empty-summary-out "--summary-out: an empty path" -- "$RS" validate --dir "$T/d" --name in.0 --summary-out ''
mkdir -p "$T/out/sub"
refused output-is-directory "$T/out/sub: exists and is a directory; riversort replaces only regular files" -- \
  "${MPI[@]}" -np 2 "$RS" sort --in-dir "$T/d" --in-name 'in.{rank}' --out-dir "$T/out" --out-name x sub
rmdir "$T/out/sub"

# --- 7. cheap checks first: found in well under the time the work takes, before any output
refused result-missing-dir "rank 0: $T/nodir/r.json: No such file or directory" -- "${S2[@]}" --out-dir "$T/out" \
  --out-name 'o.{rank}' --result "$T/nodir/r.json"
refused manifest-missing "rank 0: $T/nope.json: No such file or directory" -- "${S2[@]}" --out-dir "$T/out" \
  --out-name 'o.{rank}' --manifest "$T/nope.json"
err=$("$RS" validate --dir "$T/d" --name in.0 --manifest "$T/nope.json" 2>&1); rc=$?
[ "$rc" = 1 ] && [[ "$err" != *SUCCESS* ]] && [[ "$err" != *Records:* ]] && [[ "$err" == *"$T/nope.json: No such file"* ]] &&
  ok || bad "validate with a missing manifest validated first or said something else (exit $rc): $err"
refused summary-out-missing-dir "$T/nodir/s.sum: No such file or directory" -- "$RS" validate --dir "$T/d" --name in.0 \
  --summary-out "$T/nodir/s.sum"
[ -z "$(ls -A "$T/out")" ] && ok || bad "cheap refusals left files: $(ls -A "$T/out")"

# --- 2. a second job on the same output names is refused, naming the first; the first is whole
"${MPI[@]}" -np 2 "$RS" gen --records 3M --dir "$T/d" --name 'big.{rank}' 2>/dev/null
"${MPI[@]}" -np 2 "$RS" sort --algo twopass --memory 192M --in-dir "$T/d" --in-name 'big.{rank}' --out-dir "$T/out" \
  --out-name 'c.{rank}' --tmp-dir "$T/tmp" --validate >/dev/null 2>"$T/first.err" &
first=$!
for _ in $(seq 1 200); do entries "$T/out" | grep -q 'riversort.lock$' && break; sleep 0.05; done
refused second-job "another riversort job is writing it (pid " -- "${MPI[@]}" -np 2 "$RS" sort --in-dir "$T/d" \
  --in-name 'big.{rank}' --out-dir "$T/out" --out-name 'c.{rank}'
wait "$first" && grep -q SUCCESS "$T/first.err" && ok || bad "the first job did not finish valid: $(cat "$T/first.err")"
entries "$T/out" | grep -q lock && bad "lock files left after the job: $(ls "$T/out")" || ok

# --- 3. publishing never destroys: rank 1's publish fails, rank 0's old file comes back
printf 'users-own-0' > "$T/out/c.0"
OLD0=$(sha256sum < "$T/out/c.0")
"${MPI[@]}" -np 2 "$RS" sort --algo twopass --memory 192M --in-dir "$T/d" --in-name 'big.{rank}' --out-dir "$T/out" \
  --out-name 'c.{rank}' --tmp-dir "$T/tmp" >/dev/null 2>"$T/pub.err" &
job=$!
for _ in $(seq 1 200); do entries "$T/tmp" | grep -q '\.run$' && break; sleep 0.05; done
rm -f "$T/out/c.1"; mkdir -p "$T/out/c.1/occupied"  # rank 1's final name becomes a directory
wait "$job"; rc=$?
[ "$rc" != 0 ] && ok || bad "publish-fails: exit 0"
grep -q "rank 1: $T/out/c.1" "$T/pub.err" && ok || bad "publish-fails: no line naming rank 1's path: $(cat "$T/pub.err")"
[ "$(sha256sum < "$T/out/c.0")" = "$OLD0" ] && ok || bad "publish-fails: rank 0's old c.0 was not put back"
# (the runs, kept for --resume: docs/fault-tolerance.md, may stay in tmp; nothing else)
[ -z "$(entries "$T/out" | grep -vE '^c\.[01]$')" ] && [ -z "$(entries "$T/tmp" | grep -vE 'riversort-[0-9a-f]{16}-r[0-9]+-(run|merge|work|index|journal)(-[0-9]+)?\.run$|riversort-[0-9a-f]{16}(-resume|\.lock)$')" ] && ok ||
  bad "publish-fails: left $(ls -A "$T/out" "$T/tmp")"
rm -rf "$T/out/c.1" "$T/out/c.0"

# --- gen publishes all-or-none: a disk that holds one rank's partition but not both: whichever rank
# runs out of space, no partition (and no manifest) appears, and the file under g.0 stays
if mkdir -p "$T/small" && mount -t tmpfs -o size=7m tmpfs "$T/small" 2>/dev/null; then
  MOUNTS+=("$T/small")
  printf 'keep' > "$T/small/g.0"
  refused gen-disk-full "No space left on device" -- "${MPI[@]}" -np 2 "$RS" gen --records 100K --dir "$T/small" \
    --name 'g.{rank}'
  [ "$(cat "$T/small/g.0")" = keep ] && ok || bad "gen-disk-full: a new g.0 replaced the old one"
  [ "$(ls -A "$T/small")" = g.0 ] && ok || bad "gen-disk-full: left $(ls -A "$T/small")"
else
  echo "skip gen disk-full case: cannot mount a tmpfs here (needs root)"
fi

# --- a --validate mismatch says what was compared and does not blame the sort
cp "$T/d/in.0" "$T/keep.0"
printf 'Z' | dd of="$T/d/in.0" bs=1 seek=50 conv=notrunc status=none  # a payload byte: order holds
err=$("${S2[@]}" --out-dir "$T/out" --out-name 'v.{rank}' --validate 2>&1 >/dev/null); rc=$?
[ "$rc" = 1 ] && ok || bad "validate-mismatch: exit $rc"
[[ "$err" == *"checksum mismatch: validated "*", the input's manifest $T/d/in.manifest.json has "* ]] &&
  [[ "$err" == *"check the input itself with \`riversort validate --dir $T/d --name 'in.{rank}' --manifest $T/d/in.manifest.json\`"* ]] &&
  ok || bad "validate-mismatch: the line does not name what it compared: $err"
cp "$T/keep.0" "$T/d/in.0"
input_unchanged after-mismatch
rm -f "$T/out"/v.*

# --- 6. leftovers: a killed job's temporaries are reported by the next sort and removed by clean
RS_FAULT="1:merge" "${MPI_KILLS[@]}" -x RS_FAULT -np 2 "$RS" sort --algo twopass --memory 192M --in-dir "$T/d" \
  --in-name 'big.{rank}' --out-dir "$T/out" --out-name 'k.{rank}' --tmp-dir "$T/tmp" >/dev/null 2>&1
entries "$T/tmp" | grep -q '\.run$' && ok || bad "leftovers: the killed rank left no runs to find ($(ls "$T/tmp"))"
err=$("${S2[@]}" --out-dir "$T/out" --out-name 'n.{rank}' --tmp-dir "$T/tmp" 2>&1 >/dev/null)
[[ "$err" == *"leftover files"*"riversort clean"*"--dir $T/tmp"* ]] && ok || bad "leftovers: the next sort did not report them: $err"
out=$("$RS" clean --dir "$T/tmp" --dir "$T/out" 2>&1); rc=$?
[ "$rc" = 0 ] && [[ "$out" == *"freed "*" MiB in "*" files"* ]] && ok || bad "clean: exit $rc: $out"
[ -z "$(ls -A "$T/tmp")" ] && ok || bad "clean left $(ls -A "$T/tmp")"
[ -z "$(entries "$T/out" | grep -vE '^n\.[01]$')" ] && ok || bad "clean left in out: $(ls -A "$T/out")"
input_unchanged end

finish safety_test
