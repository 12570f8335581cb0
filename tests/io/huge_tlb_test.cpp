// tests/io/huge_tlb_test.cpp — buffers from the reserved huge page pool: pool pages in front, the
// tail in ordinary pages, the touched peak counted (the resident set leaves it out), cached pages
// not left resident beside them, and a pool without room falls back to ordinary memory. The tests
// that need free pool pages are skipped, saying so, where none are free (scripts/test.sh reserves
// some: scripts/lib/deps.sh rs_reserve_huge_pages; other test processes may hold them meanwhile).
#include "io/huge_tlb.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

#include "io/aligned_buffer.hpp"
#include "io/mapping_cache.hpp"
#include "io/memory_peak.hpp"

namespace rs {
namespace {

constexpr size_t kMiB = size_t(1) << 20;

// A "Name:  N" line of a /proc or /sys file times `unit`, or 0.
uint64_t Field(const char* file, const std::string& name, uint64_t unit) {
  std::ifstream f(file);
  for (std::string line; std::getline(f, line);) {
    if (name.empty()) return std::stoull(line) * unit;
    if (line.rfind(name + ":", 0) == 0) return std::stoull(line.substr(name.size() + 1)) * unit;
  }
  return 0;
}
uint64_t FreePoolBytes() {  // 2 MiB pages, whatever the default huge page size
  return Field("/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages", "", huge_tlb::kPageBytes);
}
uint64_t TouchedPoolBytes() { return Field("/proc/self/status", "HugetlbPages", 1024); }

TEST(HugeTlb, PoolPagesInFrontTheTailInOrdinaryPagesPeakCounted) {
  memory_peak::Reset();
  const uint64_t before = TouchedPoolBytes();
  auto* p = static_cast<uint8_t*>(huge_tlb::Map(4 * kMiB, 8192));
  if (p == nullptr) GTEST_SKIP() << "no 2 free huge pages now (vm.nr_hugepages; " << FreePoolBytes() << " bytes free)";
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % huge_tlb::kPageBytes, 0u);
  EXPECT_GE(huge_tlb::MappedBytes(), 4 * kMiB);
  EXPECT_EQ(TouchedPoolBytes(), before);             // reserved at the mapping, faulted in at the first touch
  std::memset(p, 1, 4 * kMiB + 8192);                // all of it writable, the tail too
  EXPECT_EQ(TouchedPoolBytes(), before + 4 * kMiB);  // the tail is not pool memory
  huge_tlb::Unmap(p, 4 * kMiB, 8192);
  EXPECT_EQ(TouchedPoolBytes(), before);
  EXPECT_GE(memory_peak::PoolPeak(), before + 4 * kMiB);  // sampled before the unmap
  EXPECT_GE(memory_peak::Peak(), before + 4 * kMiB);      // beside the resident set
  memory_peak::Reset();
  EXPECT_EQ(memory_peak::PoolPeak(), before);
}

TEST(HugeTlb, AlignedBuffersTakeWholeHugePagesAndEvictWhatIsCached) {
  // A released ordinary buffer stays cached (resident); a pool buffer counts toward the cache's
  // bound, so the cached pages go rather than stay beside it.
  mapping_cache::Flush();
  huge_tlb::SetEnabled(false);
  auto ordinary = AlignedBuffer::Allocate(4 * kMiB);
  huge_tlb::SetEnabled(true);
  ASSERT_TRUE(ordinary.ok());
  *ordinary = AlignedBuffer();
  EXPECT_EQ(mapping_cache::GetStats().cached_bytes, 4 * kMiB);
  const uint64_t reused = mapping_cache::GetStats().reused_bytes;
  auto b = AlignedBuffer::Allocate(3 * kMiB + 100);  // one huge page and a 4 KiB-page tail
  ASSERT_TRUE(b.ok());
  if (mapping_cache::GetStats().reused_bytes != reused) GTEST_SKIP() << "no free huge page now (vm.nr_hugepages)";
  const mapping_cache::Stats st = mapping_cache::GetStats();
  EXPECT_EQ(st.live_bytes, AlignedBuffer::Footprint(3 * kMiB + 100));
  EXPECT_LE(st.live_bytes + st.cached_bytes, st.peak_bytes);  // 4 MiB live at most, ever
  const uint64_t before = TouchedPoolBytes();
  std::memset(b->data(), 3, b->size());
  EXPECT_EQ(TouchedPoolBytes(), before + 2 * kMiB);
  *b = AlignedBuffer();  // back to the pool, not into the cache
  EXPECT_EQ(TouchedPoolBytes(), before);
  EXPECT_EQ(mapping_cache::GetStats().live_bytes, 0u);
  EXPECT_EQ(mapping_cache::GetStats().cached_bytes, st.cached_bytes);
  mapping_cache::Flush();
}

TEST(HugeTlb, APoolWithoutRoomFallsBackToOrdinaryMemory) {
  EXPECT_EQ(huge_tlb::Map(kMiB, 0), nullptr);  // not whole huge pages
  huge_tlb::SetEnabled(false);
  EXPECT_EQ(huge_tlb::Map(huge_tlb::kPageBytes, 0), nullptr);
  huge_tlb::SetEnabled(true);
  // More pages than the whole pool holds (free or not): refused at the mapping, never at a touch.
  const uint64_t pool = Field("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "", huge_tlb::kPageBytes);
  const size_t more = pool + huge_tlb::kPageBytes;
  EXPECT_EQ(huge_tlb::Map(more, 0), nullptr);
  mapping_cache::Flush();
  const uint64_t reused = mapping_cache::GetStats().reused_bytes;
  auto b = AlignedBuffer::Allocate(more);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(mapping_cache::GetStats().live_bytes, more);
  std::memset(b->data(), 1, 4096);
  *b = AlignedBuffer();
  EXPECT_EQ(mapping_cache::GetStats().cached_bytes, more);  // the mapping cache's pages
  EXPECT_EQ(mapping_cache::GetStats().reused_bytes, reused);
  mapping_cache::Flush();
}

}  // namespace
}  // namespace rs
