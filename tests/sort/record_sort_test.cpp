// tests/sort/record_sort_test.cpp — RecordSorter against std::stable_sort by key: random, gensort
// (all modes), equal keys, shared prefixes, sorted/reversed input, uneven spans, thread counts,
// unaligned output, gathering in pieces, refusals.
#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/config.hpp"
#include "core/record.hpp"
#include "gen/record_generator.hpp"
#include "sort/incore/record_sorter.hpp"

namespace rs::sort {
namespace {

// Above the parallel-level threshold, so the chunked levels and nested buckets run too.
constexpr uint64_t kLarge = 300007;

using Bytes = std::vector<uint8_t>;

Bytes RandomRecords(uint64_t count, uint32_t seed) {
  Bytes b(count * kRecordSize);
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < b.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(b.data() + i, &v, std::min<size_t>(8, b.size() - i));
  }
  return b;
}

// Writes each record's index into bytes 10..17 of the payload, so equal keys stay distinguishable.
void NumberPayloads(Bytes& b) {
  for (uint64_t i = 0; i < b.size() / kRecordSize; ++i) std::memcpy(b.data() + i * kRecordSize + 10, &i, 8);
}

Bytes Generated(gen::GenMode mode, u128 first, uint64_t count) {
  Bytes b(count * kRecordSize);
  gen::GenerateRecords(mode, first, count, b.data());
  return b;
}

// The records of `in` stable-sorted by key.
Bytes Reference(const Bytes& in) {
  const uint64_t n = in.size() / kRecordSize;
  std::vector<uint32_t> idx(n);
  for (uint32_t i = 0; i < n; ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](uint32_t a, uint32_t b) {
    return CompareKeys(in.data() + a * kRecordSize, in.data() + b * kRecordSize) < 0;
  });
  Bytes out(in.size());
  for (uint64_t i = 0; i < n; ++i)
    std::memcpy(out.data() + i * kRecordSize, in.data() + idx[i] * kRecordSize, kRecordSize);
  return out;
}

Checksum128 Sum(const Bytes& b) {
  Checksum128 c;
  c.AddRecords(b.data(), b.size() / kRecordSize, kRecordSize);
  return c;
}

// Cuts `in` into spans of the given sizes (they must add up to the record count).
std::vector<RecordSpan> Spans(const Bytes& in, const std::vector<uint64_t>& sizes) {
  std::vector<RecordSpan> spans;
  uint64_t at = 0;
  for (uint64_t s : sizes) {
    spans.push_back({s == 0 ? nullptr : in.data() + at * kRecordSize, s});
    at += s;
  }
  EXPECT_EQ(at * kRecordSize, in.size());
  return spans;
}

std::vector<uint64_t> OneSpan(const Bytes& in) { return {in.size() / kRecordSize}; }

// Sorts `in` cut into spans of `sizes` with `threads` TBB threads and checks the result against
// the stable reference, byte for byte, and the checksum.
// out_offset shifts the output off 16-byte alignment (the gather then skips streaming stores).
void ExpectSorted(const Bytes& in, const std::vector<uint64_t>& sizes, int threads = 2, RecordSorter* sorter = nullptr,
                  size_t out_offset = 0) {
  const uint64_t n = in.size() / kRecordSize;
  std::unique_ptr<RecordSorter> own;
  if (sorter == nullptr) {
    auto created = RecordSorter::Create(n, RecordShape{});
    ASSERT_TRUE(created.ok()) << created.status().message();
    own = std::move(created.value());
    sorter = own.get();
  }
  const std::vector<RecordSpan> spans = Spans(in, sizes);
  // Guard bytes on each side: nothing may be written outside the output. 128 keeps the
  // vector's 16-byte alignment.
  constexpr size_t kGuard = 128;
  Bytes padded(in.size() + 2 * kGuard + out_offset, 0xEE);
  uint8_t* const at = padded.data() + kGuard + out_offset;
  Status st;
  tbb::task_arena arena(threads);
  arena.execute([&] { st = sorter->Sort(spans, at); });
  ASSERT_TRUE(st.ok()) << st.message();
  for (uint8_t* p = padded.data(); p < at; ++p) ASSERT_EQ(*p, 0xEE) << "write before the output";
  for (uint8_t* p = at + in.size(); p < padded.data() + padded.size(); ++p) ASSERT_EQ(*p, 0xEE) << "write past the end";
  const Bytes out(at, at + in.size());
  const Bytes want = Reference(in);
  if (out != want) {
    for (uint64_t i = 0; i < n; ++i) {
      ASSERT_EQ(0, std::memcmp(out.data() + i * kRecordSize, want.data() + i * kRecordSize, kRecordSize))
          << "first difference at record " << i << " of " << n;
    }
  }
  EXPECT_EQ(Sum(out), Sum(in));
}

// Checks of the output that do not rest on the reference sort: keys never decrease; the output
// is a permutation of the input (both sides' records sorted as 100-byte strings are equal, and so
// are the checksums); records with equal keys keep their input order, read from the payload
// numbers NumberPayloads wrote (bytes 10..17).
void ExpectOrderedPermutationKeepingTies(const Bytes& in, const Bytes& out, const std::string& what) {
  ASSERT_EQ(out.size(), in.size()) << what;
  const uint64_t n = in.size() / kRecordSize;
  uint64_t descents = 0, unstable = 0;
  for (uint64_t i = 1; i < n; ++i) {
    const uint8_t* a = out.data() + (i - 1) * kRecordSize;
    const uint8_t* b = out.data() + i * kRecordSize;
    const int c = std::memcmp(a, b, kKeySize);
    descents += c > 0;
    uint64_t ia, ib;
    std::memcpy(&ia, a + 10, 8);
    std::memcpy(&ib, b + 10, 8);
    unstable += c == 0 && ia >= ib;
  }
  EXPECT_EQ(descents, 0u) << what << ": keys out of order";
  EXPECT_EQ(unstable, 0u) << what << ": equal keys not in input order";
  auto records = [](const Bytes& b) {
    std::vector<std::string> r;
    for (size_t i = 0; i < b.size(); i += kRecordSize)
      r.emplace_back(reinterpret_cast<const char*>(&b[i]), kRecordSize);
    std::sort(r.begin(), r.end());
    return r;
  };
  EXPECT_TRUE(records(out) == records(in)) << what << ": not a permutation of the input";
  EXPECT_EQ(Sum(out), Sum(in)) << what;
}

// One Sort of `in` by a sorter of `capacity` records, with guard bytes after the output.
Bytes SortOnce(const Bytes& in, uint64_t capacity) {
  auto sorter = RecordSorter::Create(capacity, RecordShape{});
  EXPECT_TRUE(sorter.ok());
  if (!sorter.ok()) return {};
  Bytes out(in.size() + kRecordSize, 0xEE);
  const RecordSpan span{in.empty() ? nullptr : in.data(), in.size() / kRecordSize};
  const Status st = (*sorter)->Sort({&span, 1}, out.data());
  EXPECT_TRUE(st.ok()) << st.message();
  for (size_t i = in.size(); i < out.size(); ++i) EXPECT_EQ(out[i], 0xEE) << "write past the output";
  out.resize(in.size());
  return out;
}

// Edge sizes (nothing, one record, a few in a sorter made for many), all-equal keys, few
// distinct keys, and gensort's skewed keys, binary and ASCII: checked directly, not against the
// reference.
TEST(RecordSorter, OutputIsAnOrderedPermutationKeepingTies) {
  struct Case {
    std::string name;
    Bytes in;
    uint64_t capacity;
  };
  std::vector<Case> cases;
  for (uint64_t n : {0, 1, 2, 3, 99})
    cases.push_back({"random n=" + std::to_string(n), RandomRecords(n, 20 + uint32_t(n)), 100000});
  Bytes equal = RandomRecords(5000, 21);
  for (uint64_t i = 0; i < 5000; ++i) std::memcpy(equal.data() + i * kRecordSize, "SAMESAMESA", kKeySize);
  cases.push_back({"all equal", equal, 5000});
  Bytes few = RandomRecords(20000, 22);
  for (uint64_t i = 0; i < 20000; ++i) std::memset(few.data() + i * kRecordSize, 'a' + int(i % 3), kKeySize);
  cases.push_back({"three keys", few, 20000});
  cases.push_back({"gensort -s", Generated({false, true}, 0, 100003), 100003});
  cases.push_back({"gensort -a -s", Generated({true, true}, 0, 100003), 200000});
  cases.push_back({"gensort -s, large", Generated({false, true}, 0, kLarge), kLarge});
  for (Case& c : cases) {
    NumberPayloads(c.in);
    ExpectOrderedPermutationKeepingTies(c.in, SortOnce(c.in, c.capacity), c.name);
  }
}

TEST(RecordSorter, RandomBytesAtEdgeCounts) {
  for (uint64_t n : {0, 1, 2, 255, 256, 257, 100003}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    const Bytes in = RandomRecords(n, uint32_t(n) + 1);
    ExpectSorted(in, OneSpan(in));
  }
}

TEST(RecordSorter, RandomBytesLargeAnyThreads) {
  const Bytes in = RandomRecords(kLarge, 7);
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads=" + std::to_string(threads));
    ExpectSorted(in, OneSpan(in), threads);
  }
}

TEST(RecordSorter, UnalignedOutput) {
  for (uint64_t n : {uint64_t(1), uint64_t(257), uint64_t(100003)}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    const Bytes in = RandomRecords(n, uint32_t(n) + 2);
    ExpectSorted(in, OneSpan(in), 2, nullptr, 4);
    ExpectSorted(in, OneSpan(in), 2, nullptr, 1);
  }
}

TEST(RecordSorter, GensortAllModes) {
  for (bool ascii : {false, true}) {
    for (bool skew : {false, true}) {
      SCOPED_TRACE(std::string(ascii ? "ascii" : "binary") + (skew ? " skew" : ""));
      const gen::GenMode mode{ascii, skew};
      const Bytes small = Generated(mode, 0, 100003);
      ExpectSorted(small, OneSpan(small));
      // Far into the sequence: longer hot prefixes under skew.
      const Bytes large = Generated(mode, MakeU128(0, uint64_t(1) << 40), kLarge);
      ExpectSorted(large, OneSpan(large));
    }
  }
}

TEST(RecordSorter, AllEqualKeysKeepInputOrder) {
  for (uint64_t n : {uint64_t(17), uint64_t(1000), kLarge}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    Bytes in = RandomRecords(n, 3);
    for (uint64_t i = 0; i < n; ++i) std::memcpy(in.data() + i * kRecordSize, "KEYKEYKEYK", kKeySize);
    NumberPayloads(in);
    ExpectSorted(in, OneSpan(in));
    // The reference is stable, but check the promise directly too.
    auto sorter = RecordSorter::Create(n, RecordShape{});
    ASSERT_TRUE(sorter.ok());
    Bytes out(in.size());
    const RecordSpan span{in.data(), n};
    ASSERT_TRUE((*sorter)->Sort({&span, 1}, out.data()).ok());
    EXPECT_EQ(out, in);
  }
}

TEST(RecordSorter, KeysDifferingOnlyInLastTwoBytes) {
  for (uint64_t n : {uint64_t(1000), kLarge}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    Bytes in = RandomRecords(n, 4);
    NumberPayloads(in);
    std::mt19937 rng(5);
    for (uint64_t i = 0; i < n; ++i) std::memcpy(in.data() + i * kRecordSize, "\x80\x00\x7f\xff\x01\x02\x03\xfe", 8);
    ExpectSorted(in, OneSpan(in));  // bytes 8-9 random
    for (uint64_t i = 0; i < n; ++i) in[i * kRecordSize + 8] = 0x42;
    ExpectSorted(in, OneSpan(in));  // only byte 9 differs, many duplicates
    for (uint64_t i = 0; i < n; ++i) in[i * kRecordSize + 9] = uint8_t(rng() % 3);
    ExpectSorted(in, OneSpan(in));  // three keys
  }
}

TEST(RecordSorter, FewDistinctKeysAndSharedPrefixes) {
  Bytes in = RandomRecords(kLarge, 8);
  NumberPayloads(in);
  std::mt19937 rng(9);
  for (uint64_t i = 0; i < kLarge; ++i) {
    uint8_t* key = in.data() + i * kRecordSize;
    switch (rng() % 4) {
      case 0:
        std::memcpy(key, "\x33\x33\x33\x33\x33\x33", 6);
        break;  // shared 48-bit prefix
      case 1:
        std::memcpy(key, "\x33\x33\x33", 3);
        break;  // shared 24-bit prefix
      case 2:
        std::memcpy(key, "\x99\x99\x99\x99\x99\x99\x99\x99\x99", 9);
        key[9] &= 1;
        break;
      default:
        break;
    }
  }
  ExpectSorted(in, OneSpan(in));
}

// All keys share their first `bits` bits (a fixed pattern), the rest random: digits then start
// at odd offsets, inside the last two key bytes, or straddle bytes 7 and 8.
void ShareKeyPrefix(Bytes& in, int bits) {
  static constexpr uint8_t kPattern[kKeySize] = {0x5a, 0xc3, 0x0f, 0xf0, 0x99, 0x66, 0x11, 0xee, 0x42, 0x24};
  for (uint64_t i = 0; i < in.size() / kRecordSize; ++i) {
    uint8_t* key = in.data() + i * kRecordSize;
    for (int b = 0; b < bits; ++b) {
      const uint8_t bit = uint8_t(0x80 >> (b % 8));
      key[b / 8] = uint8_t((key[b / 8] & ~bit) | (kPattern[b / 8] & bit));
    }
  }
}

TEST(RecordSorter, SharedKeyPrefixesOfAnyLength) {
  for (int bits : {3, 10, 23, 56, 60, 62, 63, 64, 70, 75, 79, 80}) {
    SCOPED_TRACE("bits=" + std::to_string(bits));
    Bytes in = RandomRecords(1000, uint32_t(bits));
    NumberPayloads(in);
    ShareKeyPrefix(in, bits);
    ExpectSorted(in, OneSpan(in));
  }
  for (int bits : {10, 60, 62, 75, 79}) {
    SCOPED_TRACE("large, bits=" + std::to_string(bits));
    Bytes in = RandomRecords(kLarge, uint32_t(bits));
    NumberPayloads(in);
    ShareKeyPrefix(in, bits);
    ExpectSorted(in, OneSpan(in));
  }
}

// The first digit is counted below the top key bits that a few evenly spread records share
// (config::sort::kFirstDigitGuessSamples of them). Here those records, and most others, share 40
// bits, but some records between them do not: the guess is wrong, and the sort must still be
// right. Where the build writes the first level's buckets itself (BucketBlocks: 1 or 2 threads,
// the pool has room for their lists), the records outside the guessed range go to the first or
// last bucket, sorted from the bits all records share; where those two buckets grow too large,
// all buckets are copied out and sorted as the separate first level would. Where it does not (8
// threads: too many chunks for the pool), the separate first level notices (the build's measured
// common prefix is shorter) and counts again. Also a rank's share of a partitioned sort, whose
// keys all share their top bits (the guess then holds), cut into uneven spans.
// Sorts `in` (checked as ExpectSorted does) and says where the first radix level counted.
StagedRadixSort::FirstLevel SortedFirstLevel(const Bytes& in, const std::vector<uint64_t>& sizes, int threads) {
  auto sorter = RecordSorter::Create(in.size() / kRecordSize, RecordShape{});
  EXPECT_TRUE(sorter.ok());
  if (!sorter.ok()) return {};
  ExpectSorted(in, sizes, threads, sorter->get());
  return (*sorter)->first_level();
}

TEST(RecordSorter, FirstDigitBelowTheSharedTopBits) {
  const uint64_t n = kLarge, step = n / config::sort::kFirstDigitGuessSamples;
  for (uint64_t outliers : {uint64_t(0), uint64_t(1), uint64_t(5000), n / 2}) {
    SCOPED_TRACE("outliers=" + std::to_string(outliers));
    Bytes in = RandomRecords(n, 21 + uint32_t(outliers));
    NumberPayloads(in);
    std::mt19937 rng(22);
    std::vector<uint64_t> odd;
    while (odd.size() < outliers) {
      const uint64_t i = rng() % n;
      if (i % step != 0) odd.push_back(i);  // never one of the guess's records
    }
    // Byte 6 of four values only: below the first digit (byte 5), the first and last buckets
    // split into sub-buckets too large for one insertion pass, so an outlier sorted from the
    // wrong key bit would stay inside its sub-bucket, out of order.
    for (uint64_t i = 0; i < n; ++i) {
      std::memcpy(in.data() + i * kRecordSize, "\x5a\xc3\x0f\xf0\x99", 5);
      in[i * kRecordSize + 6] = uint8_t(rng() % 4);
    }
    for (uint64_t i : odd) in[i * kRecordSize] = uint8_t(0x5a ^ (1 + rng() % 255));  // top bits other than the rest's
    for (int threads : {1, 2, 8}) {
      SCOPED_TRACE("threads=" + std::to_string(threads));
      // The guess: the 40 bits its 64 records share (the sixth byte is random). An outlier
      // differs within the first byte, so all records share fewer than 8 bits.
      const auto level = SortedFirstLevel(in, {n / 3, 0, n - n / 3 - 7, 7}, threads);
      const bool blocks = threads < 8;
      if (outliers == 0 || (blocks && outliers < n / 2)) {
        EXPECT_TRUE(level.used_build_counts);
        EXPECT_EQ(level.from_blocks, blocks);
        EXPECT_EQ(level.off, 40);
      } else {
        EXPECT_FALSE(level.used_build_counts);
        EXPECT_FALSE(level.from_blocks);
        EXPECT_LT(level.off, 8);
      }
    }
  }
  // Rank 0's share at P = 2: the top bit is 0 everywhere, the first digit is bits 1..
  Bytes in = RandomRecords(n, 23);
  NumberPayloads(in);
  for (uint64_t i = 0; i < n; ++i) in[i * kRecordSize] &= 0x7f;
  for (int threads : {1, 2, 8}) {
    const auto level = SortedFirstLevel(in, {n / 3, 0, n - n / 3 - 7, 7}, threads);
    EXPECT_TRUE(level.used_build_counts);
    EXPECT_EQ(level.from_blocks, threads < 8);
    EXPECT_EQ(level.off, 1);
  }
}

// Most records in one first-level bucket: nested parallel levels, one of them over a digit that
// is constant in that bucket (its common prefix is measured in parallel and skipped).
TEST(RecordSorter, OneHeavyBucketNestsParallelLevels) {
  Bytes in = RandomRecords(kLarge, 15);
  NumberPayloads(in);
  std::mt19937 rng(16);
  for (uint64_t i = 0; i < kLarge; ++i) {
    uint8_t* key = in.data() + i * kRecordSize;
    if (rng() % 20 != 0) {
      std::memcpy(key, "\x42\x42\x42", 3);
    } else {
      key[0] = 0x10;  // keeps the heavy bucket pure, so its second byte is constant
    }
    if (rng() % 4 == 0) key[3] = 0x17;
  }
  for (int threads : {1, 2}) ExpectSorted(in, OneSpan(in), threads);
}

TEST(RecordSorter, SortedAndReverseSortedInput) {
  for (uint64_t n : {uint64_t(257), uint64_t(100003), kLarge}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    Bytes sorted = Reference(Generated({false, false}, 0, n));
    ExpectSorted(sorted, OneSpan(sorted));
    Bytes reversed(sorted.size());
    for (uint64_t i = 0; i < n; ++i) {
      std::memcpy(reversed.data() + i * kRecordSize, sorted.data() + (n - 1 - i) * kRecordSize, kRecordSize);
    }
    ExpectSorted(reversed, OneSpan(reversed));
  }
}

// Uneven span sizes with empty spans between, at the front and at the end.
std::vector<uint64_t> UnevenSizes(uint64_t n, size_t spans, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> cuts{0, n};
  for (size_t i = 0; i + 1 < spans; ++i) cuts.push_back(rng() % 5 == 0 ? cuts[rng() % cuts.size()] : rng() % (n + 1));
  std::sort(cuts.begin(), cuts.end());
  std::vector<uint64_t> sizes{0};  // an empty first span
  for (size_t i = 1; i < cuts.size(); ++i) sizes.push_back(cuts[i] - cuts[i - 1]);
  sizes.push_back(0);
  return sizes;
}

TEST(RecordSorter, ManyUnevenSpansWithEmpties) {
  // Duplicated keys across spans make the span-then-position tie order visible.
  Bytes in = Generated({true, true}, 0, kLarge);
  NumberPayloads(in);
  for (size_t spans : {size_t(2), size_t(37), size_t(1000)}) {
    SCOPED_TRACE("spans=" + std::to_string(spans));
    ExpectSorted(in, UnevenSizes(kLarge, spans, uint32_t(spans)));
  }
  Bytes small = RandomRecords(3000, 10);
  for (uint64_t i = 0; i < 3000; ++i) small[i * kRecordSize] = uint8_t(i % 2);  // two lead bytes
  ExpectSorted(small, UnevenSizes(3000, 500, 11));
  std::vector<uint64_t> all_empty_but_one(65536, 0);
  all_empty_but_one[40000] = 3000;
  ExpectSorted(small, all_empty_but_one);  // the maximum span count is accepted
}

TEST(RecordSorter, ReusedForSmallerAndLargerBatches) {
  auto created = RecordSorter::Create(kLarge, RecordShape{});
  ASSERT_TRUE(created.ok());
  RecordSorter* sorter = created->get();
  for (uint64_t n : {kLarge, uint64_t(5), uint64_t(100003), kLarge}) {
    SCOPED_TRACE("n=" + std::to_string(n));
    const Bytes in = Generated({false, true}, n, n);
    ExpectSorted(in, OneSpan(in), 2, sorter);
  }
}

// Both ways of finishing the sort: all of it in SortEntries, or each first-level bucket in the
// Gather that needs it (kLarge is above one parallel level, so buckets are left pending).
class GatherInPieces : public ::testing::TestWithParam<RecordSorter::Finish> {};
INSTANTIATE_TEST_SUITE_P(RecordSorter, GatherInPieces,
                         ::testing::Values(RecordSorter::Finish::kNow, RecordSorter::Finish::kWhenGathered));

TEST_P(GatherInPieces, EqualsSort) {
  Bytes in = Generated({true, true}, 0, kLarge);
  NumberPayloads(in);
  const std::vector<RecordSpan> spans = Spans(in, UnevenSizes(kLarge, 20, 17));
  const Bytes want = Reference(in);
  auto created = RecordSorter::Create(kLarge, RecordShape{});
  ASSERT_TRUE(created.ok());
  RecordSorter& sorter = **created;
  ASSERT_TRUE(sorter.SortEntries(spans, GetParam()).ok());
  EXPECT_EQ(sorter.sorted_records(), kLarge);
  EXPECT_EQ(sorter.last_timings().sort_in_gather_s, 0);
  // Pieces of uneven sizes into buffers of varying alignment, as a writer with a pool would.
  Bytes piece((70000 + 1) * kRecordSize);
  // Every Gather also sums the CRC-32 of what it writes (the run former's journal CRC), whether
  // it stages and streams (aligned output) or not.
  std::mt19937_64 rng(18);
  uint32_t crc = 0;
  for (uint64_t first = 0, i = 0; first < kLarge; ++i) {
    const uint64_t count = std::min<uint64_t>(1 + rng() % 70000, kLarge - first);
    uint8_t* to = piece.data() + (i % 2 == 0 ? 0 : 4);  // 16-byte aligned (streamed), then not
    sorter.Gather(first, count, to, &crc);
    ASSERT_EQ(0, std::memcmp(to, want.data() + first * kRecordSize, count * kRecordSize)) << "first=" << first;
    first += count;
  }
  EXPECT_EQ(crc, Crc32(0, want.data(), want.size()));
  // Past the end nothing is written (nor summed); a range running over the end is cut.
  std::fill(piece.begin(), piece.end(), 0xEE);
  sorter.Gather(kLarge, 10, piece.data(), &crc);
  EXPECT_EQ(crc, Crc32(0, want.data(), want.size()));
  EXPECT_EQ(piece[0], 0xEE);
  uint32_t last_crc = 0;
  sorter.Gather(kLarge - 1, 10, piece.data(), &last_crc);
  EXPECT_EQ(0, std::memcmp(piece.data(), want.data() + (kLarge - 1) * kRecordSize, kRecordSize));
  EXPECT_EQ(last_crc, Crc32(0, want.data() + (kLarge - 1) * kRecordSize, kRecordSize));  // the cut range's CRC
  EXPECT_EQ(piece[kRecordSize], 0xEE);
  EXPECT_GT(sorter.last_timings().gather_s, 0);
  // The Gathers sorted the buckets when asked to; their time counts in the sort's.
  if (GetParam() == RecordSorter::Finish::kWhenGathered) {
    EXPECT_GT(sorter.last_timings().sort_in_gather_s, 0);
    EXPECT_GE(sorter.last_timings().sort_s, sorter.last_timings().sort_in_gather_s);
  } else {
    EXPECT_EQ(sorter.last_timings().sort_in_gather_s, 0);
  }
  // A refused batch leaves nothing to gather.
  std::vector<RecordSpan> too_many(65537, RecordSpan{nullptr, 0});
  EXPECT_FALSE(sorter.SortEntries(too_many).ok());
  EXPECT_EQ(sorter.sorted_records(), 0u);
}

TEST(RecordSorter, RefusesTooManyRecordsOrSpans) {
  auto created = RecordSorter::Create(100, RecordShape{});
  ASSERT_TRUE(created.ok());
  RecordSorter& sorter = **created;
  const Bytes in = RandomRecords(101, 12);
  Bytes out(in.size());
  const RecordSpan too_many{in.data(), 101};
  Status st = sorter.Sort({&too_many, 1}, out.data());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("101 records exceed the capacity of 100"), std::string::npos) << st.message();
  const std::vector<RecordSpan> split = Spans(in, {50, 0, 51});
  EXPECT_FALSE(sorter.Sort(split, out.data()).ok());

  std::vector<RecordSpan> spans(65537, RecordSpan{nullptr, 0});
  st = sorter.Sort(spans, out.data());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("65537 spans"), std::string::npos) << st.message();

  const RecordSpan huge{in.data(), uint64_t(1) << 32};
  EXPECT_FALSE(sorter.Sort({&huge, 1}, out.data()).ok());

  // Exactly at capacity, and nothing at all, are fine.
  const RecordSpan full{in.data(), 100};
  EXPECT_TRUE(sorter.Sort({&full, 1}, out.data()).ok());
  EXPECT_TRUE(sorter.Sort({}, out.data()).ok());
}

TEST(RecordSorter, PrefaultedSorterSorts) {
  auto created = RecordSorter::Create(kLarge, RecordShape{});
  ASSERT_TRUE(created.ok());
  tbb::task_arena(2).execute([&] { (*created)->Prefault(); });
  const Bytes in = RandomRecords(kLarge, 19);
  ExpectSorted(in, OneSpan(in), 2, created->get());
  auto empty = RecordSorter::Create(0, RecordShape{});
  ASSERT_TRUE(empty.ok());
  (*empty)->Prefault();  // nothing to touch
}

TEST(RecordSorter, ZeroCapacityAndTimings) {
  auto empty = RecordSorter::Create(0, RecordShape{});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->Sort({}, nullptr).ok());
  const Bytes one = RandomRecords(1, 13);
  const RecordSpan span{one.data(), 1};
  EXPECT_FALSE((*empty)->Sort({&span, 1}, nullptr).ok());

  auto sorter = RecordSorter::Create(1000, RecordShape{});
  ASSERT_TRUE(sorter.ok());
  const Bytes in = RandomRecords(1000, 14);
  Bytes out(in.size());
  const RecordSpan all{in.data(), 1000};
  ASSERT_TRUE((*sorter)->Sort({&all, 1}, out.data()).ok());
  EXPECT_TRUE(out == Reference(in)) << "the sort the timings are of";
  const RecordSorter::Timings t = (*sorter)->last_timings();
  EXPECT_GE(t.build_s, 0);
  EXPECT_GE(t.sort_s, 0);
  EXPECT_GE(t.gather_s, 0);
  EXPECT_GT(t.build_s + t.sort_s + t.gather_s, 0);
}

}  // namespace
}  // namespace rs::sort
