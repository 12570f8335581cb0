// io/aligned_buffer.hpp — one large anonymous mapping, 2 MiB aligned, with MADV_HUGEPAGE.
// Allocate big buffers once and reuse them: first touch of fresh memory costs 1-2 s/GiB on this
// VM, reused huge-page memory ~0.08 s/GiB (MACHINE.md). Move-only; unmapped on destruction.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/status.hpp"

namespace rs {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  ~AlignedBuffer();
  AlignedBuffer(AlignedBuffer&& o) noexcept;
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept;

  static Result<AlignedBuffer> Allocate(size_t bytes);
  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  void Release();
  void* map_ = nullptr;
  size_t map_size_ = 0;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace rs
