// io/mapping_cache.cpp
#include "io/mapping_cache.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <mutex>

#include "core/config.hpp"
#include "io/memory_peak.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define RS_POISON(p, n) ASAN_POISON_MEMORY_REGION(reinterpret_cast<void*>(p), n)
#define RS_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(reinterpret_cast<void*>(p), n)
#else
#define RS_POISON(p, n) ((void)(p), (void)(n))
#define RS_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace rs::mapping_cache {
namespace {

struct State {
  std::mutex mu;
  std::map<uintptr_t, size_t> ranges;  // start -> bytes; adjacent ranges are joined
  Stats stats;
};

State& Get() {
  static State* state = new State();  // never destroyed: buffers may be released during exit
  return *state;
}

uintptr_t AlignUp(uintptr_t a, size_t alignment) { return (a + alignment - 1) & ~uintptr_t(alignment - 1); }

// Unmapped memory must not stay poisoned: a later mapping at the same address would be reported.
void Release(uintptr_t start, size_t bytes) {
  memory_peak::Sample();  // resident pages leave here: the peak is read first (io/memory_peak.hpp)
  RS_UNPOISON(start, bytes);
  (void)::munmap(reinterpret_cast<void*>(start), bytes);
}

// Unmaps every cached range. s.mu held.
void UnmapAll(State& s) {
  for (const auto& [start, bytes] : s.ranges) Release(start, bytes);
  s.ranges.clear();
  s.stats.cached_bytes = 0;
}

// Puts [start, start + bytes) into the cache, joined with its neighbours. s.mu held.
void Insert(State& s, uintptr_t start, size_t bytes) {
  if (bytes == 0) return;
  auto next = s.ranges.lower_bound(start);
  if (next != s.ranges.end() && next->first == start + bytes) {
    bytes += next->second;
    next = s.ranges.erase(next);
  }
  if (next != s.ranges.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == start) {
      prev->second += bytes;
      return;
    }
  }
  s.ranges.emplace(start, bytes);
}

// Unmaps `bytes` cached bytes (a multiple of 4 KiB), from the highest addresses down. s.mu held.
void Evict(State& s, uint64_t bytes) {
  while (bytes > 0 && !s.ranges.empty()) {
    auto last = std::prev(s.ranges.end());
    const size_t n = std::min<uint64_t>(bytes, last->second);
    const uintptr_t end = last->first + last->second;
    Release(end - n, n);
    if (n == last->second) {
      s.ranges.erase(last);
    } else {
      last->second -= n;
    }
    s.stats.cached_bytes -= n;
    bytes -= n;
  }
}

// The smallest cached range that holds `bytes` at `alignment`, taken out of the cache (its head
// before the aligned start and its tail stay cached), or 0. s.mu held.
uintptr_t Take(State& s, size_t bytes, size_t alignment) {
  auto best = s.ranges.end();
  for (auto it = s.ranges.begin(); it != s.ranges.end(); ++it) {
    const uintptr_t start = AlignUp(it->first, alignment);
    if (start + bytes > it->first + it->second) continue;
    if (best == s.ranges.end() || it->second < best->second) best = it;
  }
  if (best == s.ranges.end()) return 0;
  const uintptr_t first = best->first, end = best->first + best->second;
  const uintptr_t start = AlignUp(first, alignment);
  s.ranges.erase(best);
  Insert(s, first, start - first);
  Insert(s, start + bytes, end - (start + bytes));
  s.stats.cached_bytes -= bytes;
  RS_UNPOISON(start, bytes);
  return start;
}

void Count(State& s, size_t bytes) {
  s.stats.live_bytes += bytes;
  s.stats.peak_bytes = std::max(s.stats.peak_bytes, s.stats.live_bytes);
}

}  // namespace

void* Map(size_t bytes, size_t alignment) {
  if (bytes == 0 || bytes % config::kDirectAlignment != 0 || alignment < config::kDirectAlignment ||
      (alignment & (alignment - 1)) != 0) {
    errno = EINVAL;
    return nullptr;
  }
  State& s = Get();
  std::lock_guard lock(s.mu);
  if (const uintptr_t reused = Take(s, bytes, alignment); reused != 0) {
    s.stats.reused_bytes += bytes;
    Count(s, bytes);
    return reinterpret_cast<void*>(reused);
  }
  // The bound: live + cached + this mapping at most the most ever live (or live + this, if more).
  const uint64_t bound = std::max<uint64_t>(s.stats.peak_bytes, s.stats.live_bytes + bytes);
  const uint64_t total = s.stats.live_bytes + s.stats.cached_bytes + bytes;
  if (total > bound) Evict(s, total - bound);
  // Over-map by the alignment, then unmap the head and tail around the aligned range: nothing
  // mapped is left unused (the cache would otherwise hold slack that no buffer ever touched).
  const size_t over = alignment > config::kDirectAlignment ? alignment : 0;
  void* p = ::mmap(nullptr, bytes + over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  const uintptr_t first = reinterpret_cast<uintptr_t>(p), start = AlignUp(first, alignment);
  if (start > first) (void)::munmap(p, start - first);
  if (first + over > start) (void)::munmap(reinterpret_cast<void*>(start + bytes), first + over - start);
  Count(s, bytes);
  return reinterpret_cast<void*>(start);
}

void Unmap(void* addr, size_t bytes, bool reuse) {
  State& s = Get();
  std::lock_guard lock(s.mu);
  s.stats.live_bytes -= bytes;
  if (!config::kMappingCache || !reuse) {
    Release(reinterpret_cast<uintptr_t>(addr), bytes);
    return;
  }
  RS_POISON(addr, bytes);
  Insert(s, reinterpret_cast<uintptr_t>(addr), bytes);
  s.stats.cached_bytes += bytes;
}

void CountExternal(size_t bytes) {
  State& s = Get();
  std::lock_guard lock(s.mu);
  Count(s, bytes);
  const uint64_t bound = s.stats.peak_bytes, total = s.stats.live_bytes + s.stats.cached_bytes;
  if (total > bound) Evict(s, total - bound);
}

void UncountExternal(size_t bytes) {
  State& s = Get();
  std::lock_guard lock(s.mu);
  s.stats.live_bytes -= bytes;
}

void Flush() {
  State& s = Get();
  std::lock_guard lock(s.mu);
  UnmapAll(s);
  s.stats.peak_bytes = s.stats.live_bytes;
}

void Trim() {
  State& s = Get();
  std::lock_guard lock(s.mu);
  UnmapAll(s);
}

Stats GetStats() {
  State& s = Get();
  std::lock_guard lock(s.mu);
  return s.stats;
}

}  // namespace rs::mapping_cache
