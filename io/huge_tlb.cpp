// io/huge_tlb.cpp
#include "io/huge_tlb.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <fstream>
#include <mutex>
#include <string>

#include "core/config.hpp"

namespace rs::huge_tlb {
namespace {

std::atomic<bool> enabled{config::kHugeTlbPool};
std::mutex mu;
uint64_t mapped = 0, peak = 0;  // peak: of the pool pages touched (resident), since ResetPeak

// The pool pages this process has touched, now ("HugetlbPages:" in /proc/self/status; mapped pool
// pages are reserved at the mapping but faulted in at the first touch, like ordinary ones).
uint64_t Touched() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("HugetlbPages:", 0) == 0) return std::stoull(line.substr(13)) * 1024;
  }
  return mapped;  // unreadable: what is mapped, an upper bound
}

}  // namespace

void* Map(size_t huge, size_t tail) {
  if (!enabled.load(std::memory_order_relaxed) || huge == 0 || huge % kPageBytes != 0 || tail % 4096 != 0)
    return nullptr;
  // Reserve the whole range first, aligned to a huge page (over-mapped by one, the slack unmapped),
  // so that the pool pages and the tail's ordinary pages lie back to back; then put the pool pages
  // over its front. MAP_FIXED replaces only what this call reserved.
  const size_t span = huge + tail + kPageBytes;
  void* r = ::mmap(nullptr, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (r == MAP_FAILED) return nullptr;
  const uintptr_t first = reinterpret_cast<uintptr_t>(r);
  const uintptr_t start = (first + kPageBytes - 1) & ~uintptr_t(kPageBytes - 1);
  if (start > first) (void)::munmap(r, start - first);
  if (first + span > start + huge + tail) {
    (void)::munmap(reinterpret_cast<void*>(start + huge + tail), first + span - (start + huge + tail));
  }
  void* const addr = reinterpret_cast<void*>(start);
  // The pool's pages are reserved here, at the mapping: too few free ones fail now (ENOMEM), never
  // later at a touch.
  if (::mmap(addr, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_FIXED, -1, 0) ==
          MAP_FAILED ||
      (tail > 0 && ::mprotect(reinterpret_cast<void*>(start + huge), tail, PROT_READ | PROT_WRITE) != 0)) {
    const int err = errno;
    (void)::munmap(addr, huge + tail);
    errno = err;
    return nullptr;
  }
  if (tail > 0) (void)::madvise(reinterpret_cast<void*>(start + huge), tail, MADV_NOHUGEPAGE);
  // A child process (MPI may fork helpers) must not share private pool pages: a copy on write
  // there would need pool pages that may not be free.
  (void)::madvise(addr, huge + tail, MADV_DONTFORK);
  std::lock_guard lock(mu);
  mapped += huge;
  return addr;
}

void SetEnabled(bool on) { enabled.store(on, std::memory_order_relaxed); }

void Unmap(void* addr, size_t huge, size_t tail) {
  // Touched pool pages leave only here, so the peak is read before each unmap, and at the end.
  std::lock_guard lock(mu);
  peak = std::max(peak, Touched());
  (void)::munmap(addr, huge + tail);
  mapped -= huge;
}

uint64_t MappedBytes() {
  std::lock_guard lock(mu);
  return mapped;
}

uint64_t PeakBytes() {
  std::lock_guard lock(mu);
  return std::max(peak, Touched());
}

void ResetPeak() {
  std::lock_guard lock(mu);
  peak = Touched();
}

}  // namespace rs::huge_tlb
