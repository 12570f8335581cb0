// validate/summary.hpp — valsort's partition summary (docs/gensort-spec.md §9): counts, checksum, first and last
// record; 280 bytes on disk for gensort's records (host byte order, each 128-bit field as high word
// then low word), and for other record shapes the same fields after a header that names the shape
// (docs/records.md#summaries). Combine() is valsort -s: it joins summaries in output order. Plain
// value type.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/record_shape.hpp"
#include "core/status.hpp"
#include "core/uint128.hpp"

namespace rs::validate {

struct Summary {
  static constexpr size_t kBytes = 280;  // gensort's records: valsort's own layout
  // Other shapes: "rsummary" (8 bytes), R, K, O (3 × uint32), then valsort's 80 bytes of counters
  // and checksum, then the first and last records: 100 + 2R bytes.
  static constexpr char kMagic[9] = "rsummary";
  static constexpr size_t kHeaderBytes = 20;
  static size_t Bytes(const RecordShape& shape) {
    return shape.IsGensort() ? kBytes : kHeaderBytes + 80 + 2 * size_t(shape.size);
  }

  explicit Summary(const RecordShape& s = {}) : shape(s), first(s.size), last(s.size) {}

  RecordShape shape;
  u128 first_unordered = 0;  // index of the first record smaller than its predecessor; 0 = none
  u128 unordered = 0;
  u128 records = 0;
  u128 duplicates = 0;
  Checksum128 checksum;
  std::vector<uint8_t> first;  // shape.size bytes each
  std::vector<uint8_t> last;

  std::vector<uint8_t> Serialize() const;
  // `bytes` holds Bytes(shape) bytes of a summary of that shape (ParseSummaries checks the header).
  static Summary Deserialize(const uint8_t* bytes, const RecordShape& shape);
  friend bool operator==(const Summary&, const Summary&) = default;
};

// Joins summaries in output order exactly as `valsort -s`: each boundary between consecutive
// partitions is compared like two adjacent records. Summaries with no records (an empty
// partition) are skipped, which valsort cannot express but which concatenation implies. All parts
// are of one shape.
Summary Combine(std::span<const Summary> parts);

// Parses a file of concatenated summaries (valsort -s input) of records of `shape`; the spec's
// messages on bad sizes, and one naming both shapes when the file's header says another.
Result<std::vector<Summary>> ParseSummaries(const std::string& bytes, const RecordShape& shape);

}  // namespace rs::validate
