// tests/sort/record_shape_sort_test.cpp — RecordSorter on records of other shapes
// (docs/records.md#sorting-other-shapes) against std::stable_sort by memcmp of the key at its
// offset: the shapes, keys shorter than the entry's 10 key bytes (padded), longer ones
// (ties broken on the rest, also in a run of 40,000 equal prefixes, sorted in parallel), keys
// sharing a 20-byte prefix, few distinct and all-equal keys, uneven spans, 1 and 2 threads.
#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/record_shape.hpp"
#include "sort/incore/record_sorter.hpp"

namespace rs::sort {
namespace {

using Bytes = std::vector<uint8_t>;
enum class Keys { kRandom, kFew, kEqual, kPrefix20, kLastByte, kRunsPerFirstByte };

// Random records; then the keys as asked. Every payload byte stays random, so equal keys are
// told apart by where the sort put them.
Bytes Make(const RecordShape& s, uint64_t n, Keys keys, uint32_t seed) {
  Bytes b(n * s.size);
  std::mt19937_64 rng(seed);
  for (auto& x : b) x = uint8_t(rng());
  for (uint64_t i = 0; i < n; ++i) {
    uint8_t* key = b.data() + i * s.size + s.key_offset;
    switch (keys) {
      case Keys::kRandom:
        break;
      case Keys::kFew:
        std::memset(key, int(rng() % 3), s.key_size);
        break;
      case Keys::kEqual:
        std::memset(key, 0x5A, s.key_size);
        break;
      case Keys::kPrefix20:  // the first min(20, K - 1) bytes shared
        std::memset(key, 0x77, std::min<size_t>(20, s.key_size - 1));
        break;
      case Keys::kLastByte:  // only the key's last byte differs
        std::memset(key, 0x11, s.key_size - 1);
        break;
      case Keys::kRunsPerFirstByte:  // bytes 1-10 shared: a run of equal 10-byte prefixes per first byte
        std::memset(key + 1, 0x33, std::min<size_t>(10, s.key_size - 1));
        break;
    }
  }
  return b;
}

Bytes Reference(const RecordShape& s, const Bytes& in) {
  const uint64_t n = in.size() / s.size;
  std::vector<uint64_t> idx(n);
  for (uint64_t i = 0; i < n; ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](uint64_t a, uint64_t b) {
    return std::memcmp(in.data() + a * s.size + s.key_offset, in.data() + b * s.size + s.key_offset, s.key_size) < 0;
  });
  Bytes out(in.size());
  for (uint64_t i = 0; i < n; ++i) std::memcpy(out.data() + i * s.size, in.data() + idx[i] * s.size, s.size);
  return out;
}

// Sorts `in` as three spans (the middle one empty) on `threads` threads.
Bytes SortedBy(const RecordShape& s, const Bytes& in, int threads) {
  const uint64_t n = in.size() / s.size, cut = n / 3;
  auto sorter = RecordSorter::Create(n, s);
  EXPECT_TRUE(sorter.ok()) << sorter.status().message();
  std::vector<RecordSpan> spans = {{in.data(), cut}, {nullptr, 0}, {in.data() + cut * s.size, n - cut}};
  Bytes out(in.size() + 16);
  uint8_t* to = out.data() + (s.size % 16 == 0 ? 0 : 1);  // unaligned output where records are
  tbb::task_arena arena(threads);
  Status st = arena.execute([&] { return (*sorter)->Sort(spans, to); });
  EXPECT_TRUE(st.ok()) << st.message();
  return Bytes(to, to + in.size());
}

TEST(RecordShapeSort, EveryShapeAndKeyKindAgainstStableSort) {
  for (const RecordShape s :
       {RecordShape{64, 8, 0}, RecordShape{128, 16, 0}, RecordShape{100, 10, 50}, RecordShape{16, 16, 0},
        RecordShape{4096, 32, 100}, RecordShape{8, 1, 7}, RecordShape{64, 24, 8}, RecordShape{4097, 20, 3},
        RecordShape{65536, 8, 0}, RecordShape{100, 10, 0}}) {
    const uint64_t n = s.size >= 4096 ? 301 : 5003;
    for (Keys k : {Keys::kRandom, Keys::kFew, Keys::kEqual, Keys::kPrefix20, Keys::kLastByte}) {
      if (k == Keys::kLastByte && s.key_size < 2) continue;
      const Bytes in = Make(s, n, k, 17 + uint32_t(k));
      const Bytes want = Reference(s, in);
      for (int threads : {1, 2}) {
        EXPECT_TRUE(SortedBy(s, in, threads) == want) << s.ToString() << " keys " << int(k) << " threads " << threads;
      }
    }
  }
}

// One run of 40,000 equal 10-byte prefixes (above the grain that sorts a run in parallel), keys
// that differ only beyond the prefix, and a run of a few: the rest of the key decides, input
// order breaks exact ties.
TEST(RecordShapeSort, LongRunsOfEqualPrefixesSortOnTheRestOfTheKey) {
  const RecordShape s{64, 24, 8};
  Bytes in = Make(s, 40000, Keys::kPrefix20, 5);
  for (uint64_t i = 0; i < 40000; i += 7) std::memset(in.data() + i * 64 + 8 + 12, 0, 12);  // exact ties too
  EXPECT_TRUE(SortedBy(s, in, 2) == Reference(s, in));
  EXPECT_TRUE(SortedBy(s, in, 1) == Reference(s, in));
}

// 300,000 records: several chunks of the parallel build and of the tie-breaking pass, whose runs
// of equal prefixes cross chunk boundaries (few distinct keys: three runs of ~100,000 each).
TEST(RecordShapeSort, TiesBrokenAcrossParallelChunks) {
  const RecordShape s{64, 24, 8};
  for (Keys k : {Keys::kFew, Keys::kPrefix20}) {
    const Bytes in = Make(s, 300000, k, 9);
    EXPECT_TRUE(SortedBy(s, in, 2) == Reference(s, in)) << int(k);
  }
}

// The sort finished bucket by bucket by the Gathers (onepass's way), gathered in pieces of
// varying sizes: the ties of each bucket's equal prefixes are broken before its records are
// gathered. 300,000 records are above one parallel radix level, so buckets are left pending
// (with random keys, and with a run of equal prefixes in each of 256 first-byte buckets).
TEST(RecordShapeSort, FinishedByTheGathersInPieces) {
  // And the gathers' CRC-32 of what they write: 4096-byte records fill the gather's staging block
  // one at a time, 65,536-byte ones skip it (too few of either to leave buckets pending, so for
  // them only the gathering in pieces and its CRC are tested here).
  for (const RecordShape s : {RecordShape{64, 24, 8}, RecordShape{64, 8, 0}, RecordShape{16, 16, 0},
                              RecordShape{4096, 32, 100}, RecordShape{65536, 16, 0}}) {
    for (Keys k : {Keys::kRandom, Keys::kRunsPerFirstByte, Keys::kFew, Keys::kPrefix20}) {
      const uint64_t n = s.size >= 4096 ? (12u << 20) / s.size : 300000;  // 12 MiB of large records
      const Bytes in = Make(s, n, k, 21 + uint32_t(k));
      const Bytes want = Reference(s, in);
      auto sorter = RecordSorter::Create(n, s);
      ASSERT_TRUE(sorter.ok()) << sorter.status().message();
      const RecordSpan span{in.data(), n};
      tbb::task_arena arena(2);
      Status st = arena.execute([&] {
        return (*sorter)->SortEntries({&span, 1}, RecordSorter::Finish::kWhenGathered);
      });
      ASSERT_TRUE(st.ok()) << st.message();
      Bytes out(in.size());
      std::mt19937_64 rng{uint32_t(k)};
      uint32_t crc = 0;  // summed by the Gathers, as the run former's journal CRC is
      for (uint64_t first = 0; first < n;) {
        const uint64_t count = std::min<uint64_t>(1 + rng() % std::min<uint64_t>(n / 4, 9000), n - first);
        arena.execute([&] { (*sorter)->Gather(first, count, out.data() + first * s.size, &crc); });
        first += count;
      }
      EXPECT_TRUE(out == want) << s.ToString() << " keys " << int(k);
      EXPECT_EQ(crc, Crc32(0, want.data(), want.size())) << s.ToString() << " keys " << int(k);
      if (n >= 300000 && (k == Keys::kRandom || k == Keys::kRunsPerFirstByte)) {
        EXPECT_GT((*sorter)->last_timings().sort_in_gather_s, 0) << s.ToString();
      }
    }
  }
}

}  // namespace
}  // namespace rs::sort
