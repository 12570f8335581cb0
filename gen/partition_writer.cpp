// gen/partition_writer.cpp
//
// Chunks of kGenChunkRecords records (whole 4 KiB blocks) cycle through a fixed set of slots in
// one buffer: a TBB task takes a free slot, generates the chunk and its checksum, and hands it
// to a writer thread, which writes it at its own file offset and frees the slot. The slot count
// bounds memory; writes are positional, so chunks may finish in any order.
#include "gen/partition_writer.hpp"

#include <fcntl.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "core/blocking_queue.hpp"
#include "core/config.hpp"
#include "core/record.hpp"
#include "io/aligned_buffer.hpp"
#include "io/file.hpp"

namespace rs::gen {

namespace {
uint64_t RoundUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }
}  // namespace

Result<PartitionWriteResult> GeneratePartition(GenMode mode, u128 first, uint64_t count,
                                               const std::string& path, bool direct) {
  constexpr uint64_t kChunk = config::kGenChunkRecords;
  constexpr uint64_t kChunkBytes = kChunk * kRecordSize;
  static_assert(kChunkBytes % config::kDirectAlignment == 0, "chunks must be whole O_DIRECT blocks");

  const bool to_null = path == "/dev/null";
  const uint64_t bytes = count * kRecordSize;
  PartitionWriteResult result;
  OutputFile out;
  if (!to_null) {
    auto created = OutputFile::Create(path, direct ? O_DIRECT : 0);
    if (!created.ok()) return created.status();
    out = std::move(*created);
    result.direct_refused = out.file().direct_refused();
    RS_RETURN_IF_ERROR(out.file().Allocate(RoundUp(bytes, config::kDirectAlignment)));
  }
  const bool aligned_writes = !to_null && out.file().direct();

  const uint64_t chunks = (count + kChunk - 1) / kChunk;
  const size_t slots = size_t(std::clamp<uint64_t>(chunks, 1, config::kGenChunksInFlight));
  auto buffer = AlignedBuffer::Allocate(slots * kChunkBytes);
  if (!buffer.ok()) return buffer.status();

  BlockingQueue<size_t> free_slots(slots);
  for (size_t s = 0; s < slots; ++s) (void)free_slots.Push(s);
  struct Ready {
    uint64_t chunk;
    size_t slot;
  };
  BlockingQueue<Ready> ready(slots);

  std::atomic<bool> failed{false};
  std::mutex mu;
  Status write_status;
  u128 total = 0;

  std::vector<std::thread> writers;
  if (!to_null) {
    for (int w = 0; w < config::kGenWriterThreads; ++w) {
      writers.emplace_back([&] {
        while (auto item = ready.Pop()) {
          if (!failed.load(std::memory_order_relaxed)) {
            uint8_t* data = buffer->data() + item->slot * kChunkBytes;
            uint64_t len = std::min(kChunk, count - item->chunk * kChunk) * kRecordSize;
            if (aligned_writes) {  // O_DIRECT: pad the tail to a whole block; Commit truncates
              uint64_t padded = RoundUp(len, config::kDirectAlignment);
              std::memset(data + len, 0, padded - len);
              len = padded;
            }
            Status st = out.file().WriteAt(data, len, item->chunk * kChunkBytes);
            if (!st.ok()) {
              std::lock_guard lock(mu);
              write_status.Update(st);
              failed = true;
            }
          }
          (void)free_slots.Push(item->slot);
        }
      });
    }
  }

  tbb::parallel_for(tbb::blocked_range<uint64_t>(0, chunks, 1), [&](const tbb::blocked_range<uint64_t>& r) {
    for (uint64_t c = r.begin(); c != r.end(); ++c) {
      if (failed.load(std::memory_order_relaxed)) return;
      size_t slot = *free_slots.Pop();
      uint64_t n = std::min(kChunk, count - c * kChunk);
      Checksum128 sum = GenerateRecords(mode, first + c * kChunk, n, buffer->data() + slot * kChunkBytes);
      {
        std::lock_guard lock(mu);
        total += sum.value();
      }
      if (to_null) {
        (void)free_slots.Push(slot);
      } else {
        (void)ready.Push({c, slot});
      }
    }
  }, tbb::simple_partitioner());
  ready.Close();
  for (auto& t : writers) t.join();

  if (failed) return write_status;
  if (!to_null) RS_RETURN_IF_ERROR(out.Commit(bytes));
  result.checksum = Checksum128(total);
  return result;
}

}  // namespace rs::gen
