// sort/job/memory_plan.hpp — how each algorithm spends --memory (a hard budget per rank for buffers;
// docs/external.md#the-memory-budget): run size, pool sizes and fan-in, all in one place, and the refusal of a budget
// too small for the data, naming the minimum that would work. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_options.hpp"

namespace rs::sort {

struct ExternalPlan {
  uint64_t budget = 0;        // bytes per rank
  uint64_t buffer_bytes = 0;  // every disk stream's transfer size: whole records and 4 KiB blocks
  // twopass: the partitioner's and the receives' buffers (the runs are made of them); threepass:
  // the parallel merge's remote chunks. Whole records; the transfer size on a few ranks, smaller
  // on many (docs/scale.md#memory-per-rank).
  uint64_t net_buffer_bytes = 0;
  size_t run_buffers = 0;  // buffers of records per run (one run fills while the last is written)
  uint64_t run_records = 0;
  size_t pool_buffers = 0;  // run formation's pool: two runs plus what circulates
  size_t send_buffers = 0;  // twopass: the partitioner's own pool (one per destination, sends)
  size_t fan_in = 0;        // runs per merge
  // Each merged run's read size: buffer_bytes, or less where that keeps the merge in one level
  // (down to config::external::kMinMergeReadBytes).
  uint64_t merge_read_bytes = 0;
  std::string notice;        // set when the sizes are below what the options ask for, to fit the budget
  uint64_t peak_bytes = 0;   // the most the plan's buffers take at once (the largest phase)
  uint64_t floor_bytes = 0;  // the least budget any plan for this job accepts
};

// The most runs one merge opens at once: config::external::kMaxFanIn, fewer where `open_files`
// (RLIMIT_NOFILE, io/open_files.hpp) cannot hold a file per stripe member (`members`) and a ring
// for each, besides the sink's (`sink_members` and a ring), kReservedOpenFiles and a socket per
// rank. At least 2.
size_t MergeStreamCap(size_t members, size_t sink_members, int ranks, uint64_t open_files);

// The disk options of every stream of records: the effective depth, buffers of whole records
// that are also whole 4 KiB blocks.
DiskOptions RecordDiskOptions(const SortOptions& options);

// The planners fit the budget with the largest transfer size (from the options' down to one
// record block, halving) and network buffers sized from the budget and P; below the floor (the
// smallest of both) they refuse, naming it.
// twopass: run formation at the receivers, behind read & distribute; then the local merge.
Result<ExternalPlan> PlanTwopass(const SortOptions& options, const SortInput& input, int ranks);
// threepass: run formation straight from the disk; the local merge; the parallel merge of P
// streams (one per rank's work file, remote ones fetched in chunks).
Result<ExternalPlan> PlanThreepass(const SortOptions& options, const SortInput& input, int ranks);
// onepass's two pools. The disk's: reads in flight, then writes in flight (and, with a sample
// split, the whole input first, read before the splitters are known). The network's: a partly
// filled buffer per destination, sends and receives in flight, and every record received, which
// the sort reads in place. Only the network pool's count grows with P, so its buffers shrink as P
// grows (a quarter of the budget for what circulates: the transfer size on a few ranks, ~128 KiB
// at 1,024 with 1 GiB; smaller under a budget too small for those; docs/scale.md#memory-per-rank).
struct OnepassPools {
  uint64_t transfer_size = 0;  // the disk pool's buffers
  size_t disk_buffers = 0;
  uint64_t net_buffer_bytes = 0;  // the network pool's buffers: whole records
  size_t net_buffers = 0;
  uint64_t receive_bytes = 0;  // the most this rank may receive
  uint64_t bytes = 0;          // all onepass holds at its peak: both pools, the sorter's entries, the validation
  uint64_t floor_bytes = 0;    // the same with the smallest network buffers: the least budget that works
  std::string notice;          // set when the network buffers are below the transfer size
  // Network buffers of the transfer size: one pool of disk_buffers + net_buffers serves both, so
  // the pages a read touched are reused by the sends and receives (two pools touch them apart:
  // onepass 1.27x slower at 1 M records over 2 ranks, results/ab_sort-onepass-twopools-1M.txt).
  bool one_pool() const { return net_buffer_bytes == transfer_size; }
};
OnepassPools PlanOnepass(const SortOptions& options, const SortInput& input, int ranks);
// What onepass needs for this input (PlanOnepass's bytes).
uint64_t OnepassMemory(const SortOptions& options, const SortInput& input, int ranks);
// onepass's refusal of a --memory its plan cannot keep, naming the least budget that works.
Status CheckOnepassBudget(const SortOptions& options, const OnepassPools& pools);
// onepass's refusal before any work: a --memory it cannot keep, or (with or without one) more
// memory than this machine has for a rank (MemoryPerProcess), naming the knobs.
Status CheckOnepassMemory(const SortOptions& options, const SortInput& input, int ranks);
// --algo auto: onepass when what it needs (*onepass_need) fits the budget (1 GiB by default),
// else twopass.
std::string AutoAlgorithm(const SortOptions& options, const SortInput& input, int ranks, uint64_t* onepass_need);
// threepass: the key index the local merge keeps for parallel selection, for `records` records.
uint64_t ThreepassKeyIndexBytes(uint64_t records, const RecordShape& shape);

}  // namespace rs::sort
