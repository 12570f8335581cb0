// io/huge_tlb.hpp — buffers from the kernel's reserved pool of huge pages (hugetlbfs, MAP_HUGETLB),
// where an administrator (or scripts/lib/deps.sh rs_reserve_huge_pages) has reserved one.
//
// Why: on this VM the first touch of fresh memory costs 1-2 s per GiB, and memory a process frees
// is handed back to the host a few seconds later (the balloon's free page reporting), so every
// process of a benchmark pays it again, and the same in-core sort ran at two speeds from run to
// run (docs/machine.md#memory). Pages of the reserved pool never return to the buddy allocator, so
// they are never reported: once touched by any process they stay backed, and a later process's
// first touch costs only the kernel zeroing them, 0.09-0.10 s/GiB against 0.6-1.8 s/GiB for
// ordinary pages (measured 2026-12-04; docs/machine.md#the-reserved-huge-page-pool).
//
// A mapping holds `huge` bytes of pool pages followed by `tail` bytes of ordinary 4 KiB pages (the
// part of a buffer past its last whole 2 MiB), so a buffer costs what its footprint says. Where the
// pool has too few free pages (none reserved: the default), Map returns nullptr and the caller
// takes ordinary memory; nothing else changes. Pool pages are not in the process's RSS:
// io/memory_peak.hpp adds them for the reports' peak memory. Always 2 MiB pages (MAP_HUGE_2MB),
// whatever the system's default huge page size. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rs::huge_tlb {

inline constexpr size_t kPageBytes = size_t(2) << 20;

// `huge` (a non-zero multiple of kPageBytes) bytes of pool pages, then `tail` (a multiple of 4 KiB)
// bytes of ordinary pages, in one range aligned to kPageBytes; nullptr where the pool cannot hold
// `huge` now, where the tail's addresses are taken, or where Map is turned off (SetEnabled,
// config::kHugeTlbPool).
void* Map(size_t huge, size_t tail);
// Turns Map off (it returns nullptr) or back on, for the whole process: the tests of the mapping
// cache, whose buffers would otherwise come from a reserved pool. On by config::kHugeTlbPool.
void SetEnabled(bool on);
// Gives back a range Map returned (its pool pages go back to the pool, still backed).
void Unmap(void* addr, size_t huge, size_t tail);

// Pool bytes mapped now (reserved for this process, touched or not). The most touched at once is
// memory_peak::PoolPeak (io/memory_peak.hpp).
uint64_t MappedBytes();

}  // namespace rs::huge_tlb
