// tune/iobench_report.cpp
#include "tune/iobench_report.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "io/file.hpp"

namespace rs::tune {

namespace {

using nlohmann::json;

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

// The first line a command prints, or "" (git missing, not a repository).
std::string CommandLine(const char* command) {
  FILE* p = ::popen(command, "r");
  if (p == nullptr) return "";
  char buf[128] = {};
  std::string out;
  if (std::fgets(buf, sizeof buf, p) != nullptr) out = buf;
  ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

json RowJson(const IobenchRow& r) {
  return {{"rw", RwName(r.rw)},
          {"engine", r.engine},
          {"stripes", r.stripes},
          {"stripe_unit", r.stripe_unit},
          {"transfer_size", r.transfer_size},
          {"queue_depth", r.queue_depth},
          {"bytes", r.bytes},
          {"seconds", r.seconds},
          {"MBps", r.mbps},
          {"cpu_s_per_GB", r.cpu_s_per_gb},
          {"run_seconds", r.run_seconds},
          {"run_cpu_seconds", r.run_cpu_seconds}};
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace

RunInfo CurrentRunInfo() {
  RunInfo info;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) info.host = host;
  if (info.host.empty()) info.host = "unknown";
  std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &local);
  info.stamp = buf;
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &local);
  info.date = buf;
  info.commit = CommandLine("git rev-parse --short HEAD 2>/dev/null");
  return info;
}

std::string DescribeBest(const IobenchRow& r) {
  std::string s = FormatSize(r.transfer_size);
  s += " x QD";
  s += std::to_string(r.queue_depth);
  s += ", ";
  s += r.engine;
  s += ", ";
  s += std::to_string(r.stripes);
  s += r.stripes == 1 ? " stripe" : " stripes";
  if (r.stripes > 1) {
    s += " (unit ";
    s += FormatSize(r.stripe_unit);
    s += ")";
  }
  s += ": ";
  s += Fixed(r.mbps, 0);
  s += " MB/s";
  return s;
}

std::string FormatTable(const IobenchResult& result) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-5s  %-7s  %7s  %5s  %8s  %5s  %9s  %8s  %8s\n", "rw", "engine", "stripes", "unit",
                "transfer", "depth", "MB/s", "seconds", "CPU s/GB");
  out += line;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    const IobenchRow& r = result.rows[i];
    std::snprintf(line, sizeof line, "%-5s  %-7s  %7d  %5s  %8s  %5u  %9.1f  %8.3f  %8.4f%s\n", RwName(r.rw),
                  r.engine.c_str(), r.stripes, FormatSize(r.stripe_unit).c_str(), FormatSize(r.transfer_size).c_str(),
                  r.queue_depth, r.mbps, r.seconds, r.cpu_s_per_gb,
                  int(i) == result.best_read    ? "  <- best read"
                  : int(i) == result.best_write ? "  <- best write"
                                                : "");
    out += line;
  }
  return out;
}

std::string ToCsv(const IobenchResult& result) {
  std::string out = "rw,engine,stripes,stripe_unit,transfer_size,queue_depth,bytes,seconds,MBps,cpu_s_per_GB\n";
  for (const IobenchRow& r : result.rows) {
    out += RwName(r.rw);
    out += ',';
    out += r.engine;
    out += ',';
    out += std::to_string(r.stripes);
    out += ',';
    out += std::to_string(r.stripe_unit);
    out += ',';
    out += std::to_string(r.transfer_size);
    out += ',';
    out += std::to_string(r.queue_depth);
    out += ',';
    out += std::to_string(r.bytes);
    out += ',';
    out += Fixed(r.seconds, 6);
    out += ',';
    out += Fixed(r.mbps, 1);
    out += ',';
    out += Fixed(r.cpu_s_per_gb, 4);
    out += '\n';
  }
  return out;
}

std::string ToJson(const IobenchResult& result, const RunInfo& info) {
  const IobenchConfig& c = result.config;
  json engines = json::array(), rws = json::array(), rows = json::array();
  for (EngineKind e : c.engines) engines.push_back(EngineName(e));
  for (Rw rw : c.rws) rws.push_back(RwName(rw));
  for (const IobenchRow& r : result.rows) rows.push_back(RowJson(r));
  json best = json::object();
  for (auto [name, index] : {std::pair{"read", result.best_read}, std::pair{"write", result.best_write}}) {
    if (index < 0) continue;
    json b = RowJson(result.rows[size_t(index)]);
    b["setting"] = DescribeBest(result.rows[size_t(index)]);
    best[name] = b;
  }
  json j = {{"kind", "iobench"},
            {"host", info.host},
            {"date", info.date},
            {"commit", info.commit},
            {"config",
             {{"dirs", c.dirs},
              {"file_size", c.file_size},
              {"transfer_sizes", c.transfer_sizes},
              {"queue_depths", c.queue_depths},
              {"stripes", c.stripes},
              {"engines", engines},
              {"rw", rws},
              {"stripe_unit", c.stripe_unit},
              {"direct", c.direct},
              {"runs", c.runs},
              {"pool_buffers", "queue_depth + " + std::to_string(kIobenchSpareBuffers)}}},
            {"measures",
             {{"write",
               "first Put to the end of DiskSink::Close (data synced, members renamed); file creation and "
               "preallocation before the clock"},
              {"read", "DiskSource::Open (ring setup, buffer registration) to the last buffer handed out"},
              {"MBps", "bytes / seconds / 10^6, median seconds over the runs"},
              {"cpu_s_per_GB",
               "median over the runs of the process's user + system CPU seconds (getrusage) per 10^9 bytes"}}},
            {"notices", result.notices},
            {"rows", rows},
            {"best", best}};
  return j.dump(2) + "\n";
}

Result<ResultPaths> WriteResults(const IobenchResult& result, const RunInfo& info, const std::string& out_dir) {
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) return Status::Error(out_dir + ": cannot create the directory: " + ec.message());
  std::string base = out_dir;
  if (base.empty() || base.back() != '/') base += '/';
  base += "iobench-";
  base += info.host;
  base += '-';
  base += info.stamp;
  ResultPaths paths;
  for (int n = 1;; ++n) {
    std::string stem = base;
    if (n > 1) {
      stem += '-';
      stem += std::to_string(n);
    }
    paths.csv = stem + ".csv";
    paths.json = stem + ".json";
    if (!Exists(paths.csv) && !Exists(paths.json)) break;
  }
  RS_RETURN_IF_ERROR(WriteFileAtomically(paths.csv, ToCsv(result)));
  RS_RETURN_IF_ERROR(WriteFileAtomically(paths.json, ToJson(result, info)));
  return paths;
}

}  // namespace rs::tune
