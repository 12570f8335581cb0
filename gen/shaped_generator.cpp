// gen/shaped_generator.cpp — counter-based random records: every 8 bytes of record N are a
// SplitMix64 finalizer of (N, word index), so any record is made without its predecessors.
#include "gen/shaped_generator.hpp"

#include <libdeflate.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gen/record_generator.hpp"

namespace rs::gen {

namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ULL;
// Distinct salts keep the record's bytes, its choices and the pool's keys independent streams.
constexpr uint64_t kChoiceSalt = 0xD1B54A32D192ED03ULL;
constexpr uint64_t kPoolSalt = 0x8CB92BA72F3D8DD7ULL;
constexpr uint64_t kHotSalt = 0xABC98388FB8FAC03ULL;

inline uint64_t Mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Fills `bytes` bytes from the stream starting at `seed`, 8 bytes per word.
inline void Fill(uint64_t seed, uint8_t* out, size_t bytes) {
  size_t i = 0;
  for (uint64_t w = 1; i + 8 <= bytes; i += 8, ++w) {
    const uint64_t v = Mix(seed + w * kGolden);
    std::memcpy(out + i, &v, 8);
  }
  if (i < bytes) {
    const uint64_t v = Mix(seed + (bytes / 8 + 1) * kGolden);
    std::memcpy(out + i, &v, bytes - i);
  }
}

// gensort's skew (docs/gensort-spec.md §5) on the key's first up to 6 bytes: a record takes b of
// those bits, b uniform in 0..63 and used when 1..48 (and within the key), from a hot value chosen
// by the magnitude of its number, so most keys crowd around 129 hot prefixes.
inline void Skew(u128 n, uint64_t choice, uint8_t* key, size_t key_size) {
  const unsigned width = unsigned(std::min<size_t>(key_size, 6)) * 8;
  const unsigned b = unsigned(Mix(choice ^ kHotSalt) >> 58);  // a hash of its own, not the duplicate draw's bits
  if (b == 0 || b > width) return;
  uint64_t prefix = 0;
  for (unsigned i = 0; i < width / 8; ++i) prefix = prefix << 8 | key[i];
  const uint64_t hot = Mix(kHotSalt + uint64_t(SkewIndex(n)) * kGolden) >> (64 - width);
  const uint64_t mask = ((uint64_t(1) << width) - 1) & ~((uint64_t(1) << (width - b)) - 1);  // width <= 48
  prefix = (prefix & ~mask) | (hot & mask);
  for (unsigned i = width / 8; i-- > 0; prefix >>= 8) key[i] = uint8_t(prefix);
}

}  // namespace

Checksum128 GenerateShapedRecords(const ShapedMode& mode, u128 first, uint64_t count, uint8_t* out) {
  const size_t size = mode.shape.size, key_size = mode.shape.key_size, offset = mode.shape.key_offset;
  // A record draws a pooled key when its choice word is below F * 2^64 (F = 1: every record).
  const uint64_t dup_below = mode.duplicates >= 1   ? ~uint64_t(0)
                             : mode.duplicates <= 0 ? 0
                                                    : uint64_t(std::ldexp(mode.duplicates, 64));
  u128 sum = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const u128 n = first + i;
    const uint64_t seed = Mix(Lo64(n) ^ Mix(Hi64(n) + kGolden));
    uint8_t* rec = out + i * size;
    Fill(seed, rec, size);
    const uint64_t choice = Mix(seed ^ kChoiceSalt);
    uint8_t* key = rec + offset;
    if (mode.duplicates >= 1 || choice < dup_below) {
      Fill(Mix(kPoolSalt + Mix(choice) % kDuplicateKeys), key, key_size);
    } else if (mode.skew) {
      Skew(n, choice, key, key_size);
    }
    sum += libdeflate_crc32(0, rec, size);
  }
  return Checksum128(sum);
}

}  // namespace rs::gen
