// tests/io/mapping_cache_test.cpp — released buffers' pages are reused (not faulted in again),
// split and joined, always at the alignment asked for, and the cache never holds more than the
// most the live buffers ever held at once.
#include "io/mapping_cache.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "io/aligned_buffer.hpp"
#include "io/huge_tlb.hpp"

namespace rs {
namespace {

constexpr size_t kMiB = size_t(1) << 20;
constexpr size_t kHuge = 2 * kMiB;

uintptr_t Addr(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// Each test starts with nothing cached and the bound at what is live (nothing, between tests).
class MappingCache : public ::testing::Test {
 protected:
  void SetUp() override {
    huge_tlb::SetEnabled(false);  // AlignedBuffers from the cache, not from a reserved huge page pool
    mapping_cache::Flush();
    ASSERT_EQ(mapping_cache::GetStats().live_bytes, 0u);
  }
  void TearDown() override {
    mapping_cache::Flush();
    huge_tlb::SetEnabled(true);
  }
};

TEST_F(MappingCache, ReleasedPagesServeTheNextRequestWithTheirContents) {
  void* a = mapping_cache::Map(8 * kMiB, kHuge);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(Addr(a) % kHuge, 0u);
  std::memset(a, 0x5a, 8 * kMiB);
  mapping_cache::Unmap(a, 8 * kMiB);
  EXPECT_EQ(mapping_cache::GetStats().cached_bytes, 8 * kMiB);

  const uint64_t reused = mapping_cache::GetStats().reused_bytes;
  void* b = mapping_cache::Map(4 * kMiB, kHuge);
  ASSERT_NE(b, nullptr);
  // Inside the released range, and the same pages: what was written there is still there (a fresh
  // mapping would read zeros).
  EXPECT_GE(Addr(b), Addr(a));
  EXPECT_LE(Addr(b) + 4 * kMiB, Addr(a) + 8 * kMiB);
  EXPECT_EQ(static_cast<const uint8_t*>(b)[0], 0x5a);
  EXPECT_EQ(static_cast<const uint8_t*>(b)[4 * kMiB - 1], 0x5a);
  const mapping_cache::Stats st = mapping_cache::GetStats();
  EXPECT_EQ(st.reused_bytes - reused, 4 * kMiB);
  EXPECT_EQ(st.cached_bytes, 4 * kMiB);  // the rest stays cached
  EXPECT_EQ(st.live_bytes, 4 * kMiB);
  mapping_cache::Unmap(b, 4 * kMiB);
}

TEST_F(MappingCache, SplitRangesAreJoinedAgainWhenGivenBack) {
  void* a = mapping_cache::Map(8 * kMiB, kHuge);
  ASSERT_NE(a, nullptr);
  mapping_cache::Unmap(a, 8 * kMiB);
  // Four small buffers out of it, given back in another order: one range of 8 MiB again, which a
  // request for all of it takes whole.
  std::vector<void*> parts;
  for (int i = 0; i < 4; ++i) {
    parts.push_back(mapping_cache::Map(2 * kMiB, 4096));
    ASSERT_NE(parts.back(), nullptr);
    EXPECT_GE(Addr(parts.back()), Addr(a));
    EXPECT_LE(Addr(parts.back()) + 2 * kMiB, Addr(a) + 8 * kMiB);
  }
  EXPECT_EQ(mapping_cache::GetStats().cached_bytes, 0u);
  for (int i : {2, 0, 3, 1}) mapping_cache::Unmap(parts[i], 2 * kMiB);
  void* whole = mapping_cache::Map(8 * kMiB, kHuge);
  EXPECT_EQ(whole, a);
  mapping_cache::Unmap(whole, 8 * kMiB);
}

TEST_F(MappingCache, AlignmentHoldsForRangesThatStartOffIt) {
  // A 4 KiB-aligned range that starts 4 KiB past a 2 MiB boundary: a 2 MiB-aligned request of
  // 4 MiB fits in its 8 MiB only at the next boundary; the head before it stays cached.
  void* a = mapping_cache::Map(10 * kMiB, kHuge);
  ASSERT_NE(a, nullptr);
  mapping_cache::Unmap(a, 10 * kMiB);
  void* head = mapping_cache::Map(4096, 4096);  // the front 4 KiB (the smallest fit is the only range)
  ASSERT_EQ(head, a);
  void* b = mapping_cache::Map(4 * kMiB, kHuge);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(Addr(b) % kHuge, 0u);
  EXPECT_EQ(Addr(b), Addr(a) + kHuge);
  const mapping_cache::Stats st = mapping_cache::GetStats();
  EXPECT_EQ(st.cached_bytes, 10 * kMiB - 4096 - 4 * kMiB);
  mapping_cache::Unmap(b, 4 * kMiB);
  mapping_cache::Unmap(head, 4096);
}

TEST_F(MappingCache, NeverHoldsMoreThanTheLiveBuffersOnceHeld) {
  void* a = mapping_cache::Map(16 * kMiB, kHuge);
  ASSERT_NE(a, nullptr);
  mapping_cache::Unmap(a, 16 * kMiB);
  // A request larger than anything cached, and above the peak: live and cached together may be at
  // most max(the peak, live + this) = 32 MiB, so all 16 cached go.
  void* big = mapping_cache::Map(32 * kMiB, kHuge);
  ASSERT_NE(big, nullptr);
  mapping_cache::Stats st = mapping_cache::GetStats();
  EXPECT_EQ(st.live_bytes, 32 * kMiB);
  EXPECT_EQ(st.cached_bytes, 0u);
  EXPECT_EQ(st.peak_bytes, 32 * kMiB);
  mapping_cache::Unmap(big, 32 * kMiB);
  // Served from the cache: 8 and then 20 MiB out of big's 32.
  void* small = mapping_cache::Map(8 * kMiB, kHuge);
  void* other = mapping_cache::Map(20 * kMiB, kHuge);
  ASSERT_NE(small, nullptr);
  ASSERT_NE(other, nullptr);
  st = mapping_cache::GetStats();
  EXPECT_EQ(st.live_bytes, 28 * kMiB);
  EXPECT_EQ(st.cached_bytes, 4 * kMiB);
  // A miss (6 MiB do not fit in the 4 left) that takes live to 34 MiB, above the peak: nothing
  // cached may stay.
  void* third = mapping_cache::Map(6 * kMiB, kHuge);
  ASSERT_NE(third, nullptr);
  st = mapping_cache::GetStats();
  EXPECT_EQ(st.cached_bytes, 0u);
  EXPECT_EQ(st.live_bytes, 34 * kMiB);
  EXPECT_EQ(st.peak_bytes, 34 * kMiB);
  for (auto [p, n] : {std::pair{small, 8 * kMiB}, {other, 20 * kMiB}, {third, 6 * kMiB}}) mapping_cache::Unmap(p, n);
  // Flush gives everything back and starts the bound again from what is live.
  mapping_cache::Flush();
  st = mapping_cache::GetStats();
  EXPECT_EQ(st.cached_bytes, 0u);
  EXPECT_EQ(st.peak_bytes, 0u);
}

TEST_F(MappingCache, AMissUnderThePeakKeepsWhatFitsFromTheTopDown) {
  void* a = mapping_cache::Map(32 * kMiB, kHuge);  // the peak: 32 MiB
  ASSERT_NE(a, nullptr);
  mapping_cache::Unmap(a, 32 * kMiB);
  // Three 8 MiB buffers from its front; the first and the third given back: cached [0, 8) and
  // [16, 32) of a, 24 MiB, the largest range 16; live 8.
  void* x = mapping_cache::Map(8 * kMiB, kHuge);
  void* y = mapping_cache::Map(8 * kMiB, kHuge);
  void* z = mapping_cache::Map(8 * kMiB, kHuge);
  ASSERT_EQ(x, a);
  ASSERT_EQ(Addr(y), Addr(a) + 8 * kMiB);
  ASSERT_EQ(Addr(z), Addr(a) + 16 * kMiB);
  mapping_cache::Unmap(x, 8 * kMiB);
  mapping_cache::Unmap(z, 8 * kMiB);
  // 20 MiB fit in no range: a miss. Live 8 + cached 24 + 20 = 52 against a bound of 32: 20 cached
  // MiB go, from the top: all of [16, 32) and [4, 8). [0, 4) stays, and serves a later request.
  void* w = mapping_cache::Map(20 * kMiB, kHuge);
  ASSERT_NE(w, nullptr);
  mapping_cache::Stats st = mapping_cache::GetStats();
  EXPECT_EQ(st.live_bytes, 28 * kMiB);
  EXPECT_EQ(st.cached_bytes, 4 * kMiB);
  EXPECT_EQ(st.peak_bytes, 32 * kMiB);
  void* v = mapping_cache::Map(4 * kMiB, 4096);
  EXPECT_EQ(v, a);
  EXPECT_EQ(mapping_cache::GetStats().cached_bytes, 0u);
  mapping_cache::Unmap(v, 4 * kMiB);
  mapping_cache::Unmap(w, 20 * kMiB);
  mapping_cache::Unmap(y, 8 * kMiB);
}

TEST_F(MappingCache, TrimUnmapsWhatIsCachedAndKeepsTheBound) {
  void* a = mapping_cache::Map(8 * kMiB, kHuge);
  void* b = mapping_cache::Map(4 * kMiB, kHuge);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  mapping_cache::Unmap(a, 8 * kMiB);
  mapping_cache::Trim();
  mapping_cache::Stats st = mapping_cache::GetStats();
  EXPECT_EQ(st.cached_bytes, 0u);
  EXPECT_EQ(st.live_bytes, 4 * kMiB);
  EXPECT_EQ(st.peak_bytes, 12 * kMiB);  // unlike Flush, the bound stays
  // Really unmapped: the kernel knows no mapping there any more (mincore fails with ENOMEM).
  unsigned char vec[1];
  EXPECT_EQ(::mincore(a, 4096, vec), -1);
  EXPECT_EQ(errno, ENOMEM);
  EXPECT_EQ(::mincore(b, 4096, vec), 0);  // the live one is still there
  mapping_cache::Unmap(b, 4 * kMiB);
}

TEST_F(MappingCache, MemoryThatIOMayStillReachIsNeverReused) {
  void* a = mapping_cache::Map(4 * kMiB, kHuge);
  ASSERT_NE(a, nullptr);
  mapping_cache::Unmap(a, 4 * kMiB, /*reuse=*/false);
  const mapping_cache::Stats st = mapping_cache::GetStats();
  EXPECT_EQ(st.cached_bytes, 0u);
  EXPECT_EQ(st.live_bytes, 0u);
  unsigned char vec[1];
  EXPECT_EQ(::mincore(a, 4096, vec), -1);
}

TEST_F(MappingCache, RefusesSizesAndAlignmentsItCannotServe) {
  errno = 0;
  EXPECT_EQ(mapping_cache::Map(0, 4096), nullptr);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(mapping_cache::Map(4096 + 1, 4096), nullptr);
  EXPECT_EQ(mapping_cache::Map(4096, 2048), nullptr);
  EXPECT_EQ(mapping_cache::Map(8192, 3 * 4096), nullptr);
  EXPECT_EQ(mapping_cache::GetStats().live_bytes, 0u);
}

TEST_F(MappingCache, AlignedBuffersReuseEachOthersPages) {
  const uint64_t reused = mapping_cache::GetStats().reused_bytes;
  uint8_t* first = nullptr;
  {
    auto a = AlignedBuffer::Allocate(6 * kMiB);
    ASSERT_TRUE(a.ok());
    first = a->data();
    EXPECT_EQ(Addr(first) % kHuge, 0u);
    std::memset(a->data(), 1, a->size());
  }
  auto b = AlignedBuffer::Allocate(3 * kMiB + 100);  // a huge page and a 4 KiB tail
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->data(), first);
  EXPECT_EQ(b->size(), 3 * kMiB + 100);
  EXPECT_EQ(mapping_cache::GetStats().reused_bytes - reused, AlignedBuffer::Footprint(3 * kMiB + 100));
  std::memset(b->data(), 2, b->size());  // all of it is writable
}

TEST_F(MappingCache, ThreadsTakingAndGivingBackSeeOnlyTheirOwnBytes) {
  constexpr int kThreads = 4, kRounds = 200;
  std::vector<std::thread> threads;
  std::vector<int> bad(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &bad] {
      for (int r = 0; r < kRounds; ++r) {
        const size_t bytes = size_t(1 + (t + r) % 5) * 256 * 1024;
        auto* p = static_cast<uint8_t*>(mapping_cache::Map(bytes, (r % 3 == 0) ? kHuge : 4096));
        if (p == nullptr) {
          ++bad[t];
          continue;
        }
        std::memset(p, t + 1, bytes);
        std::this_thread::yield();
        for (size_t i = 0; i < bytes; i += 4096) bad[t] += p[i] != uint8_t(t + 1);
        mapping_cache::Unmap(p, bytes);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(bad[t], 0) << "thread " << t;
  const mapping_cache::Stats st = mapping_cache::GetStats();
  EXPECT_EQ(st.live_bytes, 0u);
  EXPECT_LE(st.cached_bytes, st.peak_bytes);
}

}  // namespace
}  // namespace rs
