// io/aligned_buffer.cpp
#include "io/aligned_buffer.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <string>
#include <utility>

namespace rs {

namespace {
constexpr size_t kHugePage = size_t(2) << 20;
}

AlignedBuffer::~AlignedBuffer() { Release(); }

AlignedBuffer::AlignedBuffer(AlignedBuffer&& o) noexcept
    : map_(std::exchange(o.map_, nullptr)),
      map_size_(std::exchange(o.map_size_, 0)),
      data_(std::exchange(o.data_, nullptr)),
      size_(std::exchange(o.size_, 0)) {}

AlignedBuffer& AlignedBuffer::operator=(AlignedBuffer&& o) noexcept {
  if (this != &o) {
    Release();
    map_ = std::exchange(o.map_, nullptr);
    map_size_ = std::exchange(o.map_size_, 0);
    data_ = std::exchange(o.data_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

void AlignedBuffer::Release() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
  map_ = nullptr;
  data_ = nullptr;
  size_ = map_size_ = 0;
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
  // Over-map by one huge page so the data can start on a 2 MiB boundary (only if it has huge pages).
  const size_t map_size = used + (huge > 0 ? kHugePage : 0);
  void* p = ::mmap(nullptr, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return Status::FromErrno(errno, "memory", "mmap of " + std::to_string(bytes) + " bytes");
  }
  uintptr_t start = reinterpret_cast<uintptr_t>(p);
  if (huge > 0) start = (start + kHugePage - 1) & ~(kHugePage - 1);
  // Huge pages are a hint: where THP is off the buffer still works with 4 KiB pages. The tail is
  // marked too, so that with THP "always" the kernel does not round it up (or merge it with a
  // neighbouring mapping into a huge page) either.
  if (huge > 0) (void)::madvise(reinterpret_cast<void*>(start), huge, MADV_HUGEPAGE);
  if (used > huge) (void)::madvise(reinterpret_cast<void*>(start + huge), used - huge, MADV_NOHUGEPAGE);
  b.map_ = p;
  b.map_size_ = map_size;
  b.data_ = reinterpret_cast<uint8_t*>(start);
  b.size_ = bytes;
  return b;
}

}  // namespace rs
