// tests/io/huge_tlb_test.cpp — buffers from the reserved huge page pool: pool pages in front, the
// tail in ordinary pages, the touched peak counted exactly (RSS leaves it out), and a pool without
// room falls back to ordinary memory. The tests that need free pool pages are skipped, saying so,
// where none are reserved (scripts/test.sh reserves some: scripts/lib/deps.sh rs_reserve_huge_pages).
#include "io/huge_tlb.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

#include "io/aligned_buffer.hpp"
#include "io/mapping_cache.hpp"

namespace rs {
namespace {

constexpr size_t kMiB = size_t(1) << 20;

// A "Name:  N kB" line of a /proc file, in bytes (or pages, for counts), or 0.
uint64_t ProcField(const char* file, const std::string& name, uint64_t unit) {
  std::ifstream f(file);
  for (std::string line; std::getline(f, line);) {
    if (line.rfind(name + ":", 0) == 0) return std::stoull(line.substr(name.size() + 1)) * unit;
  }
  return 0;
}
uint64_t FreePoolBytes() { return ProcField("/proc/meminfo", "HugePages_Free", huge_tlb::kPageBytes); }
uint64_t TouchedPoolBytes() { return ProcField("/proc/self/status", "HugetlbPages", 1024); }

TEST(HugeTlb, PoolPagesInFrontTheTailInOrdinaryPagesPeakCounted) {
  if (FreePoolBytes() < 8 * kMiB) GTEST_SKIP() << "fewer than 4 free huge pages reserved (vm.nr_hugepages)";
  huge_tlb::ResetPeak();
  const uint64_t before = TouchedPoolBytes();
  auto* p = static_cast<uint8_t*>(huge_tlb::Map(4 * kMiB, 8192));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % huge_tlb::kPageBytes, 0u);
  EXPECT_GE(huge_tlb::MappedBytes(), 4 * kMiB);
  EXPECT_EQ(TouchedPoolBytes(), before);             // reserved at the mapping, faulted in at the first touch
  std::memset(p, 1, 4 * kMiB + 8192);                // all of it writable, the tail too
  EXPECT_EQ(TouchedPoolBytes(), before + 4 * kMiB);  // the tail is not pool memory
  EXPECT_EQ(huge_tlb::PeakBytes(), before + 4 * kMiB);
  huge_tlb::Unmap(p, 4 * kMiB, 8192);
  EXPECT_EQ(TouchedPoolBytes(), before);
  EXPECT_EQ(huge_tlb::PeakBytes(), before + 4 * kMiB);  // read before the unmap
  huge_tlb::ResetPeak();
  EXPECT_EQ(huge_tlb::PeakBytes(), before);
}

TEST(HugeTlb, AlignedBuffersTakeWholeHugePagesFromThePool) {
  if (FreePoolBytes() < 8 * kMiB) GTEST_SKIP() << "fewer than 4 free huge pages reserved (vm.nr_hugepages)";
  const uint64_t cached = mapping_cache::GetStats().live_bytes;
  auto b = AlignedBuffer::Allocate(3 * kMiB + 100);  // one huge page and a 4 KiB-page tail
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(mapping_cache::GetStats().live_bytes, cached);  // not the mapping cache's
  const uint64_t before = TouchedPoolBytes();
  std::memset(b->data(), 3, b->size());
  EXPECT_EQ(TouchedPoolBytes(), before + 2 * kMiB);
  *b = AlignedBuffer();  // back to the pool
  EXPECT_EQ(TouchedPoolBytes(), before);
}

TEST(HugeTlb, APoolWithoutRoomFallsBackToOrdinaryMemory) {
  // One page more than the pool has free: refused at the mapping, never at a touch.
  const size_t more = FreePoolBytes() + huge_tlb::kPageBytes;
  EXPECT_EQ(huge_tlb::Map(more, 0), nullptr);
  EXPECT_EQ(huge_tlb::Map(kMiB, 0), nullptr);  // not whole huge pages
  huge_tlb::SetEnabled(false);
  EXPECT_EQ(huge_tlb::Map(huge_tlb::kPageBytes, 0), nullptr);
  huge_tlb::SetEnabled(true);
  const uint64_t live = mapping_cache::GetStats().live_bytes;
  auto b = AlignedBuffer::Allocate(more);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(mapping_cache::GetStats().live_bytes, live + more);  // the mapping cache's pages
  std::memset(b->data(), 1, 4096);
}

}  // namespace
}  // namespace rs
