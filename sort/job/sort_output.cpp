// sort/job/sort_output.cpp — the output sink of the out-of-core sorts.
#include "sort/job/sort_output.hpp"

#include <chrono>

#include "io/publish_together.hpp"

namespace rs::sort {

Result<SortOutput> OpenSortOutput(const SortOptions& opt, const DiskOptions& disk, int rank, uint64_t size_hint,
                                  std::vector<std::string>* notices) {
  SortOutput out;
  auto pool = MemPool::Create(disk.transfer_size, disk.queue_depth + 2);
  if (!pool.ok()) return pool.status();
  out.pool = std::move(*pool);
  auto sink = DiskSink::Create(opt.out.Members(rank), disk, out.pool.get(), size_hint, notices);
  if (!sink.ok()) return sink.status();
  out.sink = std::move(*sink);
  return out;
}

Status PublishPartition(Comm& comm, DiskSink* sink, const Status& ready, double* durable_at) {
  Status completed = sink->Complete();  // also when not ready: the I/O thread must end
  completed.Update(ready);
  Status st = PublishTogether(comm, completed, {sink});
  if (durable_at != nullptr) *durable_at = WallClockSeconds();
  return st;
}

double WallClockSeconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace rs::sort
