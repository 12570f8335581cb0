// gen/record_generator.hpp — builds gensort 1.5 records (binary, ASCII, skewed) for any range of
// record numbers and sums their CRCs in the same pass, while each record is still in L1.
// Stateless after construction; one instance may be used from many threads at once.
#pragma once

#include <cstdint>

#include "core/checksum.hpp"
#include "core/uint128.hpp"

namespace rs::gen {

struct GenMode {
  bool ascii = false;  // gensort -a
  bool skew = false;   // gensort -s
};

// Skew index s(N) of docs/gensort-spec.md §5, including the saturation quirk at 2^60..2^64 and >= 2^124.
int SkewIndex(u128 n);  // n: the record number

// Writes records first .. first+count-1 (numbers taken mod 2^128) to out[0 .. 100*count) and
// returns the sum of their CRC-32s.
Checksum128 GenerateRecords(GenMode mode, u128 first, uint64_t count, uint8_t* out);

}  // namespace rs::gen
