// sort/algorithms/threepass.cpp — the phases of the three-pass sort, named as in the Compaq sort's breakdown:
//   overhead             launch and init (process start to here)
//   local sort           DiskSource -> RunFormer: sorted runs of the partition (read 1, write 1)
//   local merge          runs -> one sorted work file per rank, keeping every 1024th key
//                        (read 2, write 2)
//   parallel selection   exact output boundaries in every work file (a few KB per round)
//   parallel merge       each rank merges its ranges of every work file, remote ones fetched
//                        by remote I/O, into its output (read 3, write 3)
#include "sort/algorithms/threepass.hpp"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/checksum.hpp"
#include "io/file.hpp"
#include "io/job_files.hpp"
#include "partition/parallel_selection.hpp"
#include "river/disk_sink.hpp"
#include "river/disk_source.hpp"
#include "sort/external/run_former.hpp"
#include "sort/external/run_merge.hpp"
#include "sort/external/temp_files.hpp"
#include "sort/job/external_setup.hpp"
#include "sort/job/memory_plan.hpp"
#include "sort/job/rank_weights.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_output.hpp"
#include "sort/job/sort_result.hpp"
#include "sort/report/phase.hpp"
#include "sort/report/progress.hpp"
#include "sort/report/run_summary.hpp"
#include "sort/resume/resume_steps.hpp"
#include "sort/selection/file_sorted_keys.hpp"
#include "sort/selection/parallel_merge.hpp"

namespace rs::sort {

namespace {

// One attempt; *redo (when not null) turns true on every rank when kept work was found damaged.
Result<SortReport> Attempt(Comm& comm, const SortOptions& options, Progress* progress,
                           const TransportMaker& make_transport, bool* redo) {
  const int rank = comm.rank(), ranks = comm.size();
  PhaseClock clock = PhaseClock::FromLaunch();

  auto setup = SetUpExternalSort(comm, options, ExternalAlgo::kThreepass);
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
  const bool sum_input = !input.manifest_checksum.has_value();
  Checksum128 read_sum;

  // The output, created now so a missing or full directory is found first.
  Status st;
  SortOutput output;
  {
    const uint64_t share = (input.total + uint64_t(ranks) - 1) / uint64_t(ranks) * record;
    AssignIfOk(st, output, [&] { return OpenSortOutput(opt, disk, rank, share, &notices); });
  }
  DiskSink* sink = output.sink.get();
  MemPool* out_pool = output.pool.get();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  // Any failure from here on leaves nothing under the output's name.
  auto fail = [&](const Status& s) {
    sink->Abort();
    return s;
  };

  WorkJournal& journal = *setup->journal;
  // --resume: what this rank kept. The work file is read back whole before it is trusted (other
  // ranks read its ranges later, where a damaged byte could not be told from a good one).
  bool work_kept = journal.work().has_value();
  KeyIndex index(opt.shape.key_size);  // every kKeyIndexStride-th key of the work file, for parallel selection
  if (work_kept) {
    const KeptWork& w = *journal.work();
    st = VerifyKeptFile(temp->MembersOf(w.name), w.records, w.crc, disk, opt.shape);
    if (st.ok()) {
      auto kept_index =
          ReadKeyIndex(temp->MembersOf(w.index_name).front(), w.index_keys, w.index_crc, opt.shape.key_size);
      if (kept_index.ok())
        index = std::move(*kept_index);
      else
        st = kept_index.status();
    }
    if (!st.ok()) {
      (void)journal.Reset();
      st = Status::Error(st.message() + "; the kept work was dropped: this rank sorts its partition again");
    }
  }
  if (!st.ok()) sink->Abort();
  // Damaged kept work was dropped from the journal: every rank ends this attempt and the sort
  // runs again as resumed (the damaged rank from its start; the others skip what they kept).
  if (redo != nullptr && AgreeToRedo(comm, !st.ok(), false)) {
    if (!st.ok()) std::cerr << ("rank " + std::to_string(rank) + ": notice: " + st.message() + "\n") << std::flush;
    *redo = true;
    return Status::Error("kept work was damaged");
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // --balance speed / --weights: faster ranks take more of the output (threepass's selection
  // honours the shares exactly).
  const bool from_start = !work_kept && !journal.formed() && journal.runs().empty();
  auto weights = DecideRankWeights(comm, opt, input, disk, plan.budget, from_start);
  if (!weights.ok()) return fail(weights.status());
  if (!weights->notice.empty()) notices.push_back(weights->notice);

  // --- phase 1: local sort --------------------------------------------------------------------------
  Phase local_sort(clock, progress, "local sort", input.bytes);
  std::set<std::string> kept_before;  // kept runs: their CRCs are checked as the merge reads them
  for (const auto& [name, r] : journal.runs()) kept_before.insert(name);
  RunFormer::Timings formation;  // for the report; zero when the runs were kept
  if (work_kept || journal.formed()) {
    local_sort.MarkSkipped();
    read_sum = journal.formed_sum();
  } else {
    const Coverage kept = journal.Covered();
    ResumePoint resume = LocalResumePoint(journal, kept, input.records);
    if (resume.position > 0) {  // the calibration read the partition's start: of no use now
      weights->preloaded.clear();
      weights->preloaded_bytes = 0;
    }
    if (resume.position > 0 || !kept.empty()) local_sort.MarkResumed();
    read_sum = resume.sum;
    std::unique_ptr<MemPool> pool;
    std::unique_ptr<DiskSource> source;
    std::unique_ptr<RunFormer> former;
    RunFormerOptions fo{disk, opt.shape, plan.run_records, temp.get(), "run", opt.threads, plan.run_buffers, 1, {}};
    fo.on_written = [&](const SortedRun& run, uint32_t crc, const std::vector<uint64_t>& before,
                        const std::vector<uint64_t>& after) {
      KeptRun k{BaseName(run.members.front()), run.records, crc, 0, {}};
      for (const auto& i : kept.MapArrivals(0, before[0], after[0] - before[0])) k.cover.Add(0, i.begin, i.end);
      return journal.RecordRun(k);
    };
    AssignIfOk(st, pool, [&] { return MemPool::Create(plan.buffer_bytes, plan.pool_buffers); });
    const uint64_t start = std::max(resume.position * record, weights->preloaded_bytes);
    if (start < input.bytes) {
      AssignIfOk(st, source, [&] { return DiskSource::Open(opt.in.Members(rank), disk, pool.get(), &notices, start); });
    }
    AssignIfOk(st, former, [&] { return RunFormer::Create(fo, &notices); });
    if (st.ok()) {
      uint64_t last_checkpoint = resume.position;
      size_t next_preloaded = 0;  // the calibration's buffers come first (--balance speed)
      while (true) {
        std::optional<Buffer> b;
        if (next_preloaded < weights->preloaded.size())
          b = std::move(weights->preloaded[next_preloaded++]);
        else if (source)
          b = source->Get();
        if (!b) break;
        const uint64_t first = b->offset() / record, n = b->size() / record;
        if (sum_input) read_sum.AddRecords(b->data(), n, record);
        local_sort.Add(b->size());
        if (resume.skips) {  // records a kept run holds are not sorted again
          uint64_t keep = 0;
          for (uint64_t i = 0; i < n; ++i) {
            if (resume.cursors[0].Skip(first + i)) continue;
            if (keep != i) std::memmove(b->data() + keep * record, b->data() + i * record, record);
            ++keep;
          }
          b->set_size(keep * record);
        }
        former->Put(std::move(*b), 0);
        const uint64_t end = first + n;
        if (end - last_checkpoint >= config::resume::kCheckpointRecords || end == input.records) {
          last_checkpoint = end;
          (void)journal.RecordCheckpoint({end, read_sum, {end}});
        }
      }
      if (source) st = source->status();
      auto formed = former->Close();
      formation = former->timings();
      if (!formed.ok()) st.Update(formed.status());
      if (st.ok()) st = journal.RecordFormed(read_sum);
    }
  }
  weights->preloaded.clear();
  weights->pool.reset();  // the calibration's buffers went into runs: its memory goes back now
  local_sort.End(input.bytes);
  if (!st.ok()) sink->Abort();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  std::vector<SortedRun> runs;
  for (const auto& [name, k] : journal.runs()) {
    SortedRun r{temp->MembersOf(name), k.records, k.level};
    r.has_crc = kept_before.count(name) > 0;
    r.crc = k.crc;
    runs.push_back(std::move(r));
  }
  std::sort(runs.begin(), runs.end(), [](const SortedRun& x, const SortedRun& y) {
    return TempNameNumber(x.members.front()) < TempNameNumber(y.members.front());
  });
  const size_t run_count = runs.size();

  // --- phase 2: local merge into the work file ----------------------------------------------------
  Phase local_merge(clock, progress, "local merge", input.bytes);
  SortedRun work{work_kept ? temp->MembersOf(journal.work()->name) : temp->NewMembers("work"), input.records};
  int merge_levels = 0;
  bool damaged = false;
  if (work_kept) {
    local_merge.MarkSkipped();
  } else {
    index.Reserve(ThreepassKeyIndexBytes(input.records, opt.shape) / opt.shape.key_size);  // as planned, not doubled
    auto work_sink = DiskSink::Create(work.members, disk, out_pool, input.bytes, &notices, kPrivateFileMode);
    if (!work_sink.ok()) {
      st = work_sink.status();
    } else {
      RunMergeOptions mo;
      mo.disk = disk;
      mo.shape = opt.shape;
      mo.fan_in = plan.fan_in;
      mo.read_bytes = plan.merge_read_bytes;
      mo.temp = temp.get();
      mo.out_pool = out_pool;
      mo.notices = &notices;
      KeepMerges(journal, &mo, &damaged);
      const uint64_t stride = config::external::kKeyIndexStride;
      uint64_t seen = 0;
      uint32_t crc = 0;
      auto merged = MergeRuns(std::move(runs), mo, work_sink->get(), [&](const uint8_t* records, uint64_t n) {
        for (uint64_t i = (stride - seen % stride) % stride; i < n; i += stride) {
          index.Add(records + i * record + opt.shape.key_offset);
        }
        seen += n;
        crc = Crc32(crc, records, n * record);
        local_merge.Add(n * record);
      });
      if (merged.ok()) {
        merge_levels = merged->levels;
        st = (*work_sink)->Close();
      } else {
        st = merged.status();
        (*work_sink)->Abort();
      }
      // The work file and its index are kept; the runs in it are not needed any more.
      if (st.ok()) {
        const std::string index_name = BaseName(temp->NewMembers("index").front());
        auto index_crc = WriteKeyIndex(temp->MembersOf(index_name).front(), index);
        if (index_crc.ok()) {
          st = journal.RecordWork(
              {BaseName(work.members.front()), input.records, crc, index_name, index.size(), *index_crc});
        } else {
          st = index_crc.status();
        }
        std::vector<std::string> done;
        for (const auto& [name, r] : journal.runs()) done.push_back(name);
        for (const auto& name : done)
          if (st.ok()) st = journal.DropRun(name, false);
      }
    }
  }
  local_merge.End(input.bytes);
  if (!st.ok()) sink->Abort();
  if (redo != nullptr && AgreeToRedo(comm, damaged, !st.ok() && !damaged)) {  // as above: a damaged kept run
    if (damaged) {
      std::cerr << ("rank " + std::to_string(rank) + ": notice: " + st.message() + "; its records are sorted again\n")
                << std::flush;
    }
    *redo = true;
    return Status::Error("a kept run was damaged");
  }
  if (damaged) st = Status::Error(st.message() + "; it was dropped: run the same command with --resume again");
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // --- phase 3a: parallel selection ---------------------------------------------------------------------
  Phase selecting(clock, progress, "parallel selection", 0);
  partition::Selection selection;
  uint64_t selected_everywhere = journal.selection().has_value() ? 1 : 0;
  comm.AllReduceSum({&selected_everywhere, 1});
  if (selected_everywhere == uint64_t(ranks)) {
    selecting.MarkSkipped();
    selection = *journal.selection();
  } else {
    auto keys = FileSortedKeys::Open(work.members, opt.disk.stripe_unit, opt.shape, std::move(index));
    RS_RETURN_IF_ERROR(AgreeOnStatus(comm, keys.ok() ? Status::Ok() : fail(keys.status())));
    partition::SelectOptions so;
    so.shares = weights->shares;
    auto selected = partition::SelectBoundaries(comm, **keys, so);
    if (!selected.ok()) return fail(selected.status());
    selection = std::move(*selected);
    st = journal.RecordSelection(selection);
    RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st.ok() ? st : fail(st)));
  }
  selecting.End(0);

  // --- phase 3b: parallel merge ---------------------------------------------------------------------
  uint64_t n_out = 0;
  for (const auto& [first, end] : selection.column) n_out += end - first;
  Phase parallel_merge(clock, progress, "parallel merge", n_out * record);
  ParallelMergeRequest pm;
  pm.work_members = work.members;
  pm.row = selection.row;
  pm.column = selection.column;
  pm.disk = disk;
  pm.chunk_bytes = plan.net_buffer_bytes;
  pm.out_pool = out_pool;
  pm.out = sink;
  pm.progress = progress;
  auto merged = ParallelMerge(comm, opt, pm, make_transport);
  if (!merged.ok()) return fail(merged.status());
  notices.insert(notices.end(), merged->notices.begin(), merged->notices.end());
  // A rank over its memory limit fails the run before anything is published.
  double durable_at = 0;
  st = PublishPartition(comm, sink, CheckPeakRss(comm, plan.budget), &durable_at);
  parallel_merge.Finish(n_out * record);
  RS_RETURN_IF_ERROR(st);

  // --- report --------------------------------------------------------------------------------------
  const RunSummary summary = SummarizeRuns(comm, plan, run_count, merge_levels, formation);
  SortOutcome out = MakeOutcome("threepass", clock, plan.budget, merged->records, merged->net, merged->transport_name,
                                sink->engine_name(), read_sum, std::move(notices));
  auto details = nlohmann::json::parse(RunSummaryJson(summary));
  details["selection_rounds"] = selection.rounds;
  details["selection_round_bound"] = partition::MaxSelectionRounds(input.total);
  out.details_json = details.dump();
  if (!weights->weights.empty()) out.weight = weights->weights[size_t(rank)];
  out.notes.push_back(RunSummaryLine("threepass", summary) + "; parallel selection took " +
                      std::to_string(selection.rounds) + " rounds (cap " +
                      std::to_string(partition::MaxSelectionRounds(input.total)) + ")");
  out.durable_at = durable_at;
  // Published: nothing is left to resume (the work file and index go too).
  out.after_durable = [&journal] { journal.Finish(); };
  return FinishSort(comm, opt, input, out);
}

}  // namespace

Result<SortReport> RunThreepass(Comm& comm, const SortOptions& options, Progress* progress,
                                const TransportMaker& make_transport) {
  return RunAgainIfDamaged(
      options, [&](const SortOptions& o, bool* redo) { return Attempt(comm, o, progress, make_transport, redo); });
}

}  // namespace rs::sort
