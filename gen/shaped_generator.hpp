// gen/shaped_generator.hpp — random records of any shape (docs/records.md#generating-other-shapes):
// record N is a pure function of N, so ranks and threads generate their slices independently and
// the slices concatenate to the single-rank file, as gensort's records do. Keys are uniform, or
// skewed toward hot prefixes (--skew), or with a fraction taken from a small pool of repeated
// keys (--duplicates F). Stateless; safe from any thread.
#pragma once

#include <cstdint>

#include "core/checksum.hpp"
#include "core/record_shape.hpp"
#include "core/uint128.hpp"

namespace rs::gen {

struct ShapedMode {
  RecordShape shape;
  bool skew = false;
  double duplicates = 0;  // fraction of records whose key comes from the pool, 0 .. 1
};

// Distinct keys in the duplicates' pool: few enough that a 1 M-record file with --duplicates 0.1
// has ~1,500 records per pooled key, so merges and splitters meet long runs of equal keys.
inline constexpr uint64_t kDuplicateKeys = 64;

// Writes records first .. first+count-1 (numbers taken mod 2^128) to out[0 .. R*count) and returns
// the sum of their CRC-32s.
Checksum128 GenerateShapedRecords(const ShapedMode& mode, u128 first, uint64_t count, uint8_t* out);

}  // namespace rs::gen
