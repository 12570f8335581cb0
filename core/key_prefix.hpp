// core/key_prefix.hpp — how a record's key becomes the 80 key bits of a SortEntry, per
// record shape (docs/records.md#sorting-other-shapes). gensort's 100/10/0 is a compile-time type,
// so its hot loops stay what they were; any other shape is one runtime type. Keys shorter than 10
// bytes are padded with zeros (padding keeps memcmp order: keys that differ, differ within their K
// bytes); keys longer than 10 bytes leave ties of equal prefixes for RecordSorter to break on the
// rest of the key. Plain value types, any thread.
#pragma once

#include <bit>
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
  static constexpr size_t key_offset() { return 0; }
  KeyWords operator()(const uint8_t* record) const { return LoadKeyWords(record); }
};

// Any shape: the key's first min(K, 10) bytes at offset O, zero-padded to 10. Never reads past
// the key (the last record of a buffer may end with it). `Size` is size_t, or a
// std::integral_constant for the record sizes WithKeyPrefix makes constants.
template <class Size = size_t>
struct ShapeKeyPrefix {
  explicit ShapeKeyPrefix(const RecordShape& s) : offset(s.key_offset), key(s.key_size) {
    if constexpr (std::is_same_v<Size, size_t>) size = s.size;
  }
  Size size{};
  size_t offset, key;
  Size record_size() const { return size; }
  size_t key_offset() const { return offset; }
  KeyWords operator()(const uint8_t* record) const {
    const uint8_t* k = record + offset;
    if (key >= kKeySize) return LoadKeyWords(k);
    if (key >= 8) {  // 8 or 9 bytes: one 8-byte load, and the ninth byte where there is one
      uint64_t hi;
      std::memcpy(&hi, k, 8);
      if constexpr (std::endian::native == std::endian::little) hi = __builtin_bswap64(hi);
      return {hi, uint16_t(key == 9 ? uint16_t(k[8]) << 8 : 0)};
    }
    uint8_t padded[kKeySize] = {};
    std::memcpy(padded, k, key);
    return LoadKeyWords(padded);
  }
};

// Runs f(prefix) with the key-prefix loader of `shape`: gensort's at compile time; records of 64
// and 128 bytes with their size a constant (each record's copy then a fixed-size move: the
// Sort Benchmark's 8-byte keys in 64-byte tuples, docs/records.md#cost-per-shape); any other with
// a runtime size. Chosen once per buffer or sort, never per record.
template <class F>
decltype(auto) WithKeyPrefix(const RecordShape& shape, F&& f) {
  if (shape.IsGensort()) return f(GensortKeyPrefix{});
  if (shape.size == 64) return f(ShapeKeyPrefix<std::integral_constant<size_t, 64>>(shape));
  if (shape.size == 128) return f(ShapeKeyPrefix<std::integral_constant<size_t, 128>>(shape));
  return f(ShapeKeyPrefix<>(shape));
}

}  // namespace rs
