// core/key_prefix.hpp — how a record's key becomes the 80 key bits of a SortEntry, per
// record shape (docs/records.md#sorting-other-shapes). gensort's 100/10/0 is a compile-time type,
// so its hot loops stay what they were; any other shape is one runtime type. Keys shorter than 10
// bytes are padded with zeros (padding keeps memcmp order: keys that differ, differ within their K
// bytes); keys longer than 10 bytes leave ties of equal prefixes for RecordSorter to break on the
// rest of the key. Plain value types, any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "core/record.hpp"
#include "core/record_shape.hpp"

namespace rs {

// gensort's records: 100 bytes, the 10-byte key at 0.
struct GensortKeyPrefix {
  // A type that is the constant: `const auto size = prefix.record_size()` stays a compile-time 100
  // inside the lambdas the loops run in (captured by reference, a plain size_t would be loaded and
  // multiplied at run time), so each record's copy is a fixed-size move.
  static constexpr std::integral_constant<size_t, kRecordSize> record_size() { return {}; }
  static constexpr bool has_rest() { return false; }  // the prefix is the whole key
  KeyWords operator()(const uint8_t* record) const { return LoadKeyWords(record); }
};

// Any shape: the key's first min(K, 10) bytes at offset O, zero-padded to 10. Never reads past
// the key (the last record of a buffer may end with it).
struct ShapeKeyPrefix {
  explicit ShapeKeyPrefix(const RecordShape& s) : size(s.size), offset(s.key_offset), key(s.key_size) {}
  size_t size, offset, key;
  size_t record_size() const { return size; }
  bool has_rest() const { return key > kKeySize; }
  KeyWords operator()(const uint8_t* record) const {
    const uint8_t* k = record + offset;
    if (key >= kKeySize) return LoadKeyWords(k);
    uint8_t padded[kKeySize] = {};
    std::memcpy(padded, k, key);
    return LoadKeyWords(padded);
  }
};

}  // namespace rs
