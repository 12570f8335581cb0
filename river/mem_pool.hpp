// river/mem_pool.hpp — a bounded pool of equal, aligned buffers carved from one mapping that is
// allocated once (MADV_HUGEPAGE; docs/machine.md#memory: fresh memory costs 1-2 s/GiB to touch, reused
// huge-page memory ~0.08 s/GiB). Get() blocks while every buffer is out: that is River's
// back-pressure. A Buffer returns itself to its pool when destroyed. Thread-safe.
#pragma once

#include <sys/uio.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "core/config.hpp"
#include "core/status.hpp"
#include "io/aligned_buffer.hpp"

namespace rs {

class MemPool;

// A slab of pool memory with a fill level. Move-only; handed between threads whole.
class Buffer {
 public:
  Buffer() = default;
  ~Buffer() { Release(); }
  Buffer(Buffer&& o) noexcept { *this = std::move(o); }
  Buffer& operator=(Buffer&& o) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  uint8_t* data() const { return data_; }
  size_t capacity() const { return capacity_; }
  size_t size() const { return size_; }
  void set_size(size_t n) { size_ = n; }
  bool empty() const { return data_ == nullptr; }
  // I/O may still land in this buffer after it is released (a broken ring left it in flight):
  // its pool's memory is unmapped when the pool goes, never reused (io/mapping_cache.hpp).
  void ForbidReuseOfPool() const;
  // Where this buffer's bytes sit in their stream (set by sources, used by sinks that care).
  uint64_t offset() const { return offset_; }
  void set_offset(uint64_t o) { offset_ = o; }

 private:
  friend class MemPool;
  void Release();
  MemPool* pool_ = nullptr;
  uint32_t index_ = 0;
  uint8_t* data_ = nullptr;
  size_t capacity_ = 0;
  size_t size_ = 0;
  uint64_t offset_ = 0;
};

// This machine's physical memory shared by the ranks mpirun started on it
// (OMPI_COMM_WORLD_LOCAL_SIZE; 1 outside mpirun): the most one process may hold in pools.
uint64_t MemoryPerProcess();

class MemPool {
 public:
  // `count` buffers of `buffer_size` bytes, rounded up to 4 KiB for O_DIRECT (Stride). A buffer
  // under 4 KiB is rounded to 64 bytes only: such buffers are for memory and the network (the
  // network buffers of a sort over many ranks, docs/scale.md#memory-per-rank), never for O_DIRECT. Refused with one
  // line when this pool and the process's other live pools together would exceed
  // MemoryPerProcess(): a pool is sized to be filled, and such a pool cannot be (--transfer-size
  // 1G made onepass map 38.6 GB per rank on a 24 GiB machine).
  static Result<std::unique_ptr<MemPool>> Create(size_t buffer_size, size_t count);
  // The most RSS such a pool takes (MemPool::Create rounds as this does).
  static uint64_t Bytes(size_t buffer_size, size_t count);
  // What one buffer of `buffer_size` bytes takes in a pool: its capacity.
  static size_t Stride(size_t buffer_size);
  static constexpr size_t kSmallBufferAlignment = 64;  // a cache line
  ~MemPool();

  Buffer Get();  // blocks until a buffer is free
  std::optional<Buffer> TryGet();
  // Waits at most `timeout` for a buffer (for threads that must also watch a stop flag).
  std::optional<Buffer> GetFor(std::chrono::milliseconds timeout);
  size_t buffer_size() const { return buffer_size_; }
  size_t count() const { return count_; }
  size_t available() const;
  size_t low_water() const;  // fewest buffers ever free at once (tests, reports)
  // Unmap the memory when the pool goes instead of giving it to the mapping cache.
  void ForbidReuse() { no_reuse_.store(true, std::memory_order_relaxed); }
  // The whole region, for registering with io_uring once.
  iovec region() const { return {memory_.data(), memory_.size()}; }
  // Whether a stream with `depth` requests in flight should register this pool with io_uring.
  // Registering pins, and so touches, every page at once; a pool much larger than the stream's
  // depth is shared by a whole algorithm (onepass keeps every buffer of a run in one pool), and
  // touching all of it up front would cost 1-2 s/GiB on this VM (docs/machine.md#memory) for pages that
  // may never be used. Such pools are left unregistered: a little more CPU per request instead.
  bool WorthRegistering(unsigned depth) const { return count_ <= size_t(config::kRegisterPoolPerDepth) * depth; }

 private:
  friend class Buffer;
  MemPool() = default;
  Buffer Take();  // mu_ held, free_ non-empty
  void Return(uint32_t index);

  AlignedBuffer memory_;
  uint64_t bytes_ = 0;  // counted in the process's pooled bytes
  size_t buffer_size_ = 0;
  size_t count_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<uint32_t> free_;
  size_t low_water_ = 0;
  std::atomic<bool> no_reuse_{false};
};

}  // namespace rs
