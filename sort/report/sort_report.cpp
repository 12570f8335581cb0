// sort/report/sort_report.cpp
#include "sort/report/sort_report.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/build_info.hpp"

namespace rs::sort {

using nlohmann::json;

namespace {

// Seconds to the millisecond: the JSON stays short (a timeline has hundreds of them).
double Ms(double s) { return std::round(s * 1000) / 1000; }

json ToJson(const activity::Totals& t) {
  return {{"disk_read", t.disk_read},
          {"disk_written", t.disk_written},
          {"net_sent", t.net_sent},
          {"net_received", t.net_received}};
}

activity::Totals TotalsFromJson(const json& j) {
  activity::Totals t;
  t.disk_read = j.value("disk_read", uint64_t(0));
  t.disk_written = j.value("disk_written", uint64_t(0));
  t.net_sent = j.value("net_sent", uint64_t(0));
  t.net_received = j.value("net_received", uint64_t(0));
  return t;
}

// The series as one array per quantity (cumulative counters; pool_in_use is a level).
json ToJson(const TimelineSeries& s) {
  json t = json::array(), cpu = json::array(), read = json::array(), written = json::array(), sent = json::array(),
       received = json::array(), pool = json::array();
  for (const auto& x : s.samples) {
    t.push_back(Ms(x.t_s));
    cpu.push_back(Ms(x.cpu_s));
    read.push_back(x.totals.disk_read);
    written.push_back(x.totals.disk_written);
    sent.push_back(x.totals.net_sent);
    received.push_back(x.totals.net_received);
    pool.push_back(x.totals.pool_in_use);
  }
  return {{"interval_s", s.interval_s},
          {"t_s", t},
          {"cpu_s", cpu},
          {"disk_read", read},
          {"disk_written", written},
          {"net_sent", sent},
          {"net_received", received},
          {"pool_in_use", pool}};
}

TimelineSeries TimelineFromJson(const json& j) {
  TimelineSeries s;
  s.interval_s = j.at("interval_s").get<double>();
  const auto& t = j.at("t_s");
  for (size_t i = 0; i < t.size(); ++i) {
    TimelineSample x;
    x.t_s = t.at(i).get<double>();
    x.cpu_s = j.at("cpu_s").at(i).get<double>();
    x.totals = {j.at("disk_read").at(i).get<uint64_t>(), j.at("disk_written").at(i).get<uint64_t>(),
                j.at("net_sent").at(i).get<uint64_t>(), j.at("net_received").at(i).get<uint64_t>(),
                j.at("pool_in_use").at(i).get<uint64_t>()};
    s.samples.push_back(x);
  }
  return s;
}

json ToJson(const RankReport& r) {
  json phases = json::array();
  for (const auto& p : r.phases) {
    json one = {{"name", p.name}, {"wall_s", p.wall_s}, {"cpu_s", p.cpu_s}, {"bytes", p.bytes}, {"io", ToJson(p.io)}};
    if (!p.resume.empty()) one["resume"] = p.resume;  // "skipped" or "resumed" (sort/resume/)
    phases.push_back(std::move(one));
  }
  json j = {{"phases", phases},
            {"records_in", r.records_in},
            {"records_out", r.records_out},
            {"bytes_sent", r.bytes_sent},
            {"bytes_received", r.bytes_received},
            {"peak_rss", r.peak_rss},
            {"peak_huge_pool", r.peak_huge_pool},
            {"threads", r.threads},
            {"node_cores", r.node_cores},
            {"weight", r.weight},
            {"host", r.host}};
  if (!r.timeline.samples.empty()) j["timeline"] = ToJson(r.timeline);
  if (r.shares_process) j["shares_process"] = true;
  return j;
}

RankReport FromJson(const json& j) {
  RankReport r;
  for (const auto& p : j.at("phases")) {
    r.phases.push_back({p.at("name").get<std::string>(), p.at("wall_s").get<double>(), p.at("cpu_s").get<double>(),
                        p.at("bytes").get<uint64_t>(), p.value("resume", std::string()),
                        TotalsFromJson(p.value("io", json::object()))});
  }
  r.host = j.value("host", std::string());
  r.shares_process = j.value("shares_process", false);
  r.records_in = j.at("records_in").get<uint64_t>();
  r.records_out = j.at("records_out").get<uint64_t>();
  r.weight = j.value("weight", 0.0);
  r.bytes_sent = j.at("bytes_sent").get<uint64_t>();
  r.bytes_received = j.at("bytes_received").get<uint64_t>();
  r.peak_rss = j.at("peak_rss").get<uint64_t>();
  r.peak_huge_pool = j.value("peak_huge_pool", uint64_t(0));
  r.threads = j.value("threads", 0);
  r.node_cores = j.value("node_cores", 0);
  return r;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

std::vector<RankReport> GatherRankReports(Comm& comm, const RankReport& mine) {
  auto all = comm.Gather(ToJson(mine).dump(), 0);
  std::vector<RankReport> out;
  out.reserve(all.size());
  for (const auto& s : all) out.push_back(FromJson(json::parse(s)));
  return out;
}

void GatherTimelines(Comm& comm, const TimelineSeries& mine, SortReport* report) {
  auto all = comm.Gather(ToJson(mine).dump(), 0);
  for (size_t r = 0; r < all.size() && r < report->ranks.size(); ++r) {
    report->ranks[r].timeline = TimelineFromJson(json::parse(all[r]));
  }
}

bool SortReport::SharesProcess() const {
  return std::any_of(ranks.begin(), ranks.end(), [](const RankReport& r) { return r.shares_process; });
}

double SortReport::CoreSecondsPerGB() const {
  // Ranks sharing a process each report the process's CPU time: no honest sum.
  if (SharesProcess()) return 0;
  double cpu = 0;
  for (const auto& r : ranks) {
    for (const auto& p : r.phases) cpu += p.cpu_s;
  }
  const double gb = double(records) * double(record_size) / 1e9;
  return gb > 0 ? cpu / gb : 0;
}

std::string SortReport::Table() const {
  std::string t;
  char line[256];
  std::snprintf(line, sizeof line, "%-20s %9s %9s %9s %10s %6s  %s\n", "phase", "min s", "median s", "max s", "MB/s",
                "CPU", "bound");
  t += line;
  if (ranks.empty()) return t;
  const bool shared = SharesProcess();  // then no bound is judged (RankReport::shares_process)
  for (size_t i = 0; i < ranks[0].phases.size(); ++i) {
    std::vector<double> wall;
    double cpu = 0, wall_sum = 0;
    uint64_t bytes = 0;
    size_t skipped = 0, resumed = 0;
    std::vector<PhaseOnRank> on_ranks;
    for (const auto& r : ranks) {
      if (i >= r.phases.size()) continue;
      on_ranks.push_back({&r.phases[i], r.host, r.node_cores});
      skipped += r.phases[i].resume == "skipped";
      resumed += r.phases[i].resume == "resumed";
      wall.push_back(r.phases[i].wall_s);
      cpu += r.phases[i].cpu_s;
      wall_sum += r.phases[i].wall_s;
      bytes += r.phases[i].bytes;
    }
    double mx = *std::max_element(wall.begin(), wall.end());
    double mn = *std::min_element(wall.begin(), wall.end());
    // MB/s: the phase's bytes over all ranks per second of its slowest rank.
    std::string mbs = bytes > 0 && mx > 0 ? std::to_string(int(double(bytes) / 1e6 / mx)) : "-";
    double util = wall_sum > 0 && cores > 0 ? cpu / (wall_sum * cores) : 0;
    // Launch and init: what bound it is MPI's start, not the machine's limits.
    const std::string bound = ranks[0].phases[i].name == "overhead" || shared ? "-" : PhaseBound(on_ranks, mx, limits);
    std::snprintf(line, sizeof line, "%-20s %9.3f %9.3f %9.3f %10s %5.0f%%  %s", ranks[0].phases[i].name.c_str(), mn,
                  Median(wall), mx, mbs.c_str(), util * 100, bound.c_str());
    t += line;
    // --resume: how many ranks reused this phase's kept work (whole or in part).
    if (skipped > 0)
      t += "  skipped (kept) on " + std::to_string(skipped) + "/" + std::to_string(ranks.size()) + " ranks";
    if (resumed > 0) t += "  resumed on " + std::to_string(resumed) + "/" + std::to_string(ranks.size()) + " ranks";
    t += '\n';
  }
  std::snprintf(line, sizeof line, "%-20s %9s %9.3f %9s   %s records, imbalance %.3f\n", "total (rank 0)", "", total_s,
                "", std::to_string(records).c_str(), imbalance);
  t += line;
  if (records > 0 && CoreSecondsPerGB() > 0) {
    std::snprintf(line, sizeof line, "%-20s %9s %9.2f   core-seconds per GB (every rank, launch to end)\n", "CPU", "",
                  CoreSecondsPerGB());
    t += line;
  }
  // --balance speed / --weights: each rank's share, what it wrote and how long its phases took
  // (one line per rank: only for runs that asked for unequal parts).
  if (std::any_of(ranks.begin(), ranks.end(), [](const RankReport& r) { return r.weight > 0; })) {
    for (size_t k = 0; k < ranks.size(); ++k) {
      double wall = 0;
      for (const auto& p : ranks[k].phases)
        if (p.name != "overhead") wall += p.wall_s;
      std::snprintf(line, sizeof line, "%-20s %9s %9.3f   weight %.3f, %s records out\n",
                    ("rank " + std::to_string(k)).c_str(), "", wall, ranks[k].weight,
                    std::to_string(ranks[k].records_out).c_str());
      t += line;
    }
  }
  if (launch_to_durable_s >= 0) {
    std::snprintf(line, sizeof line, "%-20s %9s %9.3f   (mpirun launch to durable output)\n", "launch to durable", "",
                  launch_to_durable_s);
    t += line;
  }
  const uint64_t peak = MaxPeakRss();
  uint64_t pool = 0;  // the largest rank's part from the huge page pool
  for (const auto& r : ranks) {
    if (r.peak_rss == peak) pool = r.peak_huge_pool;
  }
  std::string budget = pool > 0 ? "; " + std::to_string(pool >> 20) + " MiB of it huge page pool" : "";
  if (memory_budget > 0) {
    budget += ", budget " + std::to_string(memory_budget >> 20) + " MiB: " + (peak <= RssLimit() ? "within" : "OVER") +
              " its limit of " + std::to_string(RssLimit() >> 20) + " MiB";
  }
  std::snprintf(line, sizeof line, "%-20s %9s %9.0f MiB  (largest rank%s)\n", "peak RSS", "", double(peak) / (1 << 20),
                budget.c_str());
  t += line;
  // The threads each rank used, against its node's cores (a launcher's binding can give a rank
  // alone on its node one core: docs/scale.md#binding).
  int fewest = std::numeric_limits<int>::max(), most = 0, node = 0;
  for (const auto& r : ranks) {
    fewest = std::min(fewest, r.threads);
    most = std::max(most, r.threads);
    node = std::max(node, r.node_cores);
  }
  const std::string used = fewest == most ? std::to_string(most) : std::to_string(fewest) + "-" + std::to_string(most);
  std::snprintf(line, sizeof line, "%-20s %9s %9s per rank  (node cores: %d)\n", "threads", "", used.c_str(), node);
  t += line;
  for (const auto& n : notes) t += n + "\n";
  return t;
}

uint64_t SortReport::MaxPeakRss() const {
  uint64_t peak = 0;
  for (const auto& r : ranks) peak = std::max(peak, r.peak_rss);
  return peak;
}

std::string SortReport::Json() const {
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  json ranks_json = json::array();
  for (const auto& r : ranks) ranks_json.push_back(ToJson(r));
  json j = {{"schema", "riversort-result/1"},
            {"algo", algo},
            {"records", records},
            {"total_s", total_s},
            {"launch_to_durable_s", launch_to_durable_s},
            {"imbalance", imbalance},
            {"config", json::parse(config_json.empty() ? "{}" : config_json)},
            {"environment",
             {{"host", host},
              {"ranks", ranks.size()},
              {"cores_per_rank", cores},
              {"git_commit", kGitCommit},
              {"build_type", kBuildType},
              {"transport", transport},
              {"io_engine", engine}}},
            {"validation", {{"verdict", validation}, {"checksum", checksum}}},
            {"memory_budget", memory_budget},
            {"peak_rss_max", MaxPeakRss()},
            {"peak_rss_within_budget", memory_budget == 0 || MaxPeakRss() <= RssLimit()},
            {"details", json::parse(details_json.empty() ? "{}" : details_json)},
            {"core_s_per_GB", CoreSecondsPerGB()},
            {"limits",
             {{"disk_read_MBps", limits.disk_read_MBps},
              {"disk_write_MBps", limits.disk_write_MBps},
              {"network_MBps", limits.network_MBps},
              {"source", limits.source}}},
            {"per_rank", ranks_json}};
  return j.dump(2) + "\n";
}

}  // namespace rs::sort
