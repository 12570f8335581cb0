// sort/job/sort_output.hpp — a rank's output partition: the DiskSink and (for the out-of-core sorts) a
// small pool of write buffers of its own, created before the work so that a full output directory
// is found first; and the publication of all partitions together. Main thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/comm.hpp"
#include "river/disk_sink.hpp"
#include "sort/job/sort_options.hpp"

namespace rs::sort {

struct SortOutput {
  std::unique_ptr<MemPool> pool;  // queue_depth + 2 buffers: the writes in flight and two filling
  std::unique_ptr<DiskSink> sink;
};

// Every rank's partition appears, or none, and what the final names held is kept until then
// (io/publish_together.hpp): completes the sink, then publishes with every other rank. `ready`:
// anything else this rank found that must stop the publication (a peak over the memory limit).
// Collective. *durable_at (when given): the wall clock (seconds since the epoch) at the agreement
// that every rank published, the moment the whole output is durable.
Status PublishPartition(Comm& comm, DiskSink* sink, const Status& ready = Status::Ok(), double* durable_at = nullptr);

// Seconds since the epoch, by the wall clock (the launcher's RS_LAUNCH_TIME is on the same clock).
double WallClockSeconds();

// `disk` as the sort streams (transfer_size: whole records and blocks); size_hint preallocates.
Result<SortOutput> OpenSortOutput(const SortOptions& options, const DiskOptions& disk, int rank, uint64_t size_hint,
                                  std::vector<std::string>* notices);

}  // namespace rs::sort
