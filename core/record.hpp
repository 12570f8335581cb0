// core/record.hpp — the Sort Benchmark record: 100 bytes, a 10-byte key compared as unsigned bytes.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rs {

inline constexpr size_t kRecordSize = 100;
inline constexpr size_t kKeySize = 10;

// memcmp compares as unsigned char, which is the benchmark's key order.
inline int CompareKeys(const uint8_t* a, const uint8_t* b) { return std::memcmp(a, b, kKeySize); }

// The 10-byte key as two big-endian integers, its first 8 bytes and its last 2: comparing
// (hi, lo) as integers is memcmp order, without a library call per record. The one place the
// sorts, merges, splitters and validation load keys from records (two unaligned loads and byte
// swaps on a little-endian host).
struct KeyWords {
  uint64_t hi;
  uint16_t lo;
};
inline KeyWords LoadKeyWords(const uint8_t* key) {
  uint64_t hi;
  uint16_t lo;
  std::memcpy(&hi, key, 8);
  std::memcpy(&lo, key + 8, 2);
  if constexpr (std::endian::native == std::endian::little) {
    hi = __builtin_bswap64(hi);
    lo = __builtin_bswap16(lo);
  }
  return {hi, lo};
}

// The low `bytes` bytes of v, most significant first, and back: memcmp order is numeric order, so
// AllReduceMinBytes finds minima (and, of complements, maxima) of such fields.
inline void PutBigEndian(uint64_t v, size_t bytes, uint8_t* out) {
  for (size_t i = 0; i < bytes; ++i) out[i] = uint8_t(v >> (8 * (bytes - 1 - i)));
}
inline uint64_t GetBigEndian(const uint8_t* in, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v = (v << 8) | in[i];
  return v;
}

}  // namespace rs
