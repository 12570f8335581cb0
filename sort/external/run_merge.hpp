// sort/external/run_merge.hpp — merges sorted runs on disk into one sorted stream, in levels when there
// are more runs than the fan-in the memory allows: each level merges the smallest runs into a new
// temporary run (and removes them), until one final merge of at most fan_in runs feeds the sink.
// One thread.
#pragma once

#include <string>
#include <vector>

#include "river/disk_options.hpp"
#include "river/sink.hpp"
#include "sort/external/stream_merger.hpp"
#include "sort/external/temp_files.hpp"

namespace rs::sort {

struct RunMergeOptions {
  DiskOptions disk;   // reads and intermediate writes (transfer_size: whole records and blocks)
  size_t fan_in = 2;  // most runs merged at once (>= 2)
  TempFiles* temp = nullptr;
  MemPool* out_pool = nullptr;  // buffers for the final sink and intermediate runs
  std::vector<std::string>* notices = nullptr;
};

struct RunMergeStats {
  int levels = 0;                  // most merges any record went through, the final one included
  uint64_t intermediate_runs = 0;  // runs written by the levels before the final merge
  uint64_t records = 0;
};

// Memory a merge of `fan_in` runs takes for its inputs (each double-buffered).
uint64_t RunMergeInputBytes(const DiskOptions& disk, size_t fan_in);

// Merges `runs` into *out (not closed); every run is removed once merged, also on error (the
// TempFiles would remove them at the end anyway). `observe` sees the final stream only. With
// levels, records with equal keys may leave in another order than the runs were given.
Result<RunMergeStats> MergeRuns(std::vector<SortedRun> runs, const RunMergeOptions& options, Sink* out,
                                const MergeObserver& observe = {});

}  // namespace rs::sort
