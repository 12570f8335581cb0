// partition/key.hpp — one record's whole key as a value: the K bytes at the shape's key offset,
// compared as unsigned bytes (memcmp), the benchmark's key order. Splitters, parallel selection and
// threepass's key index hold keys of the records' own length, so a key longer than the radix
// sort's 10-byte prefix is split and selected on all of its bytes (docs/records.md#splitting-other-shapes).
#pragma once

#include <algorithm>
#include <compare>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/record_shape.hpp"

namespace rs::partition {

class Key {
 public:
  Key() = default;
  Key(const uint8_t* data, size_t size) : bytes_(reinterpret_cast<const char*>(data), size) {}
  // The key of the record at `record`.
  static Key Of(const uint8_t* record, const RecordShape& shape) {
    return Key(record + shape.key_offset, shape.key_size);
  }

  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(bytes_.data()); }
  size_t size() const { return bytes_.size(); }

  // memcmp order, then the shorter first (every key of one job has the same length).
  friend std::strong_ordering operator<=>(const Key& a, const Key& b) {
    const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    if (c != 0) return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    return a.size() <=> b.size();
  }
  friend bool operator==(const Key& a, const Key& b) { return a.bytes_ == b.bytes_; }

 private:
  // A string for its inline buffer: keys of up to 15 bytes (gensort's 10) never allocate.
  std::string bytes_;
};

}  // namespace rs::partition
