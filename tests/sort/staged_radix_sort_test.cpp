// tests/sort/staged_radix_sort_test.cpp — the radix sort in steps (sort/incore/entry_radix_sort.hpp):
// the first level leaves buckets pending, each step finishes a prefix of the entries in its final
// order, and the steps together give the stable order by key (std::sort of the entries), for
// random, skewed and all-equal keys, on 1 and 2 threads; and the same from first-level buckets a
// builder wrote into blocks (BucketBlocks), for a right guess of the keys' shared prefix, one
// that keys below and above it contradict, and a wrong one.
#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "sort/incore/entry_radix_sort.hpp"

namespace rs::sort {
namespace {

enum class Keys { kRandom, kSkewed, kEqual };

// Entries in locator order (as RecordSorter builds them): the key in hi and lo's top 16 bits.
std::vector<SortEntry> Entries(uint64_t n, Keys keys, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<SortEntry> e(n);
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t hi = rng(), lo16 = rng() & 0xFFFF;
    if (keys == Keys::kSkewed) hi = (rng() % 4 == 0 ? hi : 0x4242000000000000 | (hi >> 48));  // one heavy bucket
    if (keys == Keys::kEqual) hi = 7, lo16 = 9;
    e[i] = {hi, (lo16 << 48) | i};
  }
  return e;
}

bool Same(const SortEntry& a, const SortEntry& b) { return a.hi == b.hi && a.lo == b.lo; }

// Finishes `staged` in random pieces, checking each finished prefix against `want`.
void FinishInPieces(StagedRadixSort& staged, tbb::task_arena& arena, const std::vector<SortEntry>& data,
                    const std::vector<SortEntry>& want) {
  const uint64_t n = want.size();
  std::mt19937_64 rng(11);
  uint64_t final_end = staged.finished();
  while (final_end < n) {
    const uint64_t end = std::min(n, final_end + 1 + rng() % 30000);
    uint64_t got = 0;
    arena.execute([&] { got = staged.FinishThrough(end, 1); });
    ASSERT_GE(got, end);
    ASSERT_EQ(got, staged.finished());
    // Everything before `got` is final now: equal to the whole sort there.
    for (uint64_t i = final_end; i < got; ++i) ASSERT_TRUE(Same(data[i], want[i])) << "entry " << i;
    final_end = got;
  }
  EXPECT_EQ(final_end, n);
}

TEST(StagedRadixSort, StepsFinishPrefixesAndEqualTheWholeSort) {
  const uint64_t n = config::sort::kParallelMinEntries + 40000;  // one parallel level at least
  for (Keys k : {Keys::kRandom, Keys::kSkewed, Keys::kEqual}) {
    for (int threads : {1, 2}) {
      const std::vector<SortEntry> in = Entries(n, k, 3 + uint32_t(k));
      // The reference: entries are unique (their locators are) and given in locator order, so the
      // stable order by key is their order as 128-bit integers.
      std::vector<SortEntry> want = in, scratch(n);
      std::sort(want.begin(), want.end(), EntryLess);
      tbb::task_arena arena(threads);

      std::vector<SortEntry> data = in;
      StagedRadixSort staged;
      arena.execute([&] { staged.Start(data.data(), scratch.data(), n, nullptr); });
      if (k == Keys::kEqual) {
        EXPECT_EQ(staged.finished(), n) << "all keys equal: nothing is left to a later step";
      } else {
        EXPECT_LT(staged.finished(), n) << "keys " << int(k) << ": no bucket was left pending";
      }
      SCOPED_TRACE("keys " + std::to_string(int(k)) + " threads " + std::to_string(threads));
      FinishInPieces(staged, arena, data, want);
    }
  }
}

// Key bits all entries share (as the build measures them).
int SharedPrefixBits(const std::vector<SortEntry>& e) {
  uint64_t dh = 0, dl = 0;
  for (const SortEntry& x : e) {
    dh |= x.hi ^ e[0].hi;
    dl |= (x.lo ^ e[0].lo) & kLoKeyMask;
  }
  return dh != 0 ? std::countl_zero(dh) : dl != 0 ? 64 + std::countl_zero(dl) : kKeyBits;
}

TEST(StagedRadixSort, FromBlocksForRightAndWrongGuesses) {
  const uint64_t n = 300007;  // not a multiple of a block
  struct Case {
    const char* name;
    int off, bits;
    bool from_blocks;  // the builder's buckets are the first level (sorted from their blocks or copied out)
  };
  // The digit in the last 8 bits of hi (off + bits = 64), most keys sharing the 56 above it and a
  // few thousand below and above them (the first and last buckets); the same keys with a digit at
  // bit 0 (a right guess, all in one bucket: copied out and sorted as the separate level leaves
  // them); random keys with a guess of 4 shared bits (wrong for most: the edge buckets too large,
  // so copied out and sorted from bit 0 again).
  for (const Case& c : {Case{"edges", 56, 8, true}, Case{"one bucket", 0, 8, true}, Case{"wrong", 4, 8, false},
                        Case{"random", 0, 10, true}}) {
    for (uint64_t chunks : {uint64_t(1), uint64_t(3)}) {
      SCOPED_TRACE(std::string(c.name) + ", chunks " + std::to_string(chunks));
      std::vector<SortEntry> in = Entries(n, Keys::kRandom, 5);
      constexpr uint64_t kBase = 0xabcdef0123456700;
      std::mt19937_64 rng(6);
      if (std::string(c.name) != "random" && std::string(c.name) != "wrong") {
        for (uint64_t i = 0; i < n; ++i) {
          const uint64_t r = rng() % 100;
          in[i].hi = r == 0 ? kBase - 1 - rng() % 5000 : r == 1 ? kBase + 256 + rng() % 5000 : kBase | (rng() & 0xff);
        }
      }
      std::vector<SortEntry> want = in;
      std::sort(want.begin(), want.end(), EntryLess);
      std::vector<uint64_t> chunk_begin{0};
      for (uint64_t k = 1; k < chunks; ++k) chunk_begin.push_back(n / chunks * k + 17 * k);
      chunk_begin.push_back(n);
      const uint64_t pool_entries = BucketBlocks::PoolEntries(n, chunks, c.bits);
      std::vector<SortEntry> pool(pool_entries), data(n);
      BucketBlocks blocks;
      // One block short of the worst case: refused (each chunk may need it).
      EXPECT_FALSE(blocks.Init(pool.data(), n + chunks * (uint64_t(1) << c.bits) * BucketBlocks::kBlockEntries - 1,
                               kBase, c.off, c.bits, chunk_begin));
      ASSERT_TRUE(blocks.Init(pool.data(), pool_entries, kBase, c.off, c.bits, chunk_begin));
      for (uint64_t k = 0; k < chunks; ++k) {
        BucketBlocks::Writer w = blocks.writer(k);
        for (uint64_t i = chunk_begin[k]; i < chunk_begin[k + 1]; ++i) w.Put(in[i]);
      }
      // Once per set of blocks: where they are copied out, the pool is the sort's scratch.
      tbb::task_arena arena(chunks == 1 ? 1 : 2);
      StagedRadixSort staged;
      arena.execute([&] { staged.StartFromBlocks(data.data(), pool.data(), n, &blocks, SharedPrefixBits(in)); });
      EXPECT_EQ(staged.first_level().from_blocks, c.from_blocks);
      FinishInPieces(staged, arena, data, want);
    }
  }
}

}  // namespace
}  // namespace rs::sort
