// sort/job/sort_output.cpp — the output sink of the out-of-core sorts.
#include "sort/job/sort_output.hpp"

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

Status PublishPartition(Comm& comm, DiskSink* sink, const Status& ready) {
  Status completed = sink->Complete();  // also when not ready: the I/O thread must end
  completed.Update(ready);
  return PublishTogether(comm, completed, {sink});
}

}  // namespace rs::sort
