// sort/report/run_summary.cpp — runs and merge levels over all ranks.
#include "sort/report/run_summary.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace rs::sort {

RunSummary SummarizeRuns(Comm& comm, const ExternalPlan& plan, size_t runs, int levels) {
  RunSummary s{plan.run_records, plan.fan_in, 0, 0};
  for (const auto& a : comm.AllGather(std::to_string(runs) + " " + std::to_string(levels))) {
    const auto space = a.find(' ');
    s.max_runs = std::max<uint64_t>(s.max_runs, std::stoull(a.substr(0, space)));
    s.max_levels = std::max(s.max_levels, std::stoi(a.substr(space + 1)));
  }
  return s;
}

std::string RunSummaryJson(const RunSummary& s) {
  return nlohmann::json{{"run_records", s.run_records},
                        {"max_runs_per_rank", s.max_runs},
                        {"fan_in", s.fan_in},
                        {"merge_levels", s.max_levels}}
      .dump();
}

std::string RunSummaryLine(const std::string& algo, const RunSummary& s) {
  return algo + ": runs of up to " + std::to_string(s.run_records) + " records, at most " + std::to_string(s.max_runs) +
         " per rank; fan-in " + std::to_string(s.fan_in) + ", " + std::to_string(s.max_levels) + " merge level(s)";
}

}  // namespace rs::sort
