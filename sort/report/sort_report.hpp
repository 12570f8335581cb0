// sort/report/sort_report.hpp — what a sort reports: the phase table on rank 0 (phase, seconds
// min/median/max over ranks, MB/s, CPU utilization, what bound it) and one JSON result per run
// (schema in docs/results.md). Built from every rank's phases after the run; rank 0 prints and writes.
#pragma once

#include <string>
#include <vector>

#include "core/comm.hpp"
#include "core/status.hpp"
#include "sort/report/phase_bound.hpp"
#include "sort/report/phase_clock.hpp"
#include "sort/report/timeline.hpp"

namespace rs::sort {

// Peak RSS a rank may reach under a budget of `budget` bytes: budget + 15 % + 64 MiB (code, MPI,
// TBB, stacks: about 14 MiB at launch and 18 MiB with the sort's threads, measured here).
inline uint64_t RssLimit(uint64_t budget) { return budget + budget * 15 / 100 + (uint64_t(64) << 20); }

struct RankReport {
  std::vector<PhaseTime> phases;
  uint64_t records_in = 0;   // read by this rank
  uint64_t records_out = 0;  // written by this rank
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t peak_rss = 0;        // with the huge page pool's part (PhaseClock::PeakRss)
  uint64_t peak_huge_pool = 0;  // of which from the reserved huge page pool (io/huge_tlb.hpp)
  int threads = 0;              // TBB's threads in this rank (its CPU affinity: what the launcher's binding allowed)
  int node_cores = 0;           // the online cores of its node
  double weight = 0;            // its share of the keys under --balance speed / --weights (0: equal parts)
  std::string host;             // its node: ranks on one host share a disk (what bound a phase)
  // Ranks that share one process (the in-process tests): its phases' io and cpu_s are the
  // process's, not its own, so the table judges no bound and gives no core-seconds per GB.
  bool shares_process = false;
  TimelineSeries timeline;  // empty unless the JSON result was asked for (sort/report/timeline.hpp)
};

struct SortReport {
  std::string algo;
  std::vector<RankReport> ranks;    // by rank
  double total_s = 0;               // rank 0: process start to the end of the last phase
  double launch_to_durable_s = -1;  // RS_LAUNCH_TIME (epoch s, set by the launcher) to durable output
  int cores = 0;                    // per rank (hardware threads available to it)
  std::string config_json;          // the options, as a JSON object
  std::string validation;           // "not run", "SUCCESS", or the failure line
  std::string checksum;
  uint64_t records = 0;
  uint64_t record_size = 100;  // bytes per record (docs/records.md)
  double imbalance = 0;        // max / mean records per rank after partitioning
  std::string transport;
  std::string engine;
  uint64_t memory_budget = 0;              // per rank in bytes (0: none)
  MachineLimits limits = DefaultLimits();  // what the phase table's "bound" column judges against
  // User + system CPU seconds of every rank, launch to the end, per 10^9 bytes sorted (0: none, or
  // ranks that share a process).
  double CoreSecondsPerGB() const;
  bool SharesProcess() const;  // some rank shares its process with others (RankReport::shares_process)
  // Peak RSS a rank may reach under the budget: budget + 15 % + 64 MiB (code, MPI, TBB, stacks).
  uint64_t RssLimit() const { return sort::RssLimit(memory_budget); }
  uint64_t MaxPeakRss() const;
  // Algorithm-specific facts as a JSON object (runs formed, merge levels, selection rounds).
  std::string details_json;
  // Lines printed under the table (the algorithm's choices and counts, peak memory).
  std::vector<std::string> notes;

  // The phase table, one line per phase, then the total.
  std::string Table() const;
  std::string Json() const;
};

// Collective: every rank's RankReport reaches rank 0 (Comm::Gather; the other ranks get none).
std::vector<RankReport> GatherRankReports(Comm& comm, const RankReport& mine);
// Collective: every rank's timeline reaches rank 0, into report->ranks (other ranks: nothing).
void GatherTimelines(Comm& comm, const TimelineSeries& mine, SortReport* report);

}  // namespace rs::sort
