// sort/report/phase_bound.hpp — what bound a phase: the disk (read, write or both), the network
// or the CPU, judged per node from what the phase moved (PhaseTime::io, cpu_s) against the
// machine's measured limits. The phase table prints it beside each phase (docs/results.md).
#pragma once

#include <string>
#include <vector>

#include "core/status.hpp"
#include "sort/report/phase_clock.hpp"

namespace rs::sort {

struct MachineLimits {
  double disk_read_MBps = 0;   // per node
  double disk_write_MBps = 0;  // per node
  double network_MBps = 0;     // per node, each way
  std::string source;          // where the numbers came from (a file, or "built-in")
};

// config::limits (this machine's measured numbers).
MachineLimits DefaultLimits();
// An `riversort iobench` JSON result: best.read.MBps and best.write.MBps; network_MBps when the
// file has it, else the built-in one. Errors name the file and what is missing.
Result<MachineLimits> LoadLimits(const std::string& path);

// One rank's share of a phase, as the judgement needs it.
struct PhaseOnRank {
  const PhaseTime* phase = nullptr;
  std::string host;  // ranks with the same host share its disk, network and cores
  int node_cores = 0;
};

// The phase's bound, e.g. "disk write 91%" or "none: cpu 23%": the resource most used on the
// busiest node as a fraction of its limit over `wall_s` (the phase's slowest rank). Disk is the
// sum of the read and write fractions (a disk shares its time between them).
std::string PhaseBound(const std::vector<PhaseOnRank>& ranks, double wall_s, const MachineLimits& limits);

}  // namespace rs::sort
