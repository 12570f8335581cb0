// sort/report/run_summary.hpp — what the out-of-core sorts report about their runs: the planned run size
// and fan-in, the most runs any rank formed and the deepest merge (JSON details and one line under the
// phase table), and where rank 0's run formation spent its time (JSON details only). Collective over
// the Comm (SummarizeRuns); main thread of a rank.
#pragma once

#include <string>

#include "core/comm.hpp"
#include "sort/external/run_former.hpp"
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
  RunFormer::Timings formation;   // this rank's run formation (the report shows rank 0's)
};

// `formation`: this rank's RunFormer timings (zero where it formed no runs, as a resumed sort that
// kept them all).
RunSummary SummarizeRuns(Comm& comm, const ExternalPlan& plan, size_t runs, int levels,
                         const RunFormer::Timings& formation);
std::string RunSummaryJson(const RunSummary& s);  // a JSON object's members, for details
std::string RunSummaryLine(const std::string& algo, const RunSummary& s);

}  // namespace rs::sort
