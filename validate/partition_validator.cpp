// validate/partition_validator.cpp
//
// A TBB pipeline: a serial stage takes the DiskSource's next buffer (in file order), a parallel
// stage validates it into a Summary, and a serial in-order stage stores the summaries; the
// buffer returns to the pool as soon as it is validated, which lets the source read ahead.
#include "validate/partition_validator.hpp"

#include <tbb/parallel_pipeline.h>
#include <tbb/task_arena.h>

#include "core/config.hpp"
#include "river/disk_source.hpp"
#include "validate/record_validator.hpp"

namespace rs::validate {

namespace {

// Blocks being validated at once: enough to keep every thread of the arena busy.
size_t Tokens(int threads) { return size_t(std::max(2, 2 * threads)); }

}  // namespace

uint64_t ValidatePartitionBytes(const DiskOptions& options, int threads, const RecordShape& shape) {
  const int n = threads > 0 ? threads : tbb::this_task_arena::max_concurrency();
  const DiskOptions opt = options.ForRecords(shape).Effective();
  return MemPool::Bytes(opt.transfer_size, Tokens(n) + opt.queue_depth + 2) + config::external::kStreamOverheadBytes;
}

Result<Summary> ValidatePartition(const std::vector<std::string>& members, const DiskOptions& options,
                                  std::vector<std::string>* notices, const RecordShape& shape) {
  // Buffers of whole records that are also whole 4 KiB blocks (or, for shapes without such
  // blocks, whole records through the page cache).
  const DiskOptions opt = options.ForRecords(shape).Effective();
  const size_t tokens = Tokens(tbb::this_task_arena::max_concurrency());
  auto pool = MemPool::Create(opt.transfer_size, tokens + opt.queue_depth + 2);
  if (!pool.ok()) return pool.status();
  auto source = DiskSource::Open(members, opt, pool->get(), notices);
  if (!source.ok()) return source.status();
  if ((*source)->size() % shape.size != 0) {
    return Status::Error(StatusCode::kCorruption, members[0],
                         "partial record found at end (the size, " + std::to_string((*source)->size()) +
                             " bytes, is not a multiple of the record size " + std::to_string(shape.size) + ")");
  }

  struct Block {
    Buffer buffer;
    Summary summary;
  };
  std::vector<Summary> parts;
  tbb::parallel_pipeline(
      tokens, tbb::make_filter<void, Block*>(tbb::filter_mode::serial_in_order, [&](tbb::flow_control& fc) -> Block* {
                auto b = (*source)->Get();
                if (!b) {
                  fc.stop();
                  return nullptr;
                }
                return new Block{std::move(*b), Summary(shape)};
              }) & tbb::make_filter<Block*, Block*>(tbb::filter_mode::parallel, [&shape](Block* b) {
                b->summary = ValidateRecords(b->buffer.data(), b->buffer.size() / shape.size, shape);
                b->buffer = Buffer();  // back to the pool now
                return b;
              }) & tbb::make_filter<Block*, void>(tbb::filter_mode::serial_in_order, [&](Block* b) {
                parts.push_back(b->summary);
                delete b;
              }));
  RS_RETURN_IF_ERROR((*source)->status());
  return Combine(parts);
}

}  // namespace rs::validate
