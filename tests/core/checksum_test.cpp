// tests/core/checksum_test.cpp — per-record CRC-32 and the 128-bit sum (docs/gensort-spec.md §7).
#include "core/checksum.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/record.hpp"

namespace rs {
namespace {

TEST(Checksum, StandardCrc32) {
  // docs/gensort-spec.md §3 record 0, whose CRC docs/gensort-spec.md §7 gives as 9ea593a0.
  const char* hex =
      "4a696d4772617952495065080060836b392cd58b8f5e55961855e79b87f02283a466b6aab1f9e0ca"
      "cf1e26b3292afd1064bb18b56ac07d6f656b1d2f430d57bde7e47d81f36a6dd267948bbc2397bfe2"
      "8c334e4ad82b8e70166293cfaa0116bfda3bb1ab";
  uint8_t rec[kRecordSize];
  for (size_t i = 0; i < kRecordSize; ++i) rec[i] = uint8_t(std::stoul(std::string(hex + 2 * i, 2), nullptr, 16));
  EXPECT_EQ(RecordCrc(rec), 0x9ea593a0u);  // docs/gensort-spec.md §7: record 0 has CRC 9ea593a0
}

// zlib's CRC-32 one bit at a time, from its definition: the oracle for Crc32's library code.
uint32_t BitwiseCrc32(uint32_t crc, const uint8_t* p, size_t n) {
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) {
    crc ^= p[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ ((crc & 1) ? 0xEDB88320u : 0);
  }
  return ~crc;
}

TEST(Checksum, Crc32IsZlibsOnEveryLengthAndAlignment) {
  const char* check = "123456789";  // CRC-32's catalogued check value
  EXPECT_EQ(Crc32(0, check, 9), 0xCBF43926u);
  std::vector<uint8_t> bytes(70000 + 64);
  uint32_t x = 777;
  for (auto& b : bytes) b = uint8_t((x = x * 1103515245u + 12345u) >> 24);
  // Lengths across the library's short, folding and tail paths, at every alignment mod 64, and
  // continued from a CRC that is not 0 (a stream summed in pieces).
  for (size_t align = 0; align < 64; ++align) {
    for (size_t len : {size_t(0), size_t(1), size_t(15), size_t(16), size_t(63), size_t(64), size_t(100), size_t(255),
                       size_t(256), size_t(257), size_t(511), size_t(1000), size_t(6400), size_t(70000)}) {
      const uint8_t* d = bytes.data() + align;
      ASSERT_EQ(Crc32(0, d, len), BitwiseCrc32(0, d, len)) << "len " << len << " align " << align;
      ASSERT_EQ(Crc32(0x9ea593a0u, d, len), BitwiseCrc32(0x9ea593a0u, d, len)) << "len " << len << " align " << align;
    }
  }
}

TEST(Checksum, SumIsOrderFreeAndWide) {
  std::vector<uint8_t> recs(3 * kRecordSize);
  for (size_t i = 0; i < recs.size(); ++i) recs[i] = uint8_t(i * 7);
  Checksum128 a;
  a.AddRecords(recs.data(), 3, kRecordSize);
  Checksum128 b;
  for (int i = 2; i >= 0; --i) b.AddRecord(recs.data() + i * kRecordSize);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.value(), u128(RecordCrc(recs.data())) + RecordCrc(recs.data() + 100) + RecordCrc(recs.data() + 200));
  // No 64-bit wrap: a terabyte sort's sum exceeds 2^64 (docs/gensort-spec.md §7).
  Checksum128 big(~uint64_t(0));
  big += Checksum128(5);
  EXPECT_EQ(big.ToString(), "10000000000000004");
}

TEST(Checksum, JoinedCrcsEqualTheWholeStreamsCrc) {
  std::vector<uint8_t> bytes(70000);
  uint32_t x = 12345;
  for (auto& b : bytes) b = uint8_t((x = x * 1103515245u + 12345u) >> 24);
  const uint8_t* d = bytes.data();
  // Every split of short streams (B empty, A empty, both), then splits of a long one.
  for (size_t len = 0; len <= 40; ++len) {
    for (size_t at = 0; at <= len; ++at) {
      EXPECT_EQ(Crc32Join(Crc32(0, d, at), Crc32(0, d + at, len - at), len - at), Crc32(0, d, len))
          << "len " << len << " split at " << at;
    }
  }
  for (size_t at : {size_t(1), size_t(100), size_t(4096), size_t(33333), size_t(69999)}) {
    EXPECT_EQ(Crc32Join(Crc32(0, d, at), Crc32(0, d + at, bytes.size() - at), bytes.size() - at),
              Crc32(0, d, bytes.size()));
  }
  // Many blocks joined one after another, as the gather joins its tasks' pieces, a short last one too.
  const size_t block = 6400, blocks = bytes.size() / block, tail = bytes.size() - blocks * block;
  uint32_t crc = 0;
  for (size_t b = 0; b < blocks; ++b) crc = Crc32Join(crc, Crc32(0, d + b * block, block), block);
  crc = Crc32Join(crc, Crc32(0, d + blocks * block, tail), tail);
  EXPECT_EQ(crc, Crc32(0, d, bytes.size()));
  EXPECT_EQ(Crc32(0, d, 100), RecordCrc(d));
}

}  // namespace
}  // namespace rs
