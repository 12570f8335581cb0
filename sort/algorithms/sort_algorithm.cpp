// sort/algorithms/sort_algorithm.cpp — algorithm choice and live progress.
#include "sort/algorithms/sort_algorithm.hpp"

#include <iostream>
#include <optional>

#include "core/comm.hpp"
#include "core/config.hpp"
#include "io/file.hpp"
#include "io/mapping_cache.hpp"
#include "io/write_guard.hpp"
#include "sort/algorithms/onepass.hpp"
#include "sort/algorithms/threepass.hpp"
#include "sort/algorithms/twopass.hpp"
#include "sort/job/memory_plan.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/report/phase_clock.hpp"
#include "sort/report/progress.hpp"
#include "sort/report/timeline.hpp"

namespace rs::sort {

namespace {

Result<SortReport> RunAlgorithm(Comm& comm, const SortOptions& opt, const TransportMaker& make_transport) {
  std::string algo = opt.algo;
  if (algo == "auto") {
    auto input = OpenSortInput(comm, opt);  // cheap: sizes and the manifest; the sort checks again
    if (!input.ok()) return input.status();
    const uint64_t budget = opt.memory > 0 ? opt.memory : config::external::kDefaultMemory;
    uint64_t need = 0;
    algo = AutoAlgorithm(opt, *input, comm.size(), &need);
    if (comm.rank() == 0) {
      std::cerr << "auto: " << algo << " (onepass needs " << ((need >> 20) + 1) << " MiB per rank; the budget is "
                << (budget >> 20) << " MiB)\n";
    }
  }
  Progress progress(comm.rank() == 0 && (opt.progress || StderrIsTerminal()));
  if (algo == "onepass" && (opt.balance == Balance::kSpeed || !opt.weights.empty())) {
    return Status::Error(
        "--balance speed and --weights: onepass sizes its memory for equal parts; use --algo "
        "twopass or threepass");
  }
  if (algo == "onepass" && opt.resume) {
    return Status::Error("--resume: onepass keeps nothing on disk to resume from; use --algo twopass or threepass");
  }
  if (algo == "onepass") return RunOnepass(comm, opt, make_transport);
  if (algo == "twopass") return RunTwopass(comm, opt, &progress, make_transport);
  if (algo == "threepass") return RunThreepass(comm, opt, &progress, make_transport);
  return Status::Error("--algo " + algo + ": not one of onepass, twopass, threepass, auto");
}

}  // namespace

Result<SortReport> RunSort(Comm& comm, const SortOptions& opt, const TransportMaker& make_transport) {
  // Before the first byte is read: no path the sort writes is one it reads or writes twice, the
  // output names are locked against other jobs, and every argument path is sound.
  // Each rank checks its own shape and paths (under MPMD they can differ) and the ranks agree on
  // the verdict: a rank refused alone would leave the others waiting in GuardWrites.
  Status args = opt.shape.Check();
  if (args.ok()) args = opt.in.Check(comm.size());
  if (args.ok()) args = opt.out.Check(comm.size());
  if (args.ok()) args = opt.disk.Check();
  RS_RETURN_IF_ERROR(AgreeKeepingOwn(comm, args));
  auto guard = GuardWrites(comm, SortWritePlan(opt, comm.rank()));
  if (!guard.ok()) return guard.status();
  // Each sort's own peak RSS: the report shows it and a budget is checked against it. Not where
  // the process runs several ranks (Comm::owns_process), whose sorts would reset each other's.
  // The memory an earlier sort of this process left for reuse goes first (io/mapping_cache.hpp):
  // it would count in this sort's peak.
  if (comm.owns_process()) {
    mapping_cache::Flush();
    PhaseClock::ResetPeakRss();
  }
  for (const auto& n : (*guard)->notices()) std::cerr << n << '\n';
  // The limits the phase table judges against, read before any work: a bad file ends the job now.
  // Only rank 0 prints the table, so only it reads the file (it need not be on other nodes).
  auto limits = opt.limits_path.empty() || comm.rank() != 0 ? Result<MachineLimits>(DefaultLimits())
                                                            : LoadLimits(opt.limits_path);
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, limits.ok() ? Status::Ok() : limits.status()));
  // Each rank's activity over time, for the JSON result (not where ranks share the process: its
  // counters are the process's).
  std::optional<Timeline> timeline;
  if (!opt.result_path.empty() && comm.owns_process()) {
    timeline.emplace(config::timeline::kIntervalMillis, config::timeline::kMaxSamples);
  }
  auto report = RunAlgorithm(comm, opt, make_transport);
  if (report.ok()) report->limits = *limits;
  if (!report.ok() || opt.result_path.empty()) return report;
  // Every rank got here with a report (the sort's last step agreed on its status).
  GatherTimelines(comm, timeline ? timeline->Stop() : TimelineSeries{}, &*report);
  // The JSON result, while the guard still holds its name.
  Status written;
  if (comm.rank() == 0) written = WriteFileAtomically(opt.result_path, report->Json());
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, written));
  return report;
}

}  // namespace rs::sort
