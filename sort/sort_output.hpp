// sort/sort_output.hpp — a rank's output partition for the out-of-core sorts: the DiskSink and a
// small pool of write buffers of its own, created before the work so that a missing or full
// output directory is found first. Main thread of a rank.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "river/disk_sink.hpp"
#include "sort/sort_options.hpp"

namespace rs::sort {

struct SortOutput {
  std::unique_ptr<MemPool> pool;  // queue_depth + 2 buffers: the writes in flight and two filling
  std::unique_ptr<DiskSink> sink;
};

// `disk` as the sort streams (transfer_size: whole records and blocks); size_hint preallocates.
Result<SortOutput> OpenSortOutput(const SortOptions& options, const DiskOptions& disk, int rank, uint64_t size_hint,
                                  std::vector<std::string>* notices);

}  // namespace rs::sort
