// io/huge_tlb.cpp
#include "io/huge_tlb.hpp"

#include <linux/mman.h>  // MAP_HUGE_2MB
#include <sys/mman.h>

#include <atomic>
#include <cerrno>
#include <mutex>

#include "core/config.hpp"
#include "io/memory_peak.hpp"

namespace rs::huge_tlb {
namespace {

std::atomic<bool> enabled{config::kHugeTlbPool};
std::mutex mu;
uint64_t mapped = 0;

}  // namespace

void SetEnabled(bool on) { enabled.store(on, std::memory_order_relaxed); }

void* Map(size_t huge, size_t tail) {
  if (!enabled.load(std::memory_order_relaxed) || huge == 0 || huge % kPageBytes != 0 || tail % 4096 != 0) {
    return nullptr;
  }
  // Reserve the whole range (inaccessible), aligned to a huge page by over-mapping one, so that the
  // pool pages and the tail's ordinary pages lie back to back. Then free the reservation's front and
  // put the pool pages there with MAP_FIXED_NOREPLACE: where another thread took the hole meanwhile,
  // or the pool has too few free pages (they are reserved at the mapping: ENOMEM here, never later at
  // a touch), it fails without touching anyone's mapping, and only what is still ours is unmapped.
  const size_t span = huge + tail + kPageBytes;
  void* r = ::mmap(nullptr, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (r == MAP_FAILED) return nullptr;
  const uintptr_t first = reinterpret_cast<uintptr_t>(r);
  const uintptr_t start = (first + kPageBytes - 1) & ~uintptr_t(kPageBytes - 1), end = start + huge + tail;
  if (start > first) (void)::munmap(r, start - first);
  if (first + span > end) (void)::munmap(reinterpret_cast<void*>(end), first + span - end);
  void* const at = reinterpret_cast<void*>(start);
  (void)::munmap(at, huge);
  // 2 MiB pages by name, whatever the default huge page size (with 1 GiB default pages a plain
  // MAP_HUGETLB would round the mapping up to a gigabyte).
  void* p = ::mmap(at, huge, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB | MAP_FIXED_NOREPLACE, -1, 0);
  auto* const tail_at = reinterpret_cast<void*>(start + huge);
  if (p != at) {
    if (p != MAP_FAILED) (void)::munmap(p, huge);  // kernels before 4.17 take the flag as a hint
    if (tail > 0) (void)::munmap(tail_at, tail);
    return nullptr;
  }
  if (tail > 0) {
    if (::mprotect(tail_at, tail, PROT_READ | PROT_WRITE) != 0) {  // still ours (ENOMEM: too many mappings)
      (void)::munmap(at, huge + tail);
      return nullptr;
    }
    (void)::madvise(tail_at, tail, MADV_NOHUGEPAGE);
  }
  // A child process must not share private pool pages: a copy on write there would need pool
  // pages that may not be free. (riversort's children, popen's, are spawned without a copy.)
  (void)::madvise(at, huge + tail, MADV_DONTFORK);
  std::lock_guard lock(mu);
  mapped += huge;
  return at;
}

void Unmap(void* addr, size_t huge, size_t tail) {
  memory_peak::Sample();  // the pool pages touched leave here: the peak is read first
  (void)::munmap(addr, huge + tail);
  std::lock_guard lock(mu);
  mapped -= huge;
}

uint64_t MappedBytes() {
  std::lock_guard lock(mu);
  return mapped;
}

}  // namespace rs::huge_tlb
