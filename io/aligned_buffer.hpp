// io/aligned_buffer.hpp — one anonymous mapping, 2 MiB aligned, its whole huge pages from the
// reserved huge page pool where one has room (io/huge_tlb.hpp), else with MADV_HUGEPAGE (4 KiB
// pages for the tail, and for buffers under 2 MiB: page aligned only).
// Allocate big buffers once and reuse them: first touch of fresh memory costs 1-2 s/GiB on this
// VM, reused huge-page memory ~0.08 s/GiB (docs/machine.md#memory). Move-only; given back to the
// mapping cache on destruction (io/mapping_cache.hpp: the next buffer reuses its touched pages).
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
  // The most RSS a buffer of `bytes` can take when all of it is touched: its 4 KiB pages (the
  // huge pages cover whole 2 MiB of the buffer only, never more than it holds).
  static size_t Footprint(size_t bytes) { return (bytes + 4095) / 4096 * 4096; }
  uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  // Unmaps the memory now, never to be reused: I/O may still land in it (a broken ring).
  void ReleaseWithoutReuse();

 private:
  void Release(bool reuse = true);
  size_t map_size_ = 0;    // Footprint(size_): what the mapping cache or the pool gave
  size_t pool_bytes_ = 0;  // of which from the huge page pool (its front; 0: the mapping cache's)
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace rs
