#!/usr/bin/env python3
"""tests/oracle/records.py — an independent oracle for records of any shape (docs/records.md).

Plain Python, sharing no code with riversort: it makes test files of R-byte records with a K-byte
key at offset O, cuts them into rank partitions, and says what valsort's report of a file (or of
partitions concatenated) must be. Keys compare as Python bytes, which is memcmp order.

  records.py make R/K/O COUNT KIND SEED OUT    KIND: random, sorted, few, equal, prefix20, reversed;
                                               KIND+sorted: that kind's keys in order
  records.py split R/K/O FILE PARTS OUTPREFIX  uneven parts OUTPREFIX.0 .. (the middle ones may be empty)
  records.py report R/K/O FILE...              valsort's report of the files concatenated
  records.py manifest R/K/O OUT FILE...        a riversort-dataset/2 manifest of the files as partitions
  records.py sorted R/K/O IN... -- OUT...      exit 0 when the OUT files concatenated are the IN files'
                                               records (the same multiset, byte for byte) in key order
"""
import json
import random
import sys
import zlib


def shape(text):
    r, k, o = (int(x) for x in text.split("/"))
    return r, k, o


def make(spec, count, kind, seed, out):
    r, k, o = shape(spec)
    in_order = kind.endswith("+sorted")
    kind = kind.removesuffix("+sorted")
    rng = random.Random(seed)
    keys = []
    for i in range(count):
        if kind in ("random", "sorted", "reversed"):
            key = rng.randbytes(k)
        elif kind == "few":  # a handful of distinct keys, so most are duplicates
            key = bytes([rng.randrange(3)]) * k
        elif kind == "equal":
            key = b"\x5a" * k
        elif kind == "prefix20":  # every key shares its first 20 bytes (or all but its last)
            shared = min(20, k - 1)
            key = b"\x77" * shared + rng.randbytes(k - shared)
        else:
            raise SystemExit("unknown kind " + kind)
        keys.append(key)
    if kind == "sorted" or in_order:
        keys.sort()
    if kind == "reversed":
        keys.sort(reverse=True)
    with open(out, "wb") as f:
        for i, key in enumerate(keys):
            rec = bytearray(rng.randbytes(r))  # payload bytes around the key are random too
            rec[o:o + k] = key
            f.write(rec)


def split(spec, path, parts, prefix):
    r, _, _ = shape(spec)
    data = open(path, "rb").read()
    n = len(data) // r
    # Uneven cuts: part 0 gets half, part 1 nothing, the others sevenths, the last the rest.
    cuts = [0] if parts == 1 else [0, n // 2] + [min(n, n // 2 + i * (n // 7)) for i in range(parts - 2)]
    cuts.append(n)
    for p in range(parts):
        with open(f"{prefix}.{p}", "wb") as f:
            f.write(data[cuts[p] * r:cuts[p + 1] * r])


def report(spec, paths):
    r, k, o = shape(spec)
    data = b"".join(open(p, "rb").read() for p in paths)
    if len(data) % r:
        return "partial record found at end\n", 1
    n = len(data) // r
    if n == 0:
        return "there must be at least one record to be validated\n", 1
    total = 0
    unordered = duplicates = 0
    first_unordered = None
    prev = None
    for i in range(n):
        rec = data[i * r:(i + 1) * r]
        key = rec[o:o + k]
        total += zlib.crc32(rec)
        if prev is not None:
            if key < prev:
                unordered += 1
                if first_unordered is None:
                    first_unordered = i
            elif key == prev:
                duplicates += 1
        prev = key
    text = ""
    if unordered:
        text += f"First unordered record is record {first_unordered}\n"
    text += f"Records: {n}\nChecksum: {total:x}\n"
    if unordered:
        text += f"ERROR - there are {unordered} unordered records\n"
        return text, 1
    text += f"Duplicate keys: {duplicates}\nSUCCESS - all records are in order\n"
    return text, 0


def manifest(spec, out, paths):
    r, k, o = shape(spec)
    parts, start, grand = [], 0, 0
    for rank, p in enumerate(paths):
        data = open(p, "rb").read()
        n = len(data) // r
        s = sum(zlib.crc32(data[i * r:(i + 1) * r]) for i in range(n))
        grand += s
        parts.append({"rank": rank, "start": str(start), "records": n, "checksum": f"{s:x}", "files": [p]})
        start += n
    m = {"format": "riversort-dataset/2", "record_size": r, "key_size": k, "key_offset": o, "ascii": False,
         "skew": False, "start": "0", "records": start, "ranks": len(paths), "stripe_unit": 0,
         "checksum": f"{grand:x}", "partitions": parts}
    with open(out, "w") as f:
        json.dump(m, f, indent=2)


def check_sorted(spec, ins, outs):
    r, k, o = shape(spec)
    def records(paths):
        data = b"".join(open(p, "rb").read() for p in paths)
        if len(data) % r:
            raise SystemExit(f"a partial record in {paths}")
        return [data[i:i + r] for i in range(0, len(data), r)]
    got, want = records(outs), records(ins)
    for i in range(1, len(got)):
        if got[i][o:o + k] < got[i - 1][o:o + k]:
            print(f"record {i} of the output is smaller than record {i - 1}")
            return 1
    if sorted(got) != sorted(want):
        print(f"the output's {len(got)} records are not the input's {len(want)}")
        return 1
    return 0


def main(argv):
    cmd = argv[1]
    if cmd == "make":
        make(argv[2], int(argv[3]), argv[4], int(argv[5]), argv[6])
    elif cmd == "split":
        split(argv[2], argv[3], int(argv[4]), argv[5])
    elif cmd == "report":
        text, rc = report(argv[2], argv[3:])
        sys.stdout.write(text)
        return rc
    elif cmd == "manifest":
        manifest(argv[2], argv[3], argv[4:])
    elif cmd == "sorted":
        split_at = argv.index("--")
        return check_sorted(argv[2], argv[3:split_at], argv[split_at + 1:])
    else:
        raise SystemExit(__doc__)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
