// validate/summary.hpp — valsort's partition summary (docs/gensort-spec.md §9): counts, checksum, first and last
// record; 280 bytes on disk (host byte order, each 128-bit field as high word then low word).
// Combine() is valsort -s: it joins summaries in output order. Plain value type.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "core/uint128.hpp"

namespace rs::validate {

struct Summary {
  static constexpr size_t kBytes = 280;

  u128 first_unordered = 0;  // index of the first record smaller than its predecessor; 0 = none
  u128 unordered = 0;
  u128 records = 0;
  u128 duplicates = 0;
  Checksum128 checksum;
  std::array<uint8_t, kRecordSize> first{};
  std::array<uint8_t, kRecordSize> last{};

  std::array<uint8_t, kBytes> Serialize() const;
  static Summary Deserialize(const uint8_t* bytes);
  friend bool operator==(const Summary&, const Summary&) = default;
};

// Joins summaries in output order exactly as `valsort -s`: each boundary between consecutive
// partitions is compared like two adjacent records. Summaries with no records (an empty
// partition) are skipped, which valsort cannot express but which concatenation implies.
Summary Combine(std::span<const Summary> parts);

// Parses a file of concatenated summaries (valsort -s input); the spec's messages on bad sizes.
Result<std::vector<Summary>> ParseSummaries(const std::string& bytes);

}  // namespace rs::validate
