// sort/algorithms/twopass.cpp — the phases of the two-pass sort, as the rank's main thread runs them:
//   overhead            launch and init (process start to here)
//   read & distribute   DiskSource -> PartitionSink -> Transport; the receiver thread feeds a
//                       RunFormer, which sorts each run in core and writes it to a temporary file
//                       while the next one fills (read 1, write 1)
//   merge               loser-tree merge of the runs, double-buffered reads per run, into the
//                       output; levels first when the runs exceed the fan-in (read 2, write 2)
#include "sort/algorithms/twopass.hpp"

#include <algorithm>
#include <iostream>
#include <set>

#include "river/disk_sink.hpp"
#include "river/disk_source.hpp"
#include "sort/external/run_former.hpp"
#include "sort/external/run_merge.hpp"
#include "sort/external/temp_files.hpp"
#include "sort/job/external_setup.hpp"
#include "sort/job/rank_weights.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_output.hpp"
#include "sort/job/sort_result.hpp"
#include "sort/report/phase.hpp"
#include "sort/report/progress.hpp"
#include "sort/report/run_summary.hpp"
#include "sort/resume/resume_steps.hpp"

namespace rs::sort {

namespace {

// One attempt; *redo (when not null) turns true on every rank when a kept run was found damaged.
Result<SortReport> Attempt(Comm& comm, const SortOptions& options, Progress* progress,
                           const TransportMaker& make_transport, bool* redo) {
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
  const uint64_t record = opt.shape.size;
  std::vector<std::string> notices;
  if (!plan.notice.empty()) notices.push_back(plan.notice);

  WorkJournal& journal = *setup->journal;
  // --balance speed / --weights: faster ranks take more of the key range.
  // (The calibration's reads are the read phase's first buffers unless kept runs move its start.)
  auto weights = DecideRankWeights(comm, opt, input, disk, plan.budget, journal.runs().empty());
  if (!weights.ok()) return weights.status();
  if (!weights->notice.empty()) notices.push_back(weights->notice);
  auto splitter = TwopassSplitter(comm, opt, input, journal, &notices, weights->shares);
  if (!splitter.ok()) return splitter.status();

  // --resume: every rank's runs were all formed (and agreed) before: nothing to read or send.
  uint64_t formed_everywhere = journal.formed() ? 1 : 0;
  comm.AllReduceSum({&formed_everywhere, 1});
  const bool skip_exchange = formed_everywhere == uint64_t(ranks);
  // The names of the runs an earlier run kept: their CRCs are checked as the merge reads them.
  std::set<std::string> kept_before;
  for (const auto& [name, r] : journal.runs()) kept_before.insert(name);

  // Memory of the first pass: the pool (two runs and what circulates) and the run former's
  // sorter and write buffers; all of it is freed before the merge takes its own.
  Status st;
  std::unique_ptr<MemPool> pool;
  std::unique_ptr<DiskSource> source;
  std::unique_ptr<RunFormer> former;
  RunFormer::Timings formation;  // for the report; zero when the exchange was skipped (--resume)
  // What the receivers kept of this rank's records, and where reading resumes (sort/resume/).
  const Coverage kept = journal.Covered();
  ResumePoint resume;
  if (!skip_exchange) {
    auto point = TwopassResumePoint(comm, journal, kept, input.records);
    if (!point.ok()) return point.status();
    resume = std::move(*point);
  }
  // The calibration read the partition's start: of no use when reading resumes later.
  if (skip_exchange || resume.position > 0) {
    weights->preloaded.clear();
    weights->preloaded_bytes = 0;
  }
  RunFormerOptions fo{disk,        opt.shape,        plan.run_records, temp.get(), "run",
                      opt.threads, plan.run_buffers, size_t(ranks),    {}};
  fo.on_written = [&](const SortedRun& run, uint32_t crc, const std::vector<uint64_t>& before,
                      const std::vector<uint64_t>& after) {
    KeptRun k{BaseName(run.members.front()), run.records, crc, 0, {}};
    for (int s = 0; s < ranks; ++s) {
      for (const auto& i : kept.MapArrivals(s, before[size_t(s)], after[size_t(s)] - before[size_t(s)]))
        k.cover.Add(s, i.begin, i.end);
    }
    return journal.RecordRun(k);
  };
  AssignIfOk(st, pool, [&] { return MemPool::Create(plan.net_buffer_bytes, plan.pool_buffers); });
  // The reads get their own few buffers: a DiskSource reads ahead into every free buffer of its
  // pool, and the partitioner must always find one to route into. The partitioner's buffers are
  // apart from the receives too (DistributeRequest::send_pool says why).
  std::unique_ptr<MemPool> read_pool, send_pool;
  if (!skip_exchange) {
    AssignIfOk(st, read_pool, [&] { return MemPool::Create(plan.buffer_bytes, disk.queue_depth + 2); });
    AssignIfOk(st, send_pool, [&] { return MemPool::Create(plan.net_buffer_bytes, plan.send_buffers); });
    const uint64_t start = std::max(resume.position * record, weights->preloaded_bytes);
    if (start < input.bytes) {
      AssignIfOk(st, source,
                 [&] { return DiskSource::Open(opt.in.Members(rank), disk, read_pool.get(), &notices, start); });
    }
    AssignIfOk(st, former, [&] { return RunFormer::Create(fo, &notices); });
  }
  // The output, created now so a missing or full directory is found first.
  SortOutput output;
  if (st.ok()) {
    const uint64_t hint = (input.total + uint64_t(ranks) - 1) / uint64_t(ranks) * record;
    AssignIfOk(st, output, [&] { return OpenSortOutput(opt, disk, rank, hint, &notices); });
  }
  DiskSink* sink = output.sink.get();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // --- read & distribute, forming runs at the receiver ------------------------------------------
  Phase distributing(clock, progress, "read & distribute", skip_exchange ? 0 : input.bytes);
  Checksum128 input_sum = journal.formed_sum();
  TransportStats net_stats;
  std::string transport_name = "none (runs kept)";
  if (skip_exchange) {
    distributing.MarkSkipped();
  } else {
    if (resume.position > 0 || !kept.empty()) distributing.MarkResumed();
    DistributeRequest req;
    req.pool = pool.get();
    req.send_pool = send_pool.get();
    req.source = source.get();
    req.preloaded = std::move(weights->preloaded);
    req.splitter = splitter->get();
    req.sum_input = !input.manifest_checksum.has_value();
    req.on_receive = [&](Buffer b, int from) { former->Put(std::move(b), from); };
    req.progress = progress;
    req.resume_routed = resume.routed;
    req.resume_sum = resume.sum;
    if (resume.skips) req.skip = [&](size_t d, uint64_t ordinal) { return resume.cursors[d].Skip(ordinal); };
    uint64_t last_checkpoint = resume.position;
    req.on_routed = [&](uint64_t position, const std::vector<uint64_t>& routed, const Checksum128& sum) {
      // A hint where a later --resume can start reading (not synced: sort/resume/journal.hpp).
      if (position - last_checkpoint < config::resume::kCheckpointRecords && position < input.records) return;
      last_checkpoint = position;
      (void)journal.RecordCheckpoint({position, sum, routed});
    };
    req.stall_after = std::chrono::duration_cast<std::chrono::seconds>(opt.exchange.stall_timeout);
    req.stall_message =
        "its receive buffers stayed held, with nothing arriving, for " + std::to_string(req.stall_after.count()) +
        " s (--net-timeout): run formation stopped giving them back (an internal error; please report it)";
    auto dist = ReadAndDistribute(comm, opt, std::move(req), make_transport);
    auto formed = former->Close();  // also after a failed exchange: the worker must stop
    formation = former->timings();
    former.reset();
    source.reset();
    read_pool.reset();
    send_pool.reset();
    weights->pool.reset();  // the calibration's buffers were routed: its memory goes back now
    if (!dist.ok()) {
      sink->Abort();
      return dist.status();
    }
    st = formed.ok() ? Status::Ok() : formed.status();
    if (!st.ok()) sink->Abort();
    RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
    input_sum = dist->input_sum;
    net_stats = dist->stats;
    transport_name = dist->transport_name;
    // Every rank has all its runs: a later --resume skips this phase.
    st = journal.RecordFormed(input_sum);
    RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  }
  pool.reset();
  std::vector<SortedRun> runs;
  uint64_t n_recv = 0;
  for (const auto& [name, k] : journal.runs()) {
    SortedRun r{temp->MembersOf(name), k.records, k.level};
    r.has_crc = kept_before.count(name) > 0;
    r.crc = k.crc;
    n_recv += k.records;
    runs.push_back(std::move(r));
  }
  // Formation order (the names count up), so that equal keys merge as they did.
  std::sort(runs.begin(), runs.end(), [](const SortedRun& a, const SortedRun& b) {
    return TempNameNumber(a.members.front()) < TempNameNumber(b.members.front());
  });
  const size_t run_count = runs.size();
  distributing.End(skip_exchange ? 0 : input.bytes);

  // --- merge ---------------------------------------------------------------------------------------
  Phase merging(clock, progress, "merge", n_recv * record);
  RunMergeOptions mo;
  mo.disk = disk;
  mo.shape = opt.shape;
  mo.fan_in = plan.fan_in;
  mo.read_bytes = plan.merge_read_bytes;
  mo.temp = temp.get();
  mo.out_pool = output.pool.get();
  mo.notices = &notices;
  bool damaged = false;
  KeepMerges(journal, &mo, &damaged);
  auto merged = MergeRuns(std::move(runs), mo, sink, [&](const uint8_t*, uint64_t n) { merging.Add(n * record); });
  if (!merged.ok()) sink->Abort();
  // A kept run found damaged was dropped from the journal: every rank ends this attempt and the
  // sort runs again as resumed, which sorts that run's records again.
  if (redo != nullptr && AgreeToRedo(comm, damaged, !merged.ok() && !damaged)) {
    if (damaged) {
      const std::string line = "rank " + std::to_string(rank) + ": notice: " + merged.status().message() +
                               "; its records are sorted again\n";
      std::cerr << line << std::flush;
    }
    sink->Abort();
    *redo = true;
    return Status::Error("a kept run was damaged");
  }
  if (damaged) {
    merged =
        Status::Error(merged.status().message() +
                      "; it was dropped: run the same command with --resume again, and its records are sorted again");
  }
  st = AgreeOnStatus(comm, merged.ok() ? Status::Ok() : merged.status());
  // A rank over its memory limit fails the run before anything is published.
  double durable_at = 0;
  if (st.ok()) st = PublishPartition(comm, sink, CheckPeakRss(comm, plan.budget), &durable_at);
  merging.Finish(n_recv * record);
  RS_RETURN_IF_ERROR(st);

  // --- report ----------------------------------------------------------------------------------------
  const RunSummary summary = SummarizeRuns(comm, plan, run_count, merged->levels, formation);
  SortOutcome out = MakeOutcome("twopass", clock, plan.budget, n_recv, net_stats, transport_name, sink->engine_name(),
                                input_sum, std::move(notices));
  out.details_json = RunSummaryJson(summary);
  if (!weights->weights.empty()) out.weight = weights->weights[size_t(rank)];
  out.notes.push_back(RunSummaryLine("twopass", summary));
  out.durable_at = durable_at;
  out.after_durable = [&journal] { journal.Finish(); };  // published: nothing is left to resume
  return FinishSort(comm, opt, input, out);
}

}  // namespace

Result<SortReport> RunTwopass(Comm& comm, const SortOptions& options, Progress* progress,
                              const TransportMaker& make_transport) {
  return RunAgainIfDamaged(
      options, [&](const SortOptions& o, bool* redo) { return Attempt(comm, o, progress, make_transport, redo); });
}

}  // namespace rs::sort
