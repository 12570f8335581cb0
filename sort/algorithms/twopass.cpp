// sort/algorithms/twopass.cpp — the phases of the two-pass sort, as the rank's main thread runs them:
//   overhead            launch and init (process start to here)
//   read & distribute   DiskSource -> PartitionSink -> Transport; the receiver thread feeds a
//                       RunFormer, which sorts each run in core and writes it to a temporary file
//                       while the next one fills (read 1, write 1)
//   merge               loser-tree merge of the runs, double-buffered reads per run, into the
//                       output; levels first when the runs exceed the fan-in (read 2, write 2)
#include "sort/algorithms/twopass.hpp"

#include <algorithm>

#include "core/record.hpp"
#include "river/disk_sink.hpp"
#include "river/disk_source.hpp"
#include "sort/external/run_former.hpp"
#include "sort/external/run_merge.hpp"
#include "sort/external/temp_files.hpp"
#include "sort/job/external_setup.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_output.hpp"
#include "sort/job/sort_result.hpp"
#include "sort/report/phase.hpp"
#include "sort/report/progress.hpp"
#include "sort/report/run_summary.hpp"

namespace rs::sort {

Result<SortReport> RunTwopass(Comm& comm, const SortOptions& options, Progress* progress,
                              const TransportMaker& make_transport) {
  const int rank = comm.rank(), ranks = comm.size();
  PhaseClock clock = PhaseClock::FromLaunch();

  auto setup = SetUpExternalSort(comm, options, ExternalAlgo::kTwopass);
  if (!setup.ok()) return setup.status();
  // Named references, not a structured binding: the lambdas below capture them, which clang
  // before 16 (and so clang-tidy in CI) refuses for bindings.
  const SortInput& input = setup->input;
  const ExternalPlan& plan = setup->plan;
  const std::unique_ptr<TempFiles>& temp = setup->temp;
  const DiskOptions& disk = setup->disk;
  const SortOptions& opt = setup->options;  // with the plan's transfer size
  std::vector<std::string> notices;
  if (!plan.notice.empty()) notices.push_back(plan.notice);

  auto splitter = SplitterFromDisk(comm, opt, input, &notices);
  if (!splitter.ok()) return splitter.status();

  // Memory of the first pass: the pool (two runs and what circulates) and the run former's
  // sorter and write buffers; all of it is freed before the merge takes its own.
  Status st;
  std::unique_ptr<MemPool> pool;
  std::unique_ptr<DiskSource> source;
  std::unique_ptr<RunFormer> former;
  AssignIfOk(st, pool, [&] { return MemPool::Create(plan.net_buffer_bytes, plan.pool_buffers); });
  // The reads get their own few buffers: a DiskSource reads ahead into every free buffer of its
  // pool, and the partitioner must always find one to route into. The partitioner's buffers are
  // apart from the receives too (DistributeRequest::send_pool says why).
  std::unique_ptr<MemPool> read_pool, send_pool;
  AssignIfOk(st, read_pool, [&] { return MemPool::Create(plan.buffer_bytes, disk.queue_depth + 2); });
  AssignIfOk(st, send_pool, [&] { return MemPool::Create(plan.net_buffer_bytes, plan.send_buffers); });
  AssignIfOk(st, source, [&] { return DiskSource::Open(opt.in.Members(rank), disk, read_pool.get(), &notices); });
  AssignIfOk(st, former, [&] {
    return RunFormer::Create({disk, plan.run_records, temp.get(), "run", opt.threads, plan.run_buffers}, &notices);
  });
  // The output, created now so a missing or full directory is found first.
  SortOutput output;
  if (st.ok()) {
    const uint64_t hint = (input.total + uint64_t(ranks) - 1) / uint64_t(ranks) * kRecordSize;
    AssignIfOk(st, output, [&] { return OpenSortOutput(opt, disk, rank, hint, &notices); });
  }
  DiskSink* sink = output.sink.get();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // --- read & distribute, forming runs at the receiver ------------------------------------------
  Phase distributing(clock, progress, "read & distribute", input.bytes);
  DistributeRequest req;
  req.pool = pool.get();
  req.send_pool = send_pool.get();
  req.source = source.get();
  req.splitter = splitter->get();
  req.sum_input = !input.manifest_checksum.has_value();
  req.on_receive = [&](Buffer b) { former->Put(std::move(b)); };
  req.progress = progress;
  req.stall_after = std::chrono::duration_cast<std::chrono::seconds>(opt.exchange.stall_timeout);
  req.stall_message =
      "its receive buffers stayed held, with nothing arriving, for " + std::to_string(req.stall_after.count()) +
      " s (--net-timeout): run formation stopped giving them back (an internal error; please report it)";
  auto dist = ReadAndDistribute(comm, opt, std::move(req), make_transport);
  auto runs = former->Close();  // also after a failed exchange: the worker must stop
  former.reset();
  source.reset();
  read_pool.reset();
  send_pool.reset();
  pool.reset();
  if (!dist.ok()) {
    sink->Abort();
    return dist.status();
  }
  st = runs.ok() ? Status::Ok() : runs.status();
  if (!st.ok()) sink->Abort();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  uint64_t n_recv = 0;
  for (const auto& r : *runs) n_recv += r.records;
  const size_t run_count = runs->size();
  distributing.End(input.bytes);

  // --- merge ---------------------------------------------------------------------------------------
  Phase merging(clock, progress, "merge", n_recv * kRecordSize);
  RunMergeOptions mo;
  mo.disk = disk;
  mo.fan_in = plan.fan_in;
  mo.temp = temp.get();
  mo.out_pool = output.pool.get();
  mo.notices = &notices;
  auto merged =
      MergeRuns(std::move(*runs), mo, sink, [&](const uint8_t*, uint64_t n) { merging.Add(n * kRecordSize); });
  if (!merged.ok()) sink->Abort();
  st = AgreeOnStatus(comm, merged.ok() ? Status::Ok() : merged.status());
  // A rank over its memory limit fails the run before anything is published.
  if (st.ok()) st = PublishPartition(comm, sink, CheckPeakRss(comm, plan.budget));
  merging.Finish(n_recv * kRecordSize);
  RS_RETURN_IF_ERROR(st);

  // --- report ----------------------------------------------------------------------------------------
  const RunSummary summary = SummarizeRuns(comm, plan, run_count, merged->levels);
  SortOutcome out = MakeOutcome("twopass", clock, plan.budget, n_recv, dist->stats, dist->transport_name,
                                sink->engine_name(), dist->input_sum, std::move(notices));
  out.details_json = RunSummaryJson(summary);
  out.notes.push_back(RunSummaryLine("twopass", summary));
  return FinishSort(comm, opt, input, out);
}

}  // namespace rs::sort
