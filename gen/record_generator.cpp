// gen/record_generator.cpp — gensort 1.5 record layouts (docs/gensort-spec.md §3-5).
//
// A binary record N is made of the top 10 bytes of the ten states X_{N+1} .. X_{N+10}, the last
// nine XORed with fixed masks. Consecutive records share nine of their ten states, so the loop
// keeps a ring of the last ten states' top bytes and steps the LCG once per record.
#include "gen/record_generator.hpp"

#include <libdeflate.h>

#include <array>
#include <cstring>

#include "core/record.hpp"
#include "gen/lcg128.hpp"

namespace rs::gen {

namespace {

// XOR masks of bytes 10..99 (docs/gensort-spec.md §3), one row per 10-byte field 1..9.
constexpr uint8_t kMasks[9][10] = {
    {0xF0, 0xE8, 0xE4, 0xE2, 0xE1, 0xD8, 0xD4, 0xD2, 0xD1, 0xCC},
    {0xCA, 0xC9, 0xC6, 0xC5, 0xC3, 0xB8, 0xB4, 0xB2, 0xB1, 0xAC},
    {0xAA, 0xA9, 0xA6, 0xA5, 0xA3, 0x9C, 0x9A, 0x99, 0x96, 0x95},
    {0x93, 0x8E, 0x8D, 0x8B, 0x87, 0x78, 0x74, 0x72, 0x71, 0x6C},
    {0x6A, 0x69, 0x66, 0x65, 0x63, 0x5C, 0x5A, 0x59, 0x56, 0x55},
    {0x53, 0x4E, 0x4D, 0x4B, 0x47, 0x3C, 0x3A, 0x39, 0x36, 0x35},
    {0x33, 0x2E, 0x2D, 0x2B, 0x27, 0x1E, 0x1D, 0x1B, 0x17, 0x0F},
    {0xC8, 0xC4, 0xC2, 0xC1, 0x98, 0x94, 0x92, 0x91, 0x8C, 0xE0},
    {0x17, 0x0F, 0x33, 0x2E, 0x2D, 0x2B, 0x27, 0x1E, 0x1D, 0x1B},
};

// The top 10 bytes of a state in memory order: 8 bytes, then 2.
struct Top {
  uint64_t w8;
  uint16_t w2;
};

inline Top TopOf(u128 x) { return {__builtin_bswap64(Hi64(x)), __builtin_bswap16(uint16_t(Lo64(x) >> 48))}; }

struct MaskWords {
  std::array<Top, 9> m;
  MaskWords() {
    for (int j = 0; j < 9; ++j) {
      std::memcpy(&m[j].w8, kMasks[j], 8);
      std::memcpy(&m[j].w2, kMasks[j] + 8, 2);
    }
  }
};
const MaskWords kMaskWords;

constexpr int kHotEntries = 129;

// Writes the unskewed ASCII key of a record whose head state is h.
inline void AsciiKey(u128 h, uint8_t* out) {
  uint64_t hi = Hi64(h), lo = Lo64(h);
  for (int k = 0; k < 8; ++k) {
    out[k] = uint8_t(0x20 + hi % 95);
    hi /= 95;
  }
  out[8] = uint8_t(0x20 + lo % 95);
  out[9] = uint8_t(0x20 + (lo / 95) % 95);
}

// Hot prefixes of docs/gensort-spec.md §5: entry k comes from the unskewed record k (head state X_{k+1}).
struct HotTables {
  std::array<uint64_t, kHotEntries> binary;  // 48-bit values: top 6 key bytes
  std::array<std::array<uint8_t, 10>, kHotEntries> ascii;
  HotTables() {
    u128 x = LcgStep(0);  // X_1
    for (int k = 0; k < kHotEntries; ++k, x = LcgStep(x)) {
      binary[k] = Hi64(x) >> 16;
      AsciiKey(x, ascii[k].data());
    }
  }
};
const HotTables& Hot() {
  static const HotTables tables;
  return tables;
}

constexpr char kHexUpper[] = "0123456789ABCDEF";

inline void Hex16(uint64_t v, uint8_t* out) {
  for (int k = 15; k >= 0; --k) {
    out[k] = uint8_t(kHexUpper[v & 15]);
    v >>= 4;
  }
}

inline void AsciiRecord(u128 n, u128 h, uint8_t* out) {
  AsciiKey(h, out);
  out[10] = out[11] = ' ';
  Hex16(Hi64(n), out + 12);
  Hex16(Lo64(n), out + 28);
  out[44] = out[45] = ' ';
  uint64_t lo = Lo64(h);
  for (int k = 0; k < 13; ++k) {
    uint8_t ch = uint8_t(kHexUpper[(lo >> (48 - 4 * k)) & 15]);
    std::memset(out + 46 + 4 * k, ch, 4);
  }
  out[98] = '\r';
  out[99] = '\n';
}

inline void SkewAscii(u128 n, u128 h, uint8_t* out) {
  unsigned c = unsigned(Lo64(h) >> 32) & 7;
  if (c > 6) c = 0;
  if (c != 0) std::memcpy(out, Hot().ascii[SkewIndex(n)].data(), c);
}

inline void SkewBinary(u128 n, u128 h, uint8_t* out) {
  unsigned b = unsigned(Lo64(h) >> 32) & 63;
  if (b > 48) b = 0;
  if (b == 0) return;
  constexpr uint64_t k48 = (uint64_t(1) << 48) - 1;
  uint64_t mask = k48 & ~((uint64_t(1) << (48 - b)) - 1);
  uint64_t hi = Hi64(h);
  uint64_t key48 = ((hi >> 16) & ~mask) | (Hot().binary[SkewIndex(n)] & mask);
  uint64_t w8 = __builtin_bswap64((key48 << 16) | (hi & 0xFFFF));
  std::memcpy(out, &w8, 8);
}

inline uint32_t Crc(const uint8_t* rec) { return libdeflate_crc32(0, rec, kRecordSize); }

Checksum128 GenerateBinary(bool skew, u128 first, uint64_t count, uint8_t* out) {
  const auto& mw = kMaskWords.m;
  Top ring[16];
  u128 heads[16];  // full head states, for the skew decision
  u128 x = LcgState(first + 1);
  for (int k = 0; k < 10; ++k) {
    ring[k] = TopOf(x);
    heads[k] = x;
    if (k < 9) x = LcgStep(x);
  }
  u128 sum = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t* rec = out + i * kRecordSize;
    const Top& key = ring[i & 15];
    std::memcpy(rec, &key.w8, 8);
    std::memcpy(rec + 8, &key.w2, 2);
    for (int j = 1; j < 10; ++j) {
      const Top& t = ring[(i + j) & 15];
      uint64_t w8 = t.w8 ^ mw[j - 1].w8;
      uint16_t w2 = uint16_t(t.w2 ^ mw[j - 1].w2);
      std::memcpy(rec + 10 * j, &w8, 8);
      std::memcpy(rec + 10 * j + 8, &w2, 2);
    }
    if (skew) SkewBinary(first + i, heads[i & 15], rec);
    sum += Crc(rec);
    x = LcgStep(x);  // X_{N+11}: the last state of the next record
    ring[(i + 10) & 15] = TopOf(x);
    heads[(i + 10) & 15] = x;
  }
  return Checksum128(sum);
}

Checksum128 GenerateAscii(bool skew, u128 first, uint64_t count, uint8_t* out) {
  u128 h = LcgState(first + 1);
  u128 sum = 0;
  for (uint64_t i = 0; i < count; ++i, h = LcgStep(h)) {
    uint8_t* rec = out + i * kRecordSize;
    AsciiRecord(first + i, h, rec);
    if (skew) SkewAscii(first + i, h, rec);
    sum += Crc(rec);
  }
  return Checksum128(sum);
}

}  // namespace

int SkewIndex(u128 n) {
  uint64_t hi = Hi64(n), lo = Lo64(n);
  if (hi == 0) {
    if (lo == 0) return 0;
    if (lo >> 60) return 64;  // quirk: the original tests the top 4 bits
    return 64 - __builtin_clzll(lo);
  }
  if (hi >> 60) return 128;  // same quirk above 2^124
  return 128 - __builtin_clzll(hi);
}

Checksum128 GenerateRecords(GenMode mode, u128 first, uint64_t count, uint8_t* out) {
  return mode.ascii ? GenerateAscii(mode.skew, first, count, out) : GenerateBinary(mode.skew, first, count, out);
}

}  // namespace rs::gen
