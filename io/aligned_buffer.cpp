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
    : map_(std::exchange(o.map_, nullptr)), map_size_(std::exchange(o.map_size_, 0)),
      data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}

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
  size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  // Over-map by one huge page so the data can start on a 2 MiB boundary.
  size_t map_size = rounded + kHugePage;
  void* p = ::mmap(nullptr, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    return Status::FromErrno(errno, "memory", "mmap of " + std::to_string(bytes) + " bytes");
  }
  uintptr_t start = (reinterpret_cast<uintptr_t>(p) + kHugePage - 1) & ~(kHugePage - 1);
  // Huge pages are a hint: where THP is off the buffer still works with 4 KiB pages.
  (void)::madvise(reinterpret_cast<void*>(start), rounded, MADV_HUGEPAGE);
  b.map_ = p;
  b.map_size_ = map_size;
  b.data_ = reinterpret_cast<uint8_t*>(start);
  b.size_ = bytes;
  return b;
}

}  // namespace rs
