// sort/external/run_merge.hpp — merges sorted runs on disk into one sorted stream, in levels when there
// are more runs than the fan-in the memory allows: each level merges the smallest runs into a new
// temporary run (and removes them), until one final merge of at most fan_in runs feeds the sink.
// One thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "river/disk_options.hpp"
#include "river/sink.hpp"
#include "sort/external/stream_merger.hpp"
#include "sort/external/temp_files.hpp"

namespace rs::sort {

struct RunMergeOptions {
  DiskOptions disk;   // reads and intermediate writes (transfer_size: whole records and blocks)
  RecordShape shape;  // the runs' records
  size_t fan_in = 2;  // most runs merged at once (>= 2)
  // Each run's read size (whole records and blocks); 0: disk.transfer_size. The plan shrinks it
  // where that keeps the merge in one level (ExternalPlan::merge_read_bytes).
  uint64_t read_bytes = 0;
  TempFiles* temp = nullptr;
  MemPool* out_pool = nullptr;  // buffers for the final sink and intermediate runs
  std::vector<std::string>* notices = nullptr;
  // Resumable sorts (sort/resume/work_journal.hpp): each intermediate run, once on disk, goes to
  // on_merged with the CRC-32 of its bytes and the runs it replaces (which are removed after the
  // call); the final merge's inputs are left for the caller to remove. A run whose CRC does not
  // match as it is read back goes to on_damaged before the merge fails.
  std::function<Status(const SortedRun& merged, uint32_t crc, const std::vector<SortedRun>& inputs)> on_merged;
  std::function<void(const SortedRun& damaged)> on_damaged;
};

struct RunMergeStats {
  int levels = 0;                  // most merges any record went through, the final one included
  uint64_t intermediate_runs = 0;  // runs written by the levels before the final merge
  uint64_t records = 0;
};

// Memory a merge of `fan_in` runs takes for its inputs (each double-buffered).
uint64_t RunMergeInputBytes(const DiskOptions& disk, size_t fan_in);

// The schedule MergeRuns follows, for plans: while more than fan_in runs are left, the smallest
// MergeGroupSize(runs, fan_in) are merged into one (sized so that every later group is full);
// then one final merge. PlanMerges: what that gives for `records` records cut into runs of
// `run_records` (the last one shorter): the levels (1 when everything fits one merge) and the
// records merged into intermediate runs (read and written once more each).
size_t MergeGroupSize(size_t runs, size_t fan_in);
struct MergeSchedule {
  uint64_t runs = 0;
  int levels = 0;
  uint64_t intermediate_records = 0;
};
MergeSchedule PlanMerges(uint64_t records, uint64_t run_records, size_t fan_in);

// Merges `runs` into *out (not closed); every run is removed once merged, also on error (the
// TempFiles would remove them at the end anyway). `observe` sees the final stream only. With
// levels, records with equal keys may leave in another order than the runs were given.
Result<RunMergeStats> MergeRuns(std::vector<SortedRun> runs, const RunMergeOptions& options, Sink* out,
                                const MergeObserver& observe = {});

}  // namespace rs::sort
