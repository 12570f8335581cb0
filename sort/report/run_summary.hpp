// sort/report/run_summary.hpp — what the out-of-core sorts report about their runs: the planned run size
// and fan-in, the most runs any rank formed and the deepest merge, as JSON details and one line
// under the phase table. Collective over the Comm (SummarizeRuns); main thread of a rank.
#pragma once

#include <string>

#include "core/comm.hpp"
#include "sort/job/memory_plan.hpp"

namespace rs::sort {

struct RunSummary {
  uint64_t run_records = 0;  // planned records per run
  size_t fan_in = 0;
  uint64_t max_runs = 0;          // over ranks
  int max_levels = 0;             // over ranks
  uint64_t min_runs = 0;          // over ranks
  uint64_t merge_read_bytes = 0;  // each merged run's read size (ExternalPlan::merge_read_bytes)
  uint64_t transfer_size = 0;     // the plan's
};

RunSummary SummarizeRuns(Comm& comm, const ExternalPlan& plan, size_t runs, int levels);
std::string RunSummaryJson(const RunSummary& s);  // a JSON object's members, for details
std::string RunSummaryLine(const std::string& algo, const RunSummary& s);

}  // namespace rs::sort
