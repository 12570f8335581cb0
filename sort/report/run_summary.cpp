// sort/report/run_summary.cpp — runs and merge levels over all ranks.
#include "sort/report/run_summary.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "core/record.hpp"

namespace rs::sort {

RunSummary SummarizeRuns(Comm& comm, const ExternalPlan& plan, size_t runs, int levels,
                         const RunFormer::Timings& formation) {
  RunSummary s{plan.run_records, plan.fan_in, 0, 0, 0, plan.merge_read_bytes, plan.buffer_bytes, formation};
  std::array<uint8_t, 24> v{};
  // Big-endian, so a minimum over ranks (and, of complements, a maximum) is one reduction whose
  // bytes per rank do not depend on P.
  PutBigEndian(runs, 8, v.data());
  PutBigEndian(~uint64_t(runs), 8, v.data() + 8);
  PutBigEndian(~uint64_t(levels), 8, v.data() + 16);
  comm.AllReduceMinBytes(v, 8);
  s.min_runs = GetBigEndian(v.data(), 8);
  s.max_runs = ~GetBigEndian(v.data() + 8, 8);
  s.max_levels = int(~GetBigEndian(v.data() + 16, 8));
  return s;
}

std::string RunSummaryJson(const RunSummary& s) {
  const RunFormer::Timings& f = s.formation;
  return nlohmann::json{{"run_records", s.run_records},
                        {"max_runs_per_rank", s.max_runs},
                        {"min_runs_per_rank", s.min_runs},
                        {"fan_in", s.fan_in},
                        {"merge_read_bytes", s.merge_read_bytes},
                        {"merge_levels", s.max_levels},
                        {"run_formation",
                         {{"runs", f.runs},
                          {"sort_s", f.sort_s},
                          {"gather_s", f.gather_s},
                          {"close_s", f.close_s},
                          {"producer_wait_s", f.producer_wait_s}}}}
      .dump();
}

std::string RunSummaryLine(const std::string& algo, const RunSummary& s) {
  return algo + ": runs of up to " + std::to_string(s.run_records) + " records, at most " + std::to_string(s.max_runs) +
         " per rank; fan-in " + std::to_string(s.fan_in) +
         (s.merge_read_bytes != 0 && s.merge_read_bytes != s.transfer_size
              ? " (merge reads of " + std::to_string(s.merge_read_bytes) + " bytes)"
              : "") +
         ", " + std::to_string(s.max_levels) + " merge level(s)";
}

}  // namespace rs::sort
