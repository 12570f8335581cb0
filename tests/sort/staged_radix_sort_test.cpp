// tests/sort/staged_radix_sort_test.cpp — the radix sort in steps (sort/incore/entry_radix_sort.hpp):
// the first level leaves buckets pending, each step finishes a prefix of the entries in its final
// order, and the steps together give the stable order by key (std::sort of the entries), for
// random, skewed and all-equal keys, on 1 and 2 threads.
#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstdint>
#include <random>
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
      std::mt19937_64 rng(11);
      uint64_t final_end = staged.finished();
      while (final_end < n) {
        const uint64_t end = std::min(n, final_end + 1 + rng() % 30000);
        uint64_t got = 0;
        arena.execute([&] { got = staged.FinishThrough(end, 1); });
        ASSERT_GE(got, end);
        ASSERT_EQ(got, staged.finished());
        // Everything before `got` is final now: equal to the whole sort there.
        for (uint64_t i = final_end; i < got; ++i) {
          ASSERT_TRUE(Same(data[i], want[i])) << "keys " << int(k) << " threads " << threads << " entry " << i;
        }
        final_end = got;
      }
      EXPECT_EQ(final_end, n);
    }
  }
}

}  // namespace
}  // namespace rs::sort
