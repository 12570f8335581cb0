// sort/job/sort_result.cpp — the report and validation every sort ends with.
#include "sort/job/sort_result.hpp"

#include <tbb/task_arena.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "core/cpu_affinity.hpp"
#include "core/uint128.hpp"
#include "core/units.hpp"
#include "io/memory_peak.hpp"
#include "partition/splitter.hpp"
#include "sort/job/sort_output.hpp"
#include "validate/validate_job.hpp"

namespace rs::sort {

namespace {

// One rank's peak against its limit. Not checked where ranks are threads of one process (their
// peaks are one), nor under a sanitizer, whose shadow memory and quarantine are not the sort's.
Status PeakWithinBudget(const Comm& comm, uint64_t peak, uint64_t budget, const std::string& when) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return Status::Ok();
#endif
  if (budget == 0 || !comm.owns_process() || peak <= RssLimit(budget)) return Status::Ok();
  return Status::Error("peak RSS " + MibText(peak) + " is over the limit of " + MibText(RssLimit(budget)) +
                       " for --memory " + MibText(budget) + " (the budget + 15 % + 64 MiB); " + when);
}

}  // namespace

Status CheckPeakRss(const Comm& comm, uint64_t budget, const std::string& when) {
  return PeakWithinBudget(comm, PhaseClock::PeakRss(), budget, when);
}

SortOutcome MakeOutcome(std::string algo, const PhaseClock& clock, uint64_t budget, uint64_t records_out,
                        const TransportStats& net, std::string transport_name, std::string engine_name,
                        const Checksum128& read_sum, std::vector<std::string> notices) {
  SortOutcome out;
  out.algo = std::move(algo);
  out.clock = &clock;
  out.budget = budget;
  out.records_out = records_out;
  out.net = net;
  out.transport_name = std::move(transport_name);
  out.engine_name = std::move(engine_name);
  out.read_sum = read_sum;
  out.notices = std::move(notices);
  return out;
}

Result<SortReport> FinishSort(Comm& comm, const SortOptions& opt, const SortInput& input, const SortOutcome& out) {
  const int rank = comm.rank();
  // Every rank has published its output (synced and renamed) before this collective: the whole
  // output is durable from here on.
  if (Status st = AgreeOnStatus(comm, Status::Ok()); !st.ok()) {
    if (out.after_durable) out.after_durable();  // this rank's output was published all the same
    return st;
  }
  // The durable point: the agreement that every rank published (its data and name synced).
  const double durable_at = out.durable_at > 0 ? out.durable_at : WallClockSeconds();
  // The kept work goes now, beside the validation and the report: it is no part of the output,
  // and here (ext4 mounted with discard) unlinking the runs costs about 1 ms per MB, 2.6 s per rank
  // at 4 GB (docs/terabyte.md#the-time-after-the-merge).
  double cleanup_s = 0;
  std::jthread cleanup;  // joined before the report is gathered, and on every early return
  if (out.after_durable) {
    cleanup = std::jthread([&] {
      const auto t0 = std::chrono::steady_clock::now();
      out.after_durable();
      cleanup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    });
  }

  SortReport report;
  report.algo = out.algo;
  report.config_json = ConfigJson(opt);
  report.total_s = out.clock->launch_s();
  for (const auto& p : out.clock->phases()) {
    if (p.name != "overhead") report.total_s += p.wall_s;
  }
  // The launcher's clock (scripts set RS_LAUNCH_TIME just before mpirun): launch to the moment
  // every rank's output was durable — the Datamation interval.
  if (const char* t = std::getenv("RS_LAUNCH_TIME")) report.launch_to_durable_s = durable_at - std::atof(t);
  report.records = input.total;
  report.record_size = opt.shape.size;
  report.cores = tbb::this_task_arena::max_concurrency();
  report.transport = out.transport_name;
  report.engine = out.engine_name;
  report.memory_budget = out.budget;
  report.details_json = out.details_json;
  report.notes = out.notes;
  // The input checksum: the manifest's, or the sum of what every rank read.
  Checksum128 want = input.manifest_checksum.value_or(Checksum128());
  if (!input.manifest_checksum) {
    for (const auto& s : comm.AllGather(out.read_sum.ToString())) want += Checksum128(*ParseHexU128(s));
  }
  report.checksum = want.ToString();
  report.validation = "not run";
  if (opt.validate) {
    validate::ValidateJobOptions v;
    v.paths = opt.out;
    // The sort's transfer size may be the plan's whole records of a shape that streams through the
    // page cache (4097-byte records: 28,679 bytes), which the user-level check would refuse as
    // O_DIRECT transfers.
    v.disk = opt.disk.ForRecords(opt.shape);
    v.shape = opt.shape;
    v.threads = opt.threads;
    v.expect_checksum = want.value();
    v.expect_records = input.total;
    if (input.manifest_checksum) {  // the input may have changed since its manifest was written
      v.expect_source = "the input's manifest " + InputManifestPath(opt);
      v.input_check = "riversort validate " + opt.in.AsFlags() + " --manifest " + InputManifestPath(opt) +
                      (opt.shape.IsGensort() ? "" : " " + opt.shape.Flags());
    } else {
      v.expect_source = "the records the sort read";
    }
    auto verdict = validate::RunValidateJob(comm, v);
    if (rank == 0) std::cerr << verdict.report;
    // A failed validation is a result, not an error: the report says so and the command exits 1.
    report.validation = verdict.exit_code == 0 ? "SUCCESS" : !verdict.error.empty() ? verdict.error : "ERROR";
  }
  if (cleanup.joinable()) cleanup.join();
  // A line only when the removal took time worth reading (threepass has removed its runs before).
  if (cleanup_s >= 0.01) {
    char line[160];
    std::snprintf(line, sizeof line, "runs and journal removed in %.2f s (rank %d), after the output was durable",
                  cleanup_s, rank);
    report.notes.emplace_back(line);
  }
  // Every rank's phases and peak RSS, gathered after the validation so that the peak covers it.
  RankReport mine;
  mine.phases = out.clock->phases();
  mine.records_in = input.records;
  mine.records_out = out.records_out;
  mine.bytes_sent = out.net.bytes_sent;
  mine.bytes_received = out.net.bytes_received;
  mine.peak_rss = PhaseClock::PeakRss();
  mine.peak_huge_pool = memory_peak::PoolPeak();
  mine.threads = tbb::this_task_arena::max_concurrency();
  mine.weight = out.weight;
  mine.node_cores = NodeCores();
  char host[256] = "";
  (void)gethostname(host, sizeof host - 1);
  mine.host = host;
  mine.shares_process = !comm.owns_process();
  // Rank 0 prints the report and writes the result: only it gathers every rank's (docs/scale.md).
  report.ranks = GatherRankReports(comm, mine);
  std::vector<uint64_t> per_rank_out;
  for (const auto& r : report.ranks) per_rank_out.push_back(r.records_out);
  report.imbalance = partition::Imbalance(per_rank_out);
  if (rank == 0) {
    for (const auto& n : out.notices) std::cerr << "rank 0: " << n << '\n';
  }
  // The sorts check the peak before they publish; what is left is the memory of this last step
  // (the validation), found only after the output was published. Each rank checks its own.
  RS_RETURN_IF_ERROR(AgreeOnStatus(
      comm, PeakWithinBudget(comm, mine.peak_rss, out.budget, "the output was published before this was found")));
  return report;
}

}  // namespace rs::sort
