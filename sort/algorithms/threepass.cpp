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
#include <nlohmann/json.hpp>

#include "core/record.hpp"
#include "io/file.hpp"
#include "partition/parallel_selection.hpp"
#include "river/disk_sink.hpp"
#include "river/disk_source.hpp"
#include "sort/external/run_former.hpp"
#include "sort/external/run_merge.hpp"
#include "sort/external/temp_files.hpp"
#include "sort/job/external_setup.hpp"
#include "sort/job/memory_plan.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_output.hpp"
#include "sort/job/sort_result.hpp"
#include "sort/report/phase.hpp"
#include "sort/report/progress.hpp"
#include "sort/report/run_summary.hpp"
#include "sort/selection/file_sorted_keys.hpp"
#include "sort/selection/parallel_merge.hpp"

namespace rs::sort {

Result<SortReport> RunThreepass(Comm& comm, const SortOptions& options, Progress* progress,
                                const TransportMaker& make_transport) {
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
  std::vector<std::string> notices;
  if (!plan.notice.empty()) notices.push_back(plan.notice);
  const bool sum_input = !input.manifest_checksum.has_value();
  Checksum128 read_sum;

  // The output, created now so a missing or full directory is found first.
  Status st;
  SortOutput output;
  {
    const uint64_t share = (input.total + uint64_t(ranks) - 1) / uint64_t(ranks) * kRecordSize;
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

  // --- phase 1: local sort --------------------------------------------------------------------------
  Phase local_sort(clock, progress, "local sort", input.bytes);
  std::vector<SortedRun> runs;
  {
    std::unique_ptr<MemPool> pool;
    std::unique_ptr<DiskSource> source;
    std::unique_ptr<RunFormer> former;
    AssignIfOk(st, pool, [&] { return MemPool::Create(plan.buffer_bytes, plan.pool_buffers); });
    AssignIfOk(st, source, [&] { return DiskSource::Open(opt.in.Members(rank), disk, pool.get(), &notices); });
    AssignIfOk(st, former, [&] {
      return RunFormer::Create({disk, plan.run_records, temp.get(), "run", opt.threads, plan.run_buffers}, &notices);
    });
    if (st.ok()) {
      while (auto b = source->Get()) {
        if (sum_input) read_sum.AddRecords(b->data(), b->size() / kRecordSize);
        local_sort.Add(b->size());
        former->Put(std::move(*b));
      }
      st = source->status();
      auto formed = former->Close();
      if (formed.ok())
        runs = std::move(*formed);
      else
        st.Update(formed.status());
    }
  }
  local_sort.End(input.bytes);
  if (!st.ok()) sink->Abort();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  const size_t run_count = runs.size();

  // --- phase 2: local merge into the work file ----------------------------------------------------
  Phase local_merge(clock, progress, "local merge", input.bytes);
  SortedRun work{temp->NewMembers("work"), input.records};
  std::vector<Key> index;  // every kKeyIndexStride-th key, for parallel selection
  index.reserve(size_t(ThreepassKeyIndexBytes(input.records) / sizeof(Key)));  // as planned, not doubled
  int merge_levels = 0;
  {
    auto work_sink = DiskSink::Create(work.members, disk, out_pool, input.bytes, &notices, kPrivateFileMode);
    if (!work_sink.ok()) {
      st = work_sink.status();
    } else {
      RunMergeOptions mo;
      mo.disk = disk;
      mo.fan_in = plan.fan_in;
      mo.temp = temp.get();
      mo.out_pool = out_pool;
      mo.notices = &notices;
      const uint64_t stride = config::external::kKeyIndexStride;
      uint64_t seen = 0;
      auto merged = MergeRuns(std::move(runs), mo, work_sink->get(), [&](const uint8_t* records, uint64_t n) {
        for (uint64_t i = (stride - seen % stride) % stride; i < n; i += stride) {
          Key k;
          std::copy_n(records + i * kRecordSize, kKeySize, k.begin());
          index.push_back(k);
        }
        seen += n;
        local_merge.Add(n * kRecordSize);
      });
      if (merged.ok()) {
        merge_levels = merged->levels;
        st = (*work_sink)->Close();
      } else {
        st = merged.status();
        (*work_sink)->Abort();
      }
    }
  }
  local_merge.End(input.bytes);
  if (!st.ok()) sink->Abort();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // --- phase 3a: parallel selection ---------------------------------------------------------------------
  Phase selecting(clock, progress, "parallel selection", 0);
  partition::Selection selection;
  {
    auto keys = FileSortedKeys::Open(work.members, opt.disk.stripe_unit, std::move(index));
    RS_RETURN_IF_ERROR(AgreeOnStatus(comm, keys.ok() ? Status::Ok() : fail(keys.status())));
    auto selected = partition::SelectBoundaries(comm, **keys);
    if (!selected.ok()) return fail(selected.status());
    selection = std::move(*selected);
  }
  selecting.End(0);

  // --- phase 3b: parallel merge ---------------------------------------------------------------------
  uint64_t n_out = 0;
  for (const auto& [first, end] : selection.column) n_out += end - first;
  Phase parallel_merge(clock, progress, "parallel merge", n_out * kRecordSize);
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
  // A rank over its memory limit fails the run before anything is published.
  st = PublishPartition(comm, sink, CheckPeakRss(comm, plan.budget));
  parallel_merge.Finish(n_out * kRecordSize);
  RS_RETURN_IF_ERROR(st);
  temp->Remove(work.members);

  // --- report --------------------------------------------------------------------------------------
  const RunSummary summary = SummarizeRuns(comm, plan, run_count, merge_levels);
  SortOutcome out = MakeOutcome("threepass", clock, plan.budget, merged->records, merged->net, merged->transport_name,
                                sink->engine_name(), read_sum, std::move(notices));
  auto details = nlohmann::json::parse(RunSummaryJson(summary));
  details["selection_rounds"] = selection.rounds;
  details["selection_round_bound"] = partition::MaxSelectionRounds(input.total);
  out.details_json = details.dump();
  out.notes.push_back(RunSummaryLine("threepass", summary) + "; parallel selection took " +
                      std::to_string(selection.rounds) + " rounds (cap " +
                      std::to_string(partition::MaxSelectionRounds(input.total)) + ")");
  return FinishSort(comm, opt, input, out);
}

}  // namespace rs::sort
