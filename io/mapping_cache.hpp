// io/mapping_cache.hpp — the address ranges of released AlignedBuffers, kept mapped so the next
// buffer reuses pages already touched instead of faulting in fresh, zeroed ones.
//
// Why: every phase of an out-of-core sort makes its own pools, and fresh memory costs 1.1-1.9 s per
// GiB to touch on this VM (docs/machine.md#memory). A profile of twopass at 4 GB put 15-18 % of its
// CPU in the kernel zeroing pages (clear_page_erms): 10 points when io_uring pinned each phase's
// new pools, 5 on the first touch of the send buffers (docs/terabyte.md). Reused memory costs
// nothing to touch again.
//
// The bound: the bytes held by live buffers and by this cache together never exceed the most the
// live buffers ever held at once (their footprints, which is what a memory plan counts). A request
// the cache cannot serve first unmaps cached bytes, from the highest addresses down, until the new
// mapping fits under that bound. So the cache never raises a sort's peak RSS above the most its
// buffers ever held at once, and Flush() (at the start of every sort) makes each sort's bound its
// own.
//
// Only buffers are counted, not the heap or MPI's memory: a phase that takes part of the cache
// would leave the rest resident beside its own heap. So the merges, once their buffers exist,
// Trim() what they did not take (sort/external/run_merge.cpp, sort/selection/parallel_merge.cpp).
//
// Ranges are split (a request takes the front of a larger range, the rest stays cached) and
// adjacent ranges are joined, so one phase's large pools serve the next phase's many small ones.
// Under AddressSanitizer cached ranges are poisoned: a buffer used after its release is reported,
// as the unmapped page once made it crash. Thread-safe; process-wide.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rs::mapping_cache {

// A mapping of `bytes` (a non-zero multiple of 4 KiB) whose start is aligned to `alignment` (a
// power of two, at least 4 KiB), or nullptr with errno set (EINVAL for other sizes). Taken from
// the cache where a range fits, else freshly mapped.
void* Map(size_t bytes, size_t alignment);
// Gives back a mapping Map() returned: kept in the cache, or unmapped where caching is off or
// `reuse` is false (I/O may still land in it: a broken ring left requests in flight).
void Unmap(void* addr, size_t bytes, bool reuse = true);
// Buffers held elsewhere (the huge page pool's: io/huge_tlb.hpp) count as live toward the bound,
// so that cached pages do not stay resident beside them: counting them evicts cached bytes above it.
void CountExternal(size_t bytes);
void UncountExternal(size_t bytes);
// Unmaps every cached range; the bound starts again from the bytes live now.
void Flush();
// Unmaps every cached range; the bound stays.
void Trim();

// For tests and reports.
struct Stats {
  uint64_t live_bytes = 0;    // mapped by Map() and not given back
  uint64_t cached_bytes = 0;  // given back and still mapped
  uint64_t peak_bytes = 0;    // the most live_bytes ever were (since the last Flush)
  uint64_t reused_bytes = 0;  // served from the cache, since the process started
};
Stats GetStats();

}  // namespace rs::mapping_cache
