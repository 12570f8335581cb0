#!/usr/bin/env bash
# tests/cli/shape_test.sh — records of other shapes (docs/records.md) end to end against the
# independent Python oracle tests/oracle/records.py: validate's report of files and of uneven
# partitions over 3 ranks (one empty), gen of other shapes at 1 and 3 ranks, repeated keys of
# gensort's shape through every sort, summaries out and back in, a manifest of the shape, and one
# clear line for every refusal (flag ranges, a partial record, a manifest or summary file of
# another shape); every sort of every shape at 1-4 ranks.
# Usage: shape_test.sh RIVERSORT MPIRUN [PART]
# PART (ctest runs the two side by side: 56 and 57 s in a whole ctest -j2 on the project machine):
# matrix = the sorts of every shape at 1-4 ranks by twopass and threepass; rest = everything else;
# all (the default) = both.
set -u
RS=$1
MPIRUN=${2:-mpirun}
PART=${3:-all}
case "$PART" in all | matrix | rest) ;; *) echo "shape_test.sh: PART is all, matrix or rest, not $PART" >&2; exit 2 ;; esac
rest() { [ "$PART" != matrix ]; }  # this run does the checks outside the twopass/threepass matrix
source "$(dirname "$0")/lib.sh"
quick_exits  # no rank is killed here but in the --resume cases (MPI_KILLS)
ORACLE="$(dirname "$0")/../oracle/records.py"

# same NAME WANT_RC WANT_TEXT -- command...: exit status and stderr exactly as wanted.
same() { expect_stderr "$1" "$2" exactly "$3" "${@:4}"; }
# refused NAME WANT_RC WANT_SUBSTRING -- command...: one line of stderr holding WANT, exit WANT_RC.
refused() { expect_stderr "$1" "$2" one-line "$3" "${@:4}"; }
flags() {  # R/K/O -> the riversort flags
  local r k o; IFS=/ read -r r k o <<< "$1"
  echo "--record-size $r --key-size $k --key-offset $o"
}

# The issue's shapes, plus one whose lcm with 4096 is too large for O_DIRECT blocks (4097: page
# cache) and the largest record.
SHAPES="64/8/0 128/16/0 100/10/50 16/16/0 4096/32/100 8/1/7 4097/20/3 65536/8/0"
for s in $SHAPES; do
  r=${s%%/*}; k=$(cut -d/ -f2 <<< "$s")
  n=3001; [ "$r" -ge 4096 ] && n=301
  kinds="random sorted few+sorted equal"
  [ "$k" -gt 20 ] && kinds="$kinds prefix20+sorted prefix20"
  # shellcheck disable=SC2046  # flags are words
  for kind in $kinds; do
    f="$T/d-${s//\//_}-$kind"
    python3 "$ORACLE" make "$s" "$n" "$kind" 7 "$f"
    python3 "$ORACLE" split "$s" "$f" 3 "$f.p"
    rest || continue
    want=$(python3 "$ORACLE" report "$s" "$f"); want_rc=$?
    same "validate $s $kind" "$want_rc" "$want" -- "$RS" validate --dir "$T" --name "$(basename "$f")" $(flags "$s")
    same "validate $s $kind 3 ranks" "$want_rc" "$want" -- "${MPI[@]}" -np 3 "$RS" validate --dir "$T" \
      --name "$(basename "$f").p.{rank}" $(flags "$s")
  done
done

if rest; then
# gen: records of every shape, the same bytes from 1 and 3 ranks (record N is a function of N),
# and what validate reports of them is what the oracle computes from the bytes (so the checksum gen
# puts in the manifest is the records' own). --skew and --duplicates ride along.
for s in 64/8/0 8/1/7 4097/20/3 100/10/50; do
  name="g-${s//\//_}"
  # shellcheck disable=SC2046
  "$RS" gen --records 2001 --dir "$T" --name "$name" $(flags "$s") --skew --duplicates 0.2 2>/dev/null || bad "gen $s"
  # shellcheck disable=SC2046
  "${MPI[@]}" -np 3 "$RS" gen --records 2001 --dir "$T" --name "$name.{rank}" $(flags "$s") --skew \
    --duplicates 0.2 2>/dev/null || bad "gen $s 3 ranks"
  [ "$(cat "$T/$name".{0,1,2} | sha256sum)" = "$(sha256sum < "$T/$name")" ] && ok || bad "gen $s: 3 ranks' slices differ"
  want=$(python3 "$ORACLE" report "$s" "$T/$name")
  # shellcheck disable=SC2046
  same "gen $s validates" 1 "$want" -- "${MPI[@]}" -np 3 "$RS" validate --dir "$T" --name "$name.{rank}" \
    $(flags "$s") --manifest "$T/$name.manifest.json"
  grep -q '"format": "riversort-dataset/2"' "$T/$name.manifest.json" && ok || bad "gen $s: manifest not format /2"
done
refused "gen ascii of another shape" 2 "--ascii: gensort's ASCII records are 100/10/0" \
  -- "$RS" gen --records 10 --dir "$T" --name never --ascii --record-size 64
refused "gen duplicates range" 2 "--duplicates 1.5: allowed 0 .. 1" -- "$RS" gen --records 10 --dir "$T" --name never --duplicates 1.5
[ ! -e "$T/never" ] && ok || bad "a refused gen left its file"
# gensort's shape with repeated keys is still 100-byte data every sort takes: half the keys from a
# pool of 64, sorted by every algorithm and validated against the manifest.
"${MPI[@]}" -np 2 "$RS" gen --records 20000 --dir "$T" --name "dup.{rank}" --duplicates 0.5 2>/dev/null || bad "gen dup"
grep -q '"generator": "riversort-random/1"' "$T/dup.manifest.json" && ok || bad "gen dup: manifest lacks its generator"
for algo in onepass twopass threepass; do
  mkdir -p "$T/s-$algo"
  memory=16M; [ "$algo" = onepass ] && memory=0  # onepass: what the data needs
  if "${MPI[@]}" -np 2 "$RS" sort --algo "$algo" --in-dir "$T" --in-name "dup.{rank}" --out-dir "$T/s-$algo" \
    --out-name "o.{rank}" --memory "$memory" --validate > /dev/null 2>&1; then ok; else bad "sort $algo of repeated keys"; fi
done
fi

# Every sort of every shape: random keys at 1 rank (the sample splitter) and over 3 ranks (uneven
# partitions, one empty; the uniform splitter), every other kind of keys over the 3 ranks with the
# sample splitter (where ties cross the ranks' boundaries; the 2- and 4-rank sorts below use it on
# random keys). The oracle checks the outputs are the input's records in key order, byte for byte,
# and the sort's own --validate agrees. twopass and threepass run with the least memory that plans
# (2 MiB, else 8 MiB: 100-byte records need their 102,400-byte blocks) and --fan-in 2, so that the
# large records' runs are several and merged in levels. Each combination is one mpirun launch:
# every sort at every rank count for every kind of keys was 222 launches and most of this test's
# time (docs/testing.md#ci); this is 147.
# sort_args ALGO SHAPE NP -> the memory flags for that sort.
sort_args() {
  local algo=$1 s=$2 np=$3 r k o
  [ "$algo" = onepass ] && return
  IFS=/ read -r r k o <<< "$s"
  if "$RS" plan --records 3001 --ranks "$np" --algo "$algo" --memory 2M --record-size "$r" --key-size "$k" \
    --key-offset "$o" > /dev/null 2>&1; then
    echo "--memory 2M --fan-in 2"
  else
    echo "--memory 8M --fan-in 2"
  fi
}
# sorted_ok LABEL ALGO SHAPE NP IN_NAME OUT_DIR EXTRA_FLAGS -- INPUT_FILES...: one sort with
# --validate, its outputs checked byte for byte against the oracle.
sorted_ok() {
  local label=$1 algo=$2 shape=$3 np=$4 name=$5 o=$6 extra=$7 outs=() r why
  shift 8
  mkdir -p "$o"
  # shellcheck disable=SC2046,SC2086  # flags are words
  if ! "${MPI[@]}" -np "$np" "$RS" sort --algo "$algo" --in-dir "$T" --in-name "$name" --out-dir "$o" \
    --out-name "o.{rank}" --validate $extra $(flags "$shape") $(sort_args "$algo" "$shape" "$np") \
    > /dev/null 2> "$o.err"; then
    bad "$label: $(tail -3 "$o.err")"; return
  fi
  for ((r = 0; r < np; r++)); do outs+=("$o/o.$r"); done
  why=$(python3 "$ORACLE" sorted "$shape" "$@" -- "${outs[@]}") && ok || bad "$label: $why"
}
case "$PART" in all) algos="onepass twopass threepass" ;; matrix) algos="twopass threepass" ;; rest) algos=onepass ;; esac
for algo in $algos; do
  for s in $SHAPES; do
    k=$(cut -d/ -f2 <<< "$s")
    kinds="random few+sorted equal"
    [ "$k" -gt 20 ] && kinds="$kinds prefix20"
    for kind in $kinds; do
      f="$T/d-${s//\//_}-$kind"
      for np in 1 3; do
        splitters=sample
        if [ "$kind" = random ]; then [ "$np" = 3 ] && splitters=uniform; else [ "$np" = 1 ] && continue; fi
        if [ "$np" = 1 ]; then name="$(basename "$f")"; ins=("$f"); else name="$(basename "$f").p.{rank}"; ins=("$f".p.{0,1,2}); fi
        sorted_ok "sort $algo $s $kind $np ranks $splitters" "$algo" "$s" "$np" "$name" \
          "$T/o-$algo-${s//\//_}-$kind-$np-$splitters" "--splitters $splitters" -- "${ins[@]}"
      done
    done
  done
done

# Every shape at 2 and 4 ranks too (random keys; 4 ranks over the 3-way split's files plus an
# empty fourth partition), so every sort runs at 1-4 ranks.
for s in $SHAPES; do
  f="$T/d-${s//\//_}-random"
  : > "$f.p.3"
  python3 "$ORACLE" split "$s" "$f" 2 "$f.q"
done
for algo in $algos; do
  for s in $SHAPES; do
    f="$T/d-${s//\//_}-random"
    for np in 2 4; do
      if [ "$np" = 2 ]; then name="$(basename "$f").q.{rank}"; ins=("$f".q.{0,1}); else name="$(basename "$f").p.{rank}"; ins=("$f".p.{0,1,2,3}); fi
      sorted_ok "sort $algo $s random $np ranks" "$algo" "$s" "$np" "$name" "$T/o-$algo-${s//\//_}-random-$np" "" \
        -- "${ins[@]}"
    done
  done
done

[ "$PART" = matrix ] && { finish shape_test; exit; }

# --resume of other shapes (sort/resume/): a rank killed in the merge of twopass, and in the
# parallel selection and parallel merge of threepass, then the same command with --resume gives the
# oracle's output: the journal's splitters (2K + 24 hex digits) and threepass's key index (K bytes
# a key) are read back. Keys longer than 10 bytes, one kind sharing a 20-byte prefix. Resuming with
# another shape is refused in one line.
for case in "twopass:merge:128/16/0:random" "threepass:parallel selection:128/16/0:random" \
            "threepass:parallel merge:4096/32/100:prefix20" "twopass:merge:4096/32/100:prefix20"; do
  IFS=: read -r algo point s kind <<< "$case"
  f="$T/d-${s//\//_}-$kind"
  o="$T/r-$algo-${point// /_}-${s//\//_}"; mkdir -p "$o"
  # shellcheck disable=SC2046,SC2207
  sort_of() {  # sort_of SHAPE: the command, reading the partitions as records of SHAPE
    resume_cmd=("$RS" sort --algo "$algo" --in-dir "$T" --in-name "$(basename "$f").p.{rank}" --out-dir "$o" \
      --out-name "o.{rank}" $(flags "$1") $(sort_args "$algo" "$s" 3))
  }
  sort_of "$s"
  RS_FAULT="1:$point" "${MPI_KILLS[@]}" -x RS_FAULT -np 3 "${resume_cmd[@]}" > /dev/null 2>&1 &&
    bad "resume $case: the killed run exited 0" || ok
  ls "$o"/riversort-*-journal.run > /dev/null 2>&1 && ok || bad "resume $case: no journal kept: $(ls "$o")"
  if [ "$s" = 128/16/0 ] && [ "$algo" = twopass ]; then  # another shape's flags on the kept work
    sort_of 128/8/0
    err=$("${MPI[@]}" -np 3 "${resume_cmd[@]}" --resume 2>&1 >/dev/null); rc=$?
    want="the kept work was made of records of shape 128/16/0 (size/key size/key offset), not 128/8/0"
    [ "$rc" = 1 ] && [[ "$err" == *"$want"* ]] && ok || bad "resume $case with another shape: rc $rc: $err"
    sort_of "$s"
  fi
  if ! "${MPI[@]}" -np 3 "${resume_cmd[@]}" --resume --validate > /dev/null 2> "$o.err"; then
    bad "resume $case: $(tail -3 "$o.err")"; continue
  fi
  why=$(python3 "$ORACLE" sorted "$s" "$f".p.{0,1,2} -- "$o"/o.{0,1,2}) && ok || bad "resume $case: $why"
  # The kept work is gone once the job succeeded (the killed rank's .tmp output and lock stay:
  # `riversort clean` is for those).
  [ -z "$(find "$o" -name 'riversort-*.run')" ] && ok || bad "resume $case: left $(ls "$o")"
done

# Ranks given different shapes (an MPMD launch, one set of flags per rank) are refused at the
# start by every rank alike, in one line, before anything is read or exchanged: keys of different
# lengths, and the same key length in records of different sizes (which no later check would see).
f="$T/d-128_16_0-random"; o="$T/mixed"; mkdir -p "$o"
for other in 64/8/0 128/16/8 256/16/0; do
  # shellcheck disable=SC2046
  refused "ranks given 128/16/0 and $other" 1 \
    "rank 0: --record-size 128 --key-size 16 --key-offset 0, and another rank was given another shape" -- \
    "${MPI[@]}" -np 1 "$RS" sort --in-dir "$T" --in-name "$(basename "$f").p.{rank}" --out-dir "$o" --out-name 'o.{rank}' \
    $(flags 128/16/0) : -np 2 "$RS" sort --in-dir "$T" --in-name "$(basename "$f").p.{rank}" --out-dir "$o" \
    --out-name 'o.{rank}' $(flags "$other")
done
[ -z "$(ls -A "$o")" ] && ok || bad "a refused sort of mixed shapes left $(ls "$o")"
# A rank whose own flags are refused (here one of three under MPMD) stops every rank alike, with
# the refused rank's line: alone, it returned and left the others waiting in their first collective.
for cmd in sort validate gen; do
  if [ $cmd = sort ]; then args=(--in-dir "$T" --in-name "$(basename "$f").p.{rank}" --out-dir "$o" --out-name 'o.{rank}')
  elif [ $cmd = gen ]; then args=(--records 1000 --dir "$o" --name 'g.{rank}')
  else args=(--dir "$T" --name "$(basename "$f").p.{rank}"); fi
  # shellcheck disable=SC2046
  refused "$cmd: one rank given --record-size 7" 2 "rank 2: --record-size 7: allowed 8 .. 65536" -- \
    timeout 60 "${MPI[@]}" -np 2 "$RS" $cmd "${args[@]}" $(flags 128/16/0) : -np 1 "$RS" $cmd "${args[@]}" --record-size 7
done
# The same for paths (one rank's --name without {rank}): the job refuses them, exit 1.
need="with 3 ranks the name needs a {rank} placeholder (or one --name per rank)"
refused "gen: one rank given a --name without {rank}" 1 "rank 2: --name g: $need" -- \
  timeout 60 "${MPI[@]}" -np 2 "$RS" gen --records 1000 --dir "$o" --name 'g.{rank}' : -np 1 "$RS" gen --records 1000 \
  --dir "$o" --name g
# shellcheck disable=SC2046
refused "sort: one rank given an --out-name without {rank}" 1 "rank 2: --name o: $need" -- \
  timeout 60 "${MPI[@]}" -np 2 "$RS" sort --in-dir "$T" --in-name "$(basename "$f").p.{rank}" --out-dir "$o" \
  --out-name 'o.{rank}' $(flags 128/16/0) : -np 1 "$RS" sort --in-dir "$T" --in-name "$(basename "$f").p.{rank}" \
  --out-dir "$o" --out-name o $(flags 128/16/0)
# shellcheck disable=SC2046
refused "validate: one rank given a --name without {rank}" 1 "rank 2: --name v: $need" -- \
  timeout 60 "${MPI[@]}" -np 2 "$RS" validate --dir "$T" --name "$(basename "$f").p.{rank}" $(flags 128/16/0) : \
  -np 1 "$RS" validate --dir "$T" --name v $(flags 128/16/0)
[ -z "$(ls -A "$o")" ] && ok || bad "a refused gen or sort left $(ls "$o")"

# Summaries of a shape out of each partition and combined again (valsort -o, then -s).
s=128/16/0; f="$T/d-128_16_0-random"
want=$(python3 "$ORACLE" report "$s" "$f")
for p in 0 1 2; do
  # shellcheck disable=SC2046
  "$RS" validate --dir "$T" --name "$(basename "$f").p.$p" $(flags "$s") --summary-out "$T/sum.$p" -q 2>/dev/null
done
cat "$T/sum.0" "$T/sum.2" > "$T/sums"  # the empty partition 1 left no summary (none to combine)
[ "$(stat -c %s "$T/sum.0")" = $((100 + 2 * 128)) ] && ok || bad "summary of 128-byte records is not 356 bytes"
# shellcheck disable=SC2046
same "summaries $s" 1 "$want" -- "$RS" validate --summaries "$T/sums" $(flags "$s")
refused "summaries of another shape" 1 \
  "the summaries are of records 128/16/0 (R/K/O), the flags say 100/10/0 (give --record-size 128 --key-size 16 --key-offset 0)" \
  -- "$RS" validate --summaries "$T/sums"

# A manifest of the shape: validate checks records and checksum against it, and a command given
# another shape (here none: 100/10/0) is told which flags read the data.
s=64/8/0; f="$T/d-64_8_0-sorted"
python3 "$ORACLE" manifest "$s" "$T/m64.json" "$f.p.0" "$f.p.1" "$f.p.2"
want=$(python3 "$ORACLE" report "$s" "$f")
# shellcheck disable=SC2046
same "manifest $s" 0 "$want" -- "${MPI[@]}" -np 3 "$RS" validate --dir "$T" --name "$(basename "$f").p.{rank}" \
  $(flags "$s") --manifest "$T/m64.json"
refused "manifest of another shape" 1 \
  "$T/m64.json: the manifest's records are 64/8/0 (R/K/O), the flags say 100/10/0 (give --record-size 64 --key-size 8 --key-offset 0)" \
  -- "$RS" validate --dir "$T" --name "$(basename "$f")" --manifest "$T/m64.json"
# The same data read with the key elsewhere: a manifest of 64/8/0 does not vouch for 64/8/8.
refused "manifest of another key" 1 "the manifest's records are 64/8/0 (R/K/O), the flags say 64/8/8" \
  -- "$RS" validate --dir "$T" --name "$(basename "$f")" --record-size 64 --key-size 8 --key-offset 8 \
  --manifest "$T/m64.json"
python3 "$ORACLE" manifest "$s" "$T/m64b.json" "$T/d-64_8_0-random"  # another file's checksum
# shellcheck disable=SC2046
refused "manifest checksum" 1 "checksum mismatch" -- "$RS" validate --dir "$T" --name "$(basename "$f")" \
  $(flags "$s") --manifest "$T/m64b.json" -q
# The sort refuses the data under gensort's shape by its manifest, before it reads a record.
mkdir -p "$T/out"
refused "sort of a 64-byte dataset as 100-byte" 1 "the manifest's records are 64/8/0" \
  -- "${MPI[@]}" -np 3 "$RS" sort --in-dir "$T" --in-name "$(basename "$f").p.{rank}" --manifest "$T/m64.json" \
  --out-dir "$T/out" --out-name "o.{rank}"

# A partial record is named with the file and both sizes.
head -c 6401 "$T/d-64_8_0-random" > "$T/partial"
refused "partial record" 1 "$T/partial: partial record found at end (the size, 6401 bytes, is not a multiple of the record size 64)" \
  -- "$RS" validate --dir "$T" --name partial --record-size 64 --key-size 8

# Flag ranges: one line naming the flag and what is allowed, exit 2.
refused "record size 7" 2 "--record-size 7: allowed 8 .. 65536" -- "$RS" validate --dir "$T" --name partial --record-size 7
refused "record size 65537" 2 "--record-size 65537: allowed 8 .. 65536" \
  -- "$RS" validate --dir "$T" --name partial --record-size 65537
refused "key size 0" 2 "--key-size 0: allowed 1 .. 64" -- "$RS" validate --dir "$T" --name partial --record-size 64 --key-size 0
refused "key past the record" 2 "--key-size 9: allowed 1 .. 8 (record size 64 minus key offset 56)" \
  -- "$RS" validate --dir "$T" --name partial --record-size 64 --key-size 9 --key-offset 56
refused "key offset" 2 "--key-offset 64: allowed 0 .. 63" \
  -- "$RS" validate --dir "$T" --name partial --record-size 64 --key-offset 64
# A record size alone keeps the 10-byte key where it fits: 8-byte records get an 8-byte key.
want=$(python3 "$ORACLE" report 8/8/0 "$T/d-8_1_7-random")
same "record size alone" 1 "$want" -- "$RS" validate --dir "$T" --name d-8_1_7-random --record-size 8

# plan sizes other shapes: --bytes counts R-byte records, and the JSON names the shape.
plan=$("$RS" plan --json --bytes 64M --ranks 2 --algo twopass --memory 64M --record-size 64 --key-size 8 2>&1)
python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if (j['records'], j['record_size'], j['key_size'], j['transfer_size_bytes'] % 4096, j['net_buffer_bytes'] % 64) == (1048576, 64, 8, 0, 0) else 1)" "$plan" \
  && ok || bad "plan of 64-byte records: $plan"
refused "plan's shape range" 2 "--key-size 65: allowed 1 .. 64" -- "$RS" plan --records 1M --ranks 2 --record-size 64 --key-size 65

finish shape_test
