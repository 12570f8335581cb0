// tests/river/mem_pool_test.cpp — MemPool/Buffer ownership and blocking, and back-pressure: a
// bounded pool stalls a fast producer (RiverQueue, DiskSource) instead of letting memory grow.
#include "river/mem_pool.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "io/huge_tlb.hpp"
#include "io/mapping_cache.hpp"
#include "io/striped_file.hpp"
#include "river/disk_source.hpp"
#include "river/river_queue.hpp"
#include "tests/support/stripe_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::unique_ptr<MemPool> NewPool(size_t buffer_size, size_t count) {
  auto pool = MemPool::Create(buffer_size, count);
  EXPECT_TRUE(pool.ok()) << pool.status().message();
  return pool.ok() ? std::move(*pool) : nullptr;
}

bool InRegion(const MemPool& pool, const Buffer& b) {
  const iovec r = pool.region();
  const auto* base = static_cast<const uint8_t*>(r.iov_base);
  return b.data() >= base && b.data() + b.capacity() <= base + r.iov_len;
}

// A buffer that I/O may still reach after its release (a broken ring) takes its pool's memory out
// of the mapping cache: unmapped when the pool goes, where a released pool's memory is otherwise
// kept for the next buffers (io/mapping_cache.hpp).
TEST(MemPool, MemoryThatIOMayStillReachIsNotReused) {
  // The mapping cache's memory, not a reserved huge page pool's (restored however the test ends).
  huge_tlb::SetEnabled(false);
  struct PoolBackOn {
    ~PoolBackOn() { huge_tlb::SetEnabled(true); }
  } back_on;
  mapping_cache::Flush();
  uint8_t* kept = nullptr;
  {
    auto pool = MemPool::Create(size_t(2) << 20, 2);
    ASSERT_TRUE(pool.ok());
    kept = (*pool)->Get().data();
  }
  unsigned char vec[1];
  EXPECT_EQ(::mincore(kept, 4096, vec), 0);  // cached: still mapped
  EXPECT_GT(mapping_cache::GetStats().cached_bytes, 0u);
  mapping_cache::Flush();
  uint8_t* gone = nullptr;
  {
    auto pool = MemPool::Create(size_t(2) << 20, 2);
    ASSERT_TRUE(pool.ok());
    Buffer b = (*pool)->Get();
    gone = b.data();
    b.ForbidReuseOfPool();
  }
  EXPECT_EQ(mapping_cache::GetStats().cached_bytes, 0u);
  EXPECT_EQ(::mincore(gone, 4096, vec), -1);
}

TEST(MemPool, HandsOutDistinctAlignedNonOverlappingBuffers) {
  for (size_t buffer_size : {size_t(1), size_t(1000), size_t(4096), size_t(10000), size_t(1) << 20}) {
    const size_t count = 5;
    auto pool = NewPool(buffer_size, count);
    ASSERT_NE(pool, nullptr);
    EXPECT_EQ(pool->count(), count);
    EXPECT_GE(pool->buffer_size(), buffer_size);
    // Page-aligned for O_DIRECT from one page up; smaller buffers (network buffers on many
    // ranks) are packed at cache-line strides.
    const size_t unit = buffer_size >= 4096 ? 4096 : MemPool::kSmallBufferAlignment;
    EXPECT_EQ(pool->buffer_size() % unit, 0u);
    EXPECT_EQ(pool->buffer_size(), MemPool::Stride(buffer_size));
    EXPECT_EQ(pool->available(), count);
    EXPECT_GE(pool->region().iov_len, count * pool->buffer_size());
    std::vector<Buffer> held;
    for (size_t i = 0; i < count; ++i) {
      auto b = pool->TryGet();
      ASSERT_TRUE(b.has_value()) << "buffer " << i << " of " << count;
      EXPECT_FALSE(b->empty());
      EXPECT_EQ(reinterpret_cast<uintptr_t>(b->data()) % unit, 0u);
      EXPECT_GE(b->capacity(), buffer_size);
      EXPECT_EQ(b->size(), 0u);
      EXPECT_TRUE(InRegion(*pool, *b));
      held.push_back(std::move(*b));
    }
    EXPECT_FALSE(pool->TryGet().has_value()) << "an exhausted pool handed out another buffer";
    EXPECT_EQ(pool->available(), 0u);
    EXPECT_EQ(pool->low_water(), 0u);
    // No two buffers share a byte: sorted by address, each ends before the next begins.
    std::vector<const Buffer*> sorted;
    for (const auto& b : held) sorted.push_back(&b);
    std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->data() < b->data(); });
    for (size_t i = 1; i < sorted.size(); ++i) {
      EXPECT_LE(sorted[i - 1]->data() + sorted[i - 1]->capacity(), sorted[i]->data());
    }
    // Fill each whole buffer with its own byte; none is clobbered by another.
    for (size_t i = 0; i < held.size(); ++i) std::memset(held[i].data(), int(i + 1), held[i].capacity());
    for (size_t i = 0; i < held.size(); ++i) {
      const uint8_t* p = held[i].data();
      EXPECT_TRUE(std::all_of(p, p + held[i].capacity(), [&](uint8_t c) { return size_t(c) == i + 1; }))
          << "buffer " << i;
    }
  }
}

TEST(MemPool, RefusesEmptyPools) {
  EXPECT_FALSE(MemPool::Create(0, 4).ok());
  EXPECT_FALSE(MemPool::Create(4096, 0).ok());
}

TEST(MemPool, BufferReturnsWhenDestroyed) {
  auto pool = NewPool(4096, 2);
  ASSERT_NE(pool, nullptr);
  {
    Buffer a = pool->Get();
    EXPECT_EQ(pool->available(), 1u);
    {
      Buffer b = pool->Get();
      EXPECT_EQ(pool->available(), 0u);
    }
    EXPECT_EQ(pool->available(), 1u);
  }
  EXPECT_EQ(pool->available(), 2u);
  // An optional from TryGet returns its buffer too.
  { auto c = pool->TryGet(); }
  EXPECT_EQ(pool->available(), 2u);
  EXPECT_EQ(pool->low_water(), 0u);
}

TEST(MemPool, MovedBufferReturnsExactlyOnce) {
  auto pool = NewPool(4096, 3);
  ASSERT_NE(pool, nullptr);
  {
    Buffer a = pool->Get();
    a.set_size(17);
    a.set_offset(99);
    uint8_t* data = a.data();
    Buffer b(std::move(a));
    EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): a moved-from Buffer is empty, by contract
    EXPECT_EQ(b.data(), data);
    EXPECT_EQ(b.size(), 17u);
    EXPECT_EQ(b.offset(), 99u);
    { Buffer gone = std::move(a); }  // NOLINT(bugprone-use-after-move): moving an empty buffer returns nothing
    EXPECT_EQ(pool->available(), 2u);
    {
      Buffer taker = std::move(b);
      EXPECT_EQ(pool->available(), 2u);
    }  // the moved-to buffer goes back here
    EXPECT_EQ(pool->available(), 3u);
    // b was moved from: destroying it must not return the buffer a second time.
  }
  EXPECT_EQ(pool->available(), 3u);

  // Move-assigning over a held buffer returns the one it held.
  Buffer x = pool->Get();
  Buffer y = pool->Get();
  EXPECT_EQ(pool->available(), 1u);
  x = std::move(y);
  EXPECT_EQ(pool->available(), 2u);
  x = Buffer();
  EXPECT_EQ(pool->available(), 3u);
  // Three distinct buffers again: a double return would have made a fourth.
  std::set<uint8_t*> seen;
  std::vector<Buffer> all;
  while (auto b = pool->TryGet()) {
    seen.insert(b->data());
    all.push_back(std::move(*b));
  }
  EXPECT_EQ(all.size(), 3u);
  EXPECT_EQ(seen.size(), 3u);
}

TEST(MemPool, GetBlocksUntilAnotherThreadReturnsABuffer) {
  auto pool = NewPool(4096, 2);
  ASSERT_NE(pool, nullptr);
  std::optional<Buffer> first = pool->Get(), second = pool->Get();
  std::atomic<bool> got{false};
  uint8_t* got_data = nullptr;
  std::thread waiter([&] {
    Buffer b = pool->Get();
    got_data = b.data();
    got = true;
  });
  std::this_thread::sleep_for(milliseconds(100));  // measures that Get stays blocked
  EXPECT_FALSE(got.load()) << "Get() returned while every buffer was out";
  uint8_t* returned = first->data();
  first.reset();
  waiter.join();
  EXPECT_TRUE(got.load());
  EXPECT_EQ(got_data, returned);
  EXPECT_EQ(pool->available(), 1u);
}

TEST(MemPool, GetForTimesOut) {
  auto pool = NewPool(4096, 1);
  ASSERT_NE(pool, nullptr);
  {
    auto fast = pool->GetFor(milliseconds(1000));
    ASSERT_TRUE(fast.has_value()) << "a free buffer must come at once";
    auto start = Clock::now();
    auto none = pool->GetFor(milliseconds(30));
    auto waited = Clock::now() - start;
    EXPECT_FALSE(none.has_value());
    EXPECT_GE(waited, milliseconds(30));
    EXPECT_LT(waited, milliseconds(2000));
  }
  // A buffer returned by another thread during the wait ends it.
  Buffer held = pool->Get();
  std::atomic<bool> returned{false};
  std::thread giver([&] {
    std::this_thread::sleep_for(milliseconds(20));
    returned = true;
    held = Buffer();
  });
  auto b = pool->GetFor(milliseconds(5000));
  EXPECT_TRUE(b.has_value());
  EXPECT_TRUE(returned.load());
  giver.join();
}

TEST(BackPressure, PoolStallsProducerFeedingSlowConsumer) {
  constexpr size_t kPoolBuffers = 4, kBuffers = 200;
  auto pool = NewPool(4096, kPoolBuffers);
  ASSERT_NE(pool, nullptr);
  RiverQueue queue(2);
  std::atomic<int> live{0}, max_live{0};
  std::atomic<int64_t> producer_ns{0};
  std::thread producer([&] {
    auto start = Clock::now();
    for (size_t i = 0; i < kBuffers; ++i) {
      Buffer b = pool->Get();  // blocks while the consumer holds the pool
      int now = ++live;
      int seen = max_live.load();
      while (now > seen && !max_live.compare_exchange_weak(seen, now)) {
      }
      std::memcpy(b.data(), &i, sizeof i);
      b.set_size(sizeof i);
      b.set_offset(i);
      queue.Put(std::move(b));
    }
    producer_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    (void)queue.Close();
  });
  std::set<uint8_t*> addresses;
  size_t expect = 0;
  while (auto b = queue.Get()) {
    size_t value;
    std::memcpy(&value, b->data(), sizeof value);
    EXPECT_EQ(b->offset(), expect);
    EXPECT_EQ(value, expect);
    EXPECT_EQ(b->size(), sizeof value);
    addresses.insert(b->data());
    ++expect;
    std::this_thread::sleep_for(milliseconds(2));  // the slow consumer
    // Count down before the buffer goes back, so `live` never undercounts.
    --live;
    b.reset();
  }
  producer.join();
  EXPECT_EQ(expect, kBuffers) << "buffers lost or added";
  EXPECT_EQ(pool->low_water(), 0u) << "the producer never ran the pool dry, so it was never stalled";
  EXPECT_LE(max_live.load(), int(kPoolBuffers)) << "more buffers existed than the pool holds";
  EXPECT_LE(addresses.size(), kPoolBuffers);
  // The producer could not finish before the consumer had taken all but the buffers in the pool
  // and queue, each after a 2 ms pause: it was held back, not buffering ahead.
  EXPECT_GE(producer_ns.load(), int64_t(kBuffers - kPoolBuffers - 2) * 2'000'000);
  EXPECT_EQ(pool->available(), kPoolBuffers);
}

TEST(RiverQueue, PutAfterCloseDropsTheBufferBackToItsPool) {
  auto pool = NewPool(4096, 2);
  ASSERT_NE(pool, nullptr);
  RiverQueue queue(4);
  queue.Put(pool->Get());
  ASSERT_TRUE(queue.Close().ok());
  queue.Put(pool->Get());
  EXPECT_EQ(pool->available(), 1u);  // the late buffer is back, the first is still queued
  EXPECT_TRUE(queue.Get().has_value());
  EXPECT_FALSE(queue.Get().has_value());
  EXPECT_EQ(pool->available(), 2u);
}

using test::WriteStriped;

TEST(BackPressure, DiskSourceStallsOnSmallPoolAndDeliversInOrder) {
  test::TempDir dir;
  std::vector<std::string> members;
  for (int k = 0; k < 2; ++k) {
    std::string sub = dir.path();
    sub += "/d";
    sub += std::to_string(k);
    std::filesystem::create_directories(sub);
    sub += "/in";
    members.push_back(sub);
  }
  std::string data((8 << 20) + 12345, '\0');
  std::mt19937 rng(8);
  for (auto& c : data) c = char(rng());
  const uint64_t unit = 64 * 1024;
  WriteStriped(members, unit, data);
  if (HasFatalFailure()) return;

  for (EngineKind engine : {EngineKind::kUring, EngineKind::kThreads}) {
    SCOPED_TRACE(EngineName(engine));
    constexpr size_t kTransfer = 256 * 1024, kPoolBuffers = 3;
    auto pool = NewPool(kTransfer, kPoolBuffers);
    ASSERT_NE(pool, nullptr);
    DiskOptions opt;
    opt.engine = engine;
    opt.direct = true;
    opt.transfer_size = kTransfer;
    opt.queue_depth = 8;
    opt.stripe_unit = unit;
    std::vector<std::string> notices;
    auto src = DiskSource::Open(members, opt, pool.get(), &notices);
    ASSERT_TRUE(src.ok()) << src.status().message();
    std::string got;
    std::set<uint8_t*> addresses;
    while (auto b = (*src)->Get()) {
      EXPECT_EQ(b->offset(), got.size()) << "buffer out of order";
      EXPECT_TRUE(InRegion(*pool, *b)) << "a buffer from outside the pool";
      addresses.insert(b->data());
      got.append(reinterpret_cast<const char*>(b->data()), b->size());
      std::this_thread::sleep_for(milliseconds(2));  // the slow consumer
    }
    EXPECT_TRUE((*src)->status().ok()) << (*src)->status().message();
    ASSERT_EQ(got.size(), data.size());
    EXPECT_TRUE(got == data) << "bytes differ";
    EXPECT_EQ(pool->low_water(), 0u) << "the reader never ran the pool dry";
    EXPECT_LE(addresses.size(), kPoolBuffers);
    src->reset();
    EXPECT_EQ(pool->available(), kPoolBuffers) << "buffers not returned after the source is gone";
  }
}

}  // namespace
}  // namespace rs
