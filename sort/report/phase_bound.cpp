// sort/report/phase_bound.cpp
#include "sort/report/phase_bound.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/config.hpp"

namespace rs::sort {

MachineLimits DefaultLimits() {
  return {config::limits::kDiskReadMBps, config::limits::kDiskWriteMBps, config::limits::kNetworkMBps, "built-in"};
}

Result<MachineLimits> LoadLimits(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::FromErrno(errno, path, "--limits: open");
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Error("--limits " + path + ": not JSON");
  MachineLimits m = DefaultLimits();
  m.source = path;
  try {
    m.disk_read_MBps = j.at("best").at("read").at("MBps").get<double>();
    m.disk_write_MBps = j.at("best").at("write").at("MBps").get<double>();
    if (j.contains("network_MBps")) m.network_MBps = j.at("network_MBps").get<double>();
  } catch (const nlohmann::json::exception&) {
    return Status::Error("--limits " + path +
                         ": not an `riversort iobench` result with best.read.MBps and best.write.MBps (numbers)");
  }
  if (!(m.disk_read_MBps > 0 && m.disk_write_MBps > 0 && m.network_MBps > 0)) {
    return Status::Error("--limits " + path + ": the limits must be positive MB/s");
  }
  return m;
}

std::string PhaseBound(const std::vector<PhaseOnRank>& ranks, double wall_s, const MachineLimits& limits) {
  if (wall_s <= 0 || ranks.empty()) return "-";
  struct Node {
    double read = 0, written = 0, sent = 0, received = 0, cpu = 0;
    int cores = 0;
  };
  std::map<std::string, Node> nodes;
  for (const auto& r : ranks) {
    Node& n = nodes[r.host];
    n.read += double(r.phase->io.disk_read);
    n.written += double(r.phase->io.disk_written);
    n.sent += double(r.phase->io.net_sent);
    n.received += double(r.phase->io.net_received);
    n.cpu += r.phase->cpu_s;
    n.cores = std::max(n.cores, r.node_cores);
  }
  // The busiest node's fraction of each limit.
  double read = 0, write = 0, disk = 0, net = 0, cpu = 0;
  for (const auto& [host, n] : nodes) {
    const double r = n.read / 1e6 / wall_s / limits.disk_read_MBps;
    const double w = n.written / 1e6 / wall_s / limits.disk_write_MBps;
    if (r + w > disk) {
      disk = r + w;
      read = r;
      write = w;
    }
    net = std::max(net, std::max(n.sent, n.received) / 1e6 / wall_s / limits.network_MBps);
    if (n.cores > 0) cpu = std::max(cpu, n.cpu / wall_s / n.cores);
  }
  std::string name = read >= 2 * write ? "disk read" : write >= 2 * read ? "disk write" : "disk read+write";
  double most = disk;
  if (net > most) {
    name = "network";
    most = net;
  }
  if (cpu > most) {
    name = "cpu";
    most = cpu;
  }
  char text[64];
  std::snprintf(text, sizeof text, "%s%s %.0f%%", most < config::limits::kBoundFraction ? "none: " : "", name.c_str(),
                most * 100);
  return text;
}

}  // namespace rs::sort
