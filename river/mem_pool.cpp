// river/mem_pool.cpp
#include "river/mem_pool.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "core/activity.hpp"
#include "core/cpu_affinity.hpp"
#include "core/units.hpp"

namespace rs {
namespace {

// Bytes of every live pool of this process.
std::atomic<uint64_t> g_pooled{0};

}  // namespace

namespace {
// The memory limit of this process's cgroup (v2 memory.max, v1 memory.limit_in_bytes), or
// UINT64_MAX: under Slurm or in a container the limit, not the machine, is what the OOM killer
// enforces.
uint64_t CgroupLimit() {
  // This process's cgroups (/proc/self/cgroup): "0::/path" (v2), "N:...memory...:/path" (v1).
  std::vector<std::string> files;
  std::ifstream self("/proc/self/cgroup");
  for (std::string line; std::getline(self, line);) {
    const size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string controllers = line.substr(a + 1, b - a - 1), where = line.substr(b + 1);
    if (controllers.empty()) files.push_back("/sys/fs/cgroup" + where + "/memory.max");
    if (("," + controllers + ",").find(",memory,") != std::string::npos) {
      files.push_back("/sys/fs/cgroup/memory" + where + "/memory.limit_in_bytes");
    }
  }
  uint64_t limit = UINT64_MAX;
  for (const std::string& path : files) {
    std::ifstream in(path);
    std::string value;
    if (in >> value && !value.empty() && value.find_first_not_of("0123456789") == std::string::npos) {
      limit = std::min<uint64_t>(limit, std::strtoull(value.c_str(), nullptr, 10));
    }
  }
  return limit;
}
}  // namespace

uint64_t MemoryPerProcess() {
  const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return UINT64_MAX;  // unknown: no limit
  return std::min(uint64_t(pages) * uint64_t(page), CgroupLimit()) / uint64_t(RanksOnNode());
}

size_t MemPool::Stride(size_t buffer_size) {
  const size_t unit = buffer_size >= config::kDirectAlignment ? config::kDirectAlignment : kSmallBufferAlignment;
  return (buffer_size + unit - 1) / unit * unit;
}

uint64_t MemPool::Bytes(size_t buffer_size, size_t count) {
  return AlignedBuffer::Footprint(Stride(buffer_size) * count);
}

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    Release();
    pool_ = std::exchange(o.pool_, nullptr);
    index_ = o.index_;
    data_ = std::exchange(o.data_, nullptr);
    capacity_ = std::exchange(o.capacity_, 0);
    size_ = std::exchange(o.size_, 0);
    offset_ = std::exchange(o.offset_, 0);
  }
  return *this;
}

void Buffer::ForbidReuseOfPool() const {
  if (pool_ != nullptr) pool_->ForbidReuse();
}

void Buffer::Release() {
  if (pool_ != nullptr) pool_->Return(index_);
  pool_ = nullptr;
  data_ = nullptr;
  capacity_ = size_ = 0;
}

Result<std::unique_ptr<MemPool>> MemPool::Create(size_t buffer_size, size_t count) {
  if (buffer_size == 0 || count == 0) return Status::Error("memory pool needs at least one non-empty buffer");
  const uint64_t bytes = Bytes(buffer_size, count), limit = MemoryPerProcess();
  const uint64_t before = g_pooled.fetch_add(bytes);
  std::unique_ptr<MemPool> pool(new MemPool());
  pool->bytes_ = bytes;  // from here on the destructor gives the bytes back
  if (before + bytes > limit || before + bytes < before) {
    const int local = RanksOnNode();
    return Status::Error(
        "a pool of " + std::to_string(count) + " buffers of " + std::to_string(buffer_size) + " bytes (" +
        MibText(bytes) + (before > 0 ? ", besides " + MibText(before) + " in other pools" : "") +
        ") does not fit this machine's memory (" + MibText(limit) + " per process" +
        (local > 1 ? ", " + std::to_string(local) + " ranks on it" : "") + "): lower --transfer-size or --queue-depth");
  }
  pool->buffer_size_ = Stride(buffer_size);
  pool->count_ = count;
  auto mem = AlignedBuffer::Allocate(pool->buffer_size_ * count);
  if (!mem.ok()) return mem.status();
  pool->memory_ = std::move(*mem);
  for (size_t i = count; i-- > 0;) pool->free_.push_back(uint32_t(i));
  pool->low_water_ = count;
  return pool;
}

MemPool::~MemPool() {
  // Every buffer back before the memory goes: one still out would point into freed memory.
  assert(free_.size() == count_ && "a MemPool destroyed while buffers are still out");
  g_pooled.fetch_sub(bytes_);
  if (no_reuse_.load(std::memory_order_relaxed)) memory_.ReleaseWithoutReuse();
}

Buffer MemPool::Take() {
  Buffer b;
  b.pool_ = this;
  b.index_ = free_.back();
  free_.pop_back();
  low_water_ = std::min(low_water_, free_.size());
  b.data_ = memory_.data() + size_t(b.index_) * buffer_size_;
  b.capacity_ = buffer_size_;
  activity::PoolTaken(buffer_size_);
  return b;
}

Buffer MemPool::Get() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !free_.empty(); });
  return Take();
}

std::optional<Buffer> MemPool::TryGet() {
  std::lock_guard lock(mu_);
  if (free_.empty()) return std::nullopt;
  return Take();
}

std::optional<Buffer> MemPool::GetFor(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, timeout, [&] { return !free_.empty(); })) return std::nullopt;
  return Take();
}

void MemPool::Return(uint32_t index) {
  activity::PoolReturned(buffer_size_);
  {
    std::lock_guard lock(mu_);
    free_.push_back(index);
  }
  cv_.notify_one();
}

size_t MemPool::available() const {
  std::lock_guard lock(mu_);
  return free_.size();
}

size_t MemPool::low_water() const {
  std::lock_guard lock(mu_);
  return low_water_;
}

}  // namespace rs
