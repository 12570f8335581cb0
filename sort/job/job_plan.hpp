// sort/job/job_plan.hpp — `riversort plan`: what each rank of a sort would do, from the same
// planning code the sort runs (memory_plan, the splitter's sample size, the merge schedule),
// without data or MPI: sizes, runs, merge levels, memory, messages and bytes per phase, and
// seconds per phase from given disk and network rates. Pure; answers at once for any P.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "sort/job/sort_options.hpp"

namespace rs::sort {

struct PlanRates {
  double read_mbps = 0, write_mbps = 0, net_mbps = 0;  // MB/s (10^6 bytes) per rank
  std::string source;                                  // where they come from, for the reader
};

struct PlanRequest {
  SortOptions options;  // algo (onepass, twopass, threepass, auto), memory, disk, exchange, net_buffer
  uint64_t records = 0;
  int ranks = 1;
  PlanRates rates;
};

struct PhasePlan {
  std::string name;
  uint64_t read_bytes = 0, write_bytes = 0;  // this rank's disk
  uint64_t net_bytes = 0;                    // sent by this rank
  uint64_t messages = 0;                     // sent by this rank (collectives not counted)
  double seconds = 0;  // disk bytes at their rates (one disk serves both), or the network, whichever is longer
};

struct JobPlan {
  std::string algo;  // the one that would run (auto's choice)
  std::string why;   // why auto chose it
  int ranks = 1;
  RecordShape shape;  // the records' size, key size and key offset
  uint64_t records = 0, records_per_rank = 0;
  uint64_t memory_budget = 0;  // 0: onepass without --memory (what the data needs)
  uint64_t min_memory = 0, peak_memory = 0;
  uint64_t transfer_size = 0, net_buffer = 0;
  uint64_t run_records = 0;  // records per run
  uint64_t runs_per_rank = 0;
  uint64_t fan_in = 0;
  uint64_t merge_read_bytes = 0;  // each merged run's read size (the transfer size, or less for one level)
  int merge_levels = 0;
  uint64_t sample_records_per_rank = 0;
  uint64_t sample_bytes_per_rank = 0;  // sent for the splitters (headers and selection rounds, at most)
  uint64_t messages_per_rank = 0, net_bytes_per_rank = 0;
  std::vector<PhasePlan> phases;
  std::vector<std::string> notices;
  PlanRates rates;
};

// The plan, or the refusal the sort itself would give (a budget below the floor, which it names).
Result<JobPlan> PlanJob(const PlanRequest& request);
// Human-readable, one line per figure, then the phases.
std::string JobPlanText(const JobPlan& plan);
// One JSON object (keys in docs/scale.md#riversort-plan).
std::string JobPlanJson(const JobPlan& plan);
// Rates for PlanRequest: the best read and write of the newest iobench JSON in `results_dir`
// (results/iobench-*.json), else the stated defaults; the network's is always a stated default
// unless given.
PlanRates DefaultPlanRates(const std::string& results_dir);

}  // namespace rs::sort
