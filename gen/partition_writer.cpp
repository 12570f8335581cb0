// gen/partition_writer.cpp
//
// A TBB pipeline with as many tokens as spare pool buffers: a serial stage takes a free buffer
// (blocking while the disk is behind: back-pressure), a parallel stage fills it with records and
// their checksum, a serial in-order stage adds the checksum and puts the buffer to the DiskSink,
// whose I/O thread keeps queue_depth writes in flight and returns buffers to the pool.
#include "gen/partition_writer.hpp"

#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include <algorithm>

#include "river/disk_sink.hpp"
#include "river/mem_pool.hpp"

namespace rs::gen {

Result<PartitionWriteResult> GeneratePartition(const GenSpec& spec, u128 first, uint64_t count,
                                               const std::vector<std::string>& members, const DiskOptions& disk) {
  const bool to_null = members.size() == 1 && members[0] == "/dev/null";
  // Chunks of whole records that are whole 4 KiB blocks (through the page cache for shapes
  // without such blocks: docs/records.md#alignment).
  const DiskOptions options = disk.ForRecords(spec.shape);
  const uint64_t record = spec.shape.size;
  const uint64_t per_chunk = options.transfer_size / record;
  const uint64_t chunks = (count + per_chunk - 1) / per_chunk;
  // Tokens: enough chunks generating to keep every core busy while the sink holds its queue.
  const size_t tokens = size_t(std::max(2, 2 * tbb::this_task_arena::max_concurrency()));
  const size_t buffers = to_null ? tokens : tokens + options.Effective().queue_depth + 2;

  PartitionWriteResult result;
  auto pool = MemPool::Create(per_chunk * record, buffers);
  if (!pool.ok()) return pool.status();
  std::unique_ptr<DiskSink> sink;
  if (!to_null) {
    auto made = DiskSink::Create(members, options, pool->get(), count * record, &result.notices);
    if (!made.ok()) return made.status();
    sink = std::move(*made);
  }

  struct Chunk {
    uint64_t index = 0;
    Buffer buffer;
    Checksum128 sum;
  };
  uint64_t next = 0;
  u128 total = 0;
  tbb::parallel_pipeline(
      tokens, tbb::make_filter<void, Chunk*>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& fc) -> Chunk* {
                if (next == chunks) {
                  fc.stop();
                  return nullptr;
                }
                return new Chunk{next++, (*pool)->Get(), {}};
              }) & tbb::make_filter<Chunk*, Chunk*>(tbb::filter_mode::parallel, [&](Chunk* c) {
                uint64_t n = std::min(per_chunk, count - c->index * per_chunk);
                c->sum = spec.Generate(first + c->index * per_chunk, n, c->buffer.data());
                c->buffer.set_size(n * record);
                return c;
              }) & tbb::make_filter<Chunk*, void>(tbb::filter_mode::serial_in_order, [&](Chunk* c) {
                total += c->sum.value();
                if (sink) sink->Put(std::move(c->buffer));
                delete c;
              }));

  if (sink) RS_RETURN_IF_ERROR(sink->Complete());
  result.checksum = Checksum128(total);
  result.sink = std::move(sink);
  return result;
}

}  // namespace rs::gen
