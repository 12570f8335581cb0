// io/aligned_buffer.cpp
#include "io/aligned_buffer.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <string>
#include <utility>

#include "io/huge_tlb.hpp"
#include "io/mapping_cache.hpp"

namespace rs {

namespace {
constexpr size_t kHugePage = huge_tlb::kPageBytes;
}

AlignedBuffer::~AlignedBuffer() { Release(); }

AlignedBuffer::AlignedBuffer(AlignedBuffer&& o) noexcept
    : map_size_(std::exchange(o.map_size_, 0)),
      pool_bytes_(std::exchange(o.pool_bytes_, 0)),
      data_(std::exchange(o.data_, nullptr)),
      size_(std::exchange(o.size_, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& o) noexcept {
  if (this != &o) {
    Release();
    map_size_ = std::exchange(o.map_size_, 0);
    pool_bytes_ = std::exchange(o.pool_bytes_, 0);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

void AlignedBuffer::ReleaseWithoutReuse() { Release(false); }

void AlignedBuffer::Release(bool reuse) {
  // Pool pages go back to the pool (still backed: nothing to cache); in-flight I/O holds its own
  // page references, as with ordinary pages.
  if (data_ != nullptr && pool_bytes_ > 0) {
    huge_tlb::Unmap(data_, pool_bytes_, map_size_ - pool_bytes_);
    mapping_cache::UncountExternal(map_size_);
  } else if (data_ != nullptr) {
    mapping_cache::Unmap(data_, map_size_, reuse);
  }
  data_ = nullptr;
  size_ = map_size_ = pool_bytes_ = 0;
}

Result<AlignedBuffer> AlignedBuffer::Allocate(size_t bytes) {
  AlignedBuffer b;
  if (bytes == 0) return b;
  const size_t used = Footprint(bytes);
  // Huge pages only where a whole one lies inside the buffer. A huge page is faulted in whole at
  // the first touch, so a buffer rounded up to 2 MiB costs up to 2 MiB of RSS more than it holds:
  // a merge of 48 runs, each with a 300 KiB pool, took 114 MiB per rank under a 16 MiB budget
  // (docs/external.md). The tail past the last whole huge page stays in 4 KiB pages.
  const size_t huge = bytes / kHugePage * kHugePage;
  // The reserved pool first: its pages stay backed between processes (io/huge_tlb.hpp).
  if (huge > 0) {
    if (void* p = huge_tlb::Map(huge, used - huge); p != nullptr) {
      mapping_cache::CountExternal(used);  // no cached pages stay resident beside it
      b.map_size_ = used;
      b.pool_bytes_ = huge;
      b.data_ = static_cast<uint8_t*>(p);
      b.size_ = bytes;
      return b;
    }
  }
  // Taken from the pages earlier buffers touched where they fit (io/mapping_cache.hpp): fresh
  // pages cost 1.1-1.9 s per GiB to touch here.
  void* p = mapping_cache::Map(used, huge > 0 ? kHugePage : 4096);
  if (p == nullptr) {
    return Status::FromErrno(errno, "memory", "mmap of " + std::to_string(bytes) + " bytes");
  }
  const uintptr_t start = reinterpret_cast<uintptr_t>(p);
  // Huge pages are a hint: where THP is off the buffer still works with 4 KiB pages. The tail is
  // marked too, so that with THP "always" the kernel does not round it up (or merge it with a
  // neighbouring mapping into a huge page) either.
  if (huge > 0) (void)::madvise(reinterpret_cast<void*>(start), huge, MADV_HUGEPAGE);
  if (used > huge) (void)::madvise(reinterpret_cast<void*>(start + huge), used - huge, MADV_NOHUGEPAGE);
  b.map_size_ = used;
  b.data_ = reinterpret_cast<uint8_t*>(start);
  b.size_ = bytes;
  return b;
}

}  // namespace rs
