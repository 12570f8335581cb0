// sort/job/job_plan.cpp — the figures of `riversort plan`, each from the code the sort runs.
#include "sort/job/job_plan.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/config.hpp"
#include "core/uint128.hpp"
#include "core/units.hpp"
#include "partition/splitter.hpp"
#include "sort/external/run_merge.hpp"
#include "sort/job/memory_plan.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/report/phase_bound.hpp"

namespace rs::sort {
namespace {

// Stated defaults when no measurement is at hand (the plan says they are defaults).
constexpr double kDefaultDiskMbps = 500;  // a SATA SSD
constexpr double kDefaultNetMbps = 1000;  // about 10 GbE per rank

// Rounds of parallel selection over n elements: with m pivots the interval shrinks about
// (m + 2)/2-fold a round (docs/partition.md#exact-parallel-selection); an estimate, not a bound.
uint64_t SelectionRounds(uint64_t n) {
  const double m = double(config::kSelectionPivots);
  if (double(n) <= m) return 1;
  return 1 + uint64_t(std::ceil(std::log(double(n) / m) / std::log((m + 2) / 2)));
}

// Bytes a rank puts into the selection's collectives over n elements of K-byte keys: per round
// and open boundary an interval length, 16 pivots of K + 12 bytes and 16 counts; then the 16-byte
// ranges of the all-to-all and, for the splitter, the K + 20-byte boundary elements (22 and 30 for
// gensort's 10-byte keys). An upper bound: boundaries close as the rounds go.
uint64_t SelectionBytes(uint64_t n, int ranks, bool elements, uint64_t key_size) {
  const uint64_t boundaries = uint64_t(ranks - 1);
  return SelectionRounds(n) * boundaries * (8 + 16 * (key_size + 12 + 8)) + 16 * uint64_t(ranks) +
         (elements ? (key_size + 20) * boundaries : 0);
}

// Messages that carry `bytes` in buffers of `buffer` bytes to P − 1 peers: full buffers, and one
// partly filled last buffer per peer.
uint64_t Messages(uint64_t bytes, uint64_t buffer, int ranks) {
  if (ranks <= 1 || bytes == 0) return 0;
  return (bytes + buffer - 1) / buffer + uint64_t(ranks - 1);
}

double Seconds(const PhasePlan& ph, const PlanRates& r) {
  const double disk = double(ph.read_bytes) / (r.read_mbps * 1e6) + double(ph.write_bytes) / (r.write_mbps * 1e6);
  const double net = double(ph.net_bytes) / (r.net_mbps * 1e6);
  return std::max(disk, net);
}

}  // namespace

PlanRates DefaultPlanRates(const std::string& results_dir) {
  PlanRates r{kDefaultDiskMbps, kDefaultDiskMbps, kDefaultNetMbps,
              "stated defaults: disk 500 MB/s, network 1000 MB/s per rank"};
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(results_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("iobench-", 0) == 0 && e.path().extension() == ".json") found.push_back(e.path());
  }
  if (found.empty()) return r;
  std::sort(found.begin(), found.end());            // the names end in the date and time: the newest last
  auto limits = LoadLimits(found.back().string());  // the phase table's reader of the same file
  if (!limits.ok()) return r;
  r.read_mbps = limits->disk_read_MBps;
  r.write_mbps = limits->disk_write_MBps;
  r.source = "disk: best of " + found.back().string() + "; network: stated default 1000 MB/s per rank";
  return r;
}

Result<JobPlan> PlanJob(const PlanRequest& req) {
  if (req.ranks < 1) return Status::Error("--ranks " + std::to_string(req.ranks) + ": at least 1");
  const SortOptions& opt = req.options;
  JobPlan p;
  if (req.ranks > partition::kMaxParts) {
    p.notices.push_back("the sort itself routes to at most " + std::to_string(partition::kMaxParts) +
                        " ranks today (16-bit destinations, partition/splitter.hpp); this plan is for the scale-out");
  }
  p.ranks = req.ranks;
  p.shape = opt.shape;
  p.records = req.records;
  p.rates = req.rates;
  const uint64_t ranks = uint64_t(req.ranks);
  p.records_per_rank = (req.records + ranks - 1) / ranks;
  SortInput in;
  in.total = req.records;
  in.records = in.max_records = p.records_per_rank;
  in.bytes = p.records_per_rank * opt.shape.size;
  const uint64_t data = in.bytes;
  const uint64_t leaving = uint64_t(u128(data) * (ranks - 1) / ranks);

  p.algo = opt.algo;
  if (p.algo == "auto") {
    uint64_t need = 0;
    p.algo = AutoAlgorithm(opt, in, req.ranks, &need);
    p.why = "onepass needs " + MibText(need) + " per rank; the budget is " +
            MibText(opt.memory > 0 ? opt.memory : config::external::kDefaultMemory);
  }
  // The sample splitter (onepass and twopass): the sample each rank draws and what finding the
  // splitters sends. onepass draws from memory, where a larger sample pays (partition/splitter.hpp).
  const bool sampled = p.algo != "threepass" && opt.splitters == SplitterKind::kSample && req.ranks > 1;
  const uint64_t sample = !sampled              ? 0
                          : p.algo == "onepass" ? partition::InMemorySampleSize(req.ranks, req.records, opt.shape.size)
                                                : partition::DefaultSampleSize(req.ranks, req.records);
  if (sampled) {
    p.sample_records_per_rank = partition::RankSampleSize(sample, req.records, p.records_per_rank);
    p.sample_bytes_per_rank = 20 + SelectionBytes(sample, req.ranks, /*elements=*/true, opt.shape.key_size);
  }
  PhasePlan splitters{"splitters", 0, 0, p.sample_bytes_per_rank, 0, 0};

  if (p.algo == "onepass") {
    const OnepassPools pools = PlanOnepass(opt, in, req.ranks);
    RS_RETURN_IF_ERROR(CheckOnepassBudget(opt, pools));
    p.memory_budget = opt.memory;
    p.min_memory = pools.floor_bytes;
    p.peak_memory = pools.bytes;
    p.transfer_size = pools.transfer_size;
    p.net_buffer = pools.net_buffer_bytes;
    if (!pools.notice.empty()) p.notices.push_back(pools.notice);
    if (sampled) p.phases.push_back(splitters);  // onepass samples the input it holds: no extra reads
    p.phases.push_back({"read & distribute", data, 0, leaving, Messages(leaving, p.net_buffer, req.ranks), 0});
    p.phases.push_back({"sort & write", 0, data, 0, 0, 0});
  } else if (p.algo == "twopass" || p.algo == "threepass") {
    const bool three = p.algo == "threepass";
    auto plan = three ? PlanThreepass(opt, in, req.ranks) : PlanTwopass(opt, in, req.ranks);
    if (!plan.ok()) return plan.status();
    if (!plan->notice.empty()) p.notices.push_back(plan->notice);
    p.memory_budget = plan->budget;
    p.min_memory = plan->floor_bytes;
    p.peak_memory = plan->peak_bytes;
    p.transfer_size = plan->buffer_bytes;
    p.net_buffer = plan->net_buffer_bytes;
    p.fan_in = plan->fan_in;
    p.merge_read_bytes = plan->merge_read_bytes;
    p.run_records = plan->run_records;
    const MergeSchedule merges = PlanMerges(p.records_per_rank, plan->run_records, plan->fan_in);
    p.runs_per_rank = merges.runs;
    p.merge_levels = merges.levels;
    const uint64_t again = merges.intermediate_records * opt.shape.size;
    if (!three) {
      // Sampling reads one key per sampled record: a 4 KiB page each when not cached.
      splitters.read_bytes = p.sample_records_per_rank * config::kDirectAlignment;
      if (sampled) p.phases.push_back(splitters);
      p.phases.push_back({"read & distribute", data, data, leaving, Messages(leaving, p.net_buffer, req.ranks), 0});
      p.phases.push_back({"merge", data + again, data + again, 0, 0, 0});
    } else {
      p.phases.push_back({"local sort", data, data, 0, 0, 0});
      p.phases.push_back({"local merge", data + again, data + again, 0, 0, 0});
      p.phases.push_back(
          {"parallel selection", 0, 0, SelectionBytes(req.records, req.ranks, false, opt.shape.key_size), 0, 0});
      // Every chunk served is a message, and so is every request for one.
      const uint64_t chunks = Messages(leaving, p.net_buffer, req.ranks);
      p.phases.push_back({"parallel merge", data, data, leaving + 32 * chunks, 2 * chunks, 0});
    }
  } else {
    return Status::Error("--algo " + p.algo + ": not one of onepass, twopass, threepass, auto");
  }
  for (PhasePlan& ph : p.phases) {
    ph.seconds = Seconds(ph, p.rates);
    p.messages_per_rank += ph.messages;
    p.net_bytes_per_rank += ph.net_bytes;
  }
  return p;
}

std::string JobPlanText(const JobPlan& p) {
  std::ostringstream o;
  auto line = [&](const std::string& what, const std::string& value) {
    o << what << std::string(what.size() < 30 ? 30 - what.size() : 1, ' ') << value << '\n';
  };
  line("algorithm", p.algo + (p.why.empty() ? "" : " (auto: " + p.why + ")"));
  line("ranks", std::to_string(p.ranks));
  line("records", std::to_string(p.records) + " (" + std::to_string(p.records_per_rank) + " per rank)" +
                      (p.shape.IsGensort() ? "" : " of " + p.shape.ToString() + " (R/K/O)"));
  line("memory per rank", "budget " + (p.memory_budget > 0 ? MibText(p.memory_budget) : std::string("none")) +
                              ", peak " + MibText(p.peak_memory) + ", least that works " + MibText(p.min_memory));
  line("transfer size", std::to_string(p.transfer_size) + " bytes");
  line("network buffers", std::to_string(p.net_buffer) + " bytes");
  if (p.algo != "onepass") {
    const std::string reads = p.merge_read_bytes != 0 && p.merge_read_bytes != p.transfer_size
                                  ? " (merge reads of " + std::to_string(p.merge_read_bytes) + " bytes, for one level)"
                                  : "";
    line("runs per rank", std::to_string(p.runs_per_rank) + ", fan-in " + std::to_string(p.fan_in) + reads + ", " +
                              std::to_string(p.merge_levels) + " merge level" + (p.merge_levels == 1 ? "" : "s"));
  }
  line("sample per rank", std::to_string(p.sample_records_per_rank) + " records; " +
                              std::to_string(p.sample_bytes_per_rank) + " bytes sent for the splitters");
  line("sent per rank",
       std::to_string(p.net_bytes_per_rank) + " bytes in " + std::to_string(p.messages_per_rank) + " messages");
  for (const std::string& n : p.notices) o << "notice: " << n << '\n';
  o << "phase (per rank)              read B        write B       sent B        messages    seconds\n";
  double total = 0;
  for (const PhasePlan& ph : p.phases) {
    char row[256];
    std::snprintf(row, sizeof row, "%-30s%-14llu%-14llu%-14llu%-12llu%.2f\n", ph.name.c_str(),
                  (unsigned long long)ph.read_bytes, (unsigned long long)ph.write_bytes,
                  (unsigned long long)ph.net_bytes, (unsigned long long)ph.messages, ph.seconds);
    o << row;
    total += ph.seconds;
  }
  char end[128];
  std::snprintf(end, sizeof end, "%-86s%.2f\n", "total (I/O and network only; rates below)", total);
  o << end << "rates: read " << p.rates.read_mbps << " MB/s, write " << p.rates.write_mbps << " MB/s, network "
    << p.rates.net_mbps << " MB/s (" << p.rates.source << ")\n";
  return o.str();
}

std::string JobPlanJson(const JobPlan& p) {
  nlohmann::json j;
  j["algo"] = p.algo;
  if (!p.why.empty()) j["auto"] = p.why;
  j["ranks"] = p.ranks;
  j["records"] = p.records;
  j["records_per_rank"] = p.records_per_rank;
  j["record_size"] = p.shape.size;
  j["key_size"] = p.shape.key_size;
  j["key_offset"] = p.shape.key_offset;
  j["memory_budget_bytes"] = p.memory_budget;
  j["min_memory_bytes"] = p.min_memory;
  j["peak_memory_bytes"] = p.peak_memory;
  j["transfer_size_bytes"] = p.transfer_size;
  j["net_buffer_bytes"] = p.net_buffer;
  j["run_records"] = p.run_records;
  j["runs_per_rank"] = p.runs_per_rank;
  j["fan_in"] = p.fan_in;
  j["merge_read_bytes"] = p.merge_read_bytes;
  j["merge_levels"] = p.merge_levels;
  j["sample_records_per_rank"] = p.sample_records_per_rank;
  j["sample_bytes_per_rank"] = p.sample_bytes_per_rank;
  j["messages_per_rank"] = p.messages_per_rank;
  j["net_bytes_per_rank"] = p.net_bytes_per_rank;
  nlohmann::json seconds = nlohmann::json::object(), phases = nlohmann::json::array();
  for (const PhasePlan& ph : p.phases) {
    seconds[ph.name] = ph.seconds;
    phases.push_back({{"name", ph.name},
                      {"read_bytes", ph.read_bytes},
                      {"write_bytes", ph.write_bytes},
                      {"net_bytes", ph.net_bytes},
                      {"messages", ph.messages},
                      {"seconds", ph.seconds}});
  }
  j["estimated_seconds"] = seconds;
  j["phases"] = phases;
  j["notices"] = p.notices;
  j["rates"] = {{"read_mbps", p.rates.read_mbps},
                {"write_mbps", p.rates.write_mbps},
                {"net_mbps", p.rates.net_mbps},
                {"source", p.rates.source}};
  return j.dump(2);
}

}  // namespace rs::sort
