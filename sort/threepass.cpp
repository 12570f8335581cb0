// sort/threepass.cpp — the phases of the three-pass sort, named as in the Compaq sort's breakdown:
//   overhead             launch and init (process start to here)
//   local sort           DiskSource -> RunFormer: sorted runs of the partition (read 1, write 1)
//   local merge          runs -> one sorted work file per rank, keeping every 1024th key
//                        (read 2, write 2)
//   parallel selection   exact output boundaries in every work file (a few KB per round)
//   parallel merge       each rank merges its ranges of every work file, remote ones fetched
//                        by remote I/O, into its output (read 3, write 3)
#include "sort/threepass.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/record.hpp"
#include "river/disk_sink.hpp"
#include "river/disk_source.hpp"
#include "sort/file_sorted_keys.hpp"
#include "sort/memory_plan.hpp"
#include "sort/parallel_merge.hpp"
#include "sort/parallel_selection.hpp"
#include "sort/progress.hpp"
#include "sort/run_former.hpp"
#include "sort/run_merge.hpp"
#include "sort/sort_input.hpp"
#include "sort/sort_result.hpp"
#include "sort/temp_files.hpp"

namespace rs::sort {

Result<RunReport> RunThreepass(Comm& comm, const SortOptions& opt, Progress* progress,
                               const TransportMaker& make_transport) {
  const int rank = comm.rank(), ranks = comm.size();
  PhaseClock clock;
  const double since_start = std::max(0.0, PhaseClock::SinceProcessStart());
  clock.Add({"overhead", since_start, PhaseClock::Cpu(), 0});

  auto input = OpenSortInput(comm, opt);
  if (!input.ok()) return input.status();
  auto plan = PlanThreepass(opt, *input, ranks);  // the same on every rank
  if (!plan.ok()) return plan.status();
  TempFiles temp(opt.tmp_dirs.empty() ? opt.out.dirs : opt.tmp_dirs, rank);
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, temp.Check()));
  DiskOptions disk = opt.disk.Effective();
  disk.transfer_size = plan->buffer_bytes;
  std::vector<std::string> notices;
  const bool sum_input = !input->manifest_checksum.has_value();
  Checksum128 read_sum;

  // The output's buffers and sink, created now so a missing or full directory is found first.
  Status st;
  std::unique_ptr<MemPool> out_pool;
  std::unique_ptr<DiskSink> sink;
  if (auto made = MemPool::Create(plan->buffer_bytes, disk.queue_depth + 2); made.ok()) out_pool = std::move(*made);
  else st = made.status();
  if (st.ok()) {
    const uint64_t share = (input->total + uint64_t(ranks) - 1) / uint64_t(ranks) * kRecordSize;
    if (auto made = DiskSink::Create(opt.out.Members(rank), disk, out_pool.get(), share, &notices); made.ok())
      sink = std::move(*made);
    else st = made.status();
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  // Any failure from here on leaves nothing under the output's name.
  auto fail = [&](const Status& s) {
    sink->Abort();
    return s;
  };

  // --- phase 1: local sort --------------------------------------------------------------------------
  if (progress) progress->StartPhase("local sort", input->bytes);
  std::vector<SortedRun> runs;
  {
    std::unique_ptr<MemPool> pool;
    std::unique_ptr<DiskSource> source;
    std::unique_ptr<RunFormer> former;
    if (auto made = MemPool::Create(plan->buffer_bytes, plan->pool_buffers); made.ok()) pool = std::move(*made);
    else st = made.status();
    if (st.ok()) {
      if (auto s = DiskSource::Open(opt.in.Members(rank), disk, pool.get(), &notices); s.ok()) source = std::move(*s);
      else st = s.status();
    }
    if (st.ok()) {
      if (auto f = RunFormer::Create({disk, plan->run_records, &temp, "run", opt.threads}, &notices); f.ok())
        former = std::move(*f);
      else st = f.status();
    }
    if (st.ok()) {
      while (auto b = source->Get()) {
        if (sum_input) read_sum.AddRecords(b->data(), b->size() / kRecordSize);
        if (progress) progress->Add(b->size());
        former->Put(std::move(*b));
      }
      st = source->status();
      auto formed = former->Close();
      if (formed.ok()) runs = std::move(*formed);
      else st.Update(formed.status());
    }
  }
  clock.Lap("local sort", input->bytes);
  if (!st.ok()) sink->Abort();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  const size_t run_count = runs.size();

  // --- phase 2: local merge into the work file ----------------------------------------------------
  if (progress) progress->StartPhase("local merge", input->bytes);
  SortedRun work{temp.NewMembers("work"), input->records};
  std::vector<Key> index;  // every kKeyIndexStride-th key, for parallel selection
  int merge_levels = 0;
  {
    auto work_sink = DiskSink::Create(work.members, disk, out_pool.get(), input->bytes, &notices);
    if (!work_sink.ok()) {
      st = work_sink.status();
    } else {
      RunMergeOptions mo;
      mo.disk = disk;
      mo.fan_in = plan->fan_in;
      mo.temp = &temp;
      mo.out_pool = out_pool.get();
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
        if (progress) progress->Add(n * kRecordSize);
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
  clock.Lap("local merge", input->bytes);
  if (!st.ok()) sink->Abort();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // --- phase 3a: parallel selection ---------------------------------------------------------------------
  if (progress) progress->StartPhase("parallel selection", 0);
  Selection selection;
  {
    auto keys = FileSortedKeys::Open(work.members, opt.disk.stripe_unit, std::move(index));
    RS_RETURN_IF_ERROR(AgreeOnStatus(comm, keys.ok() ? Status::Ok() : fail(keys.status())));
    auto selected = SelectBoundaries(comm, **keys);
    if (!selected.ok()) return fail(selected.status());
    selection = std::move(*selected);
  }
  clock.Lap("parallel selection", 0);

  // --- phase 3b: parallel merge ---------------------------------------------------------------------
  uint64_t n_out = 0;
  for (int q = 0; q < ranks; ++q) n_out += selection.cuts[size_t(q)][size_t(rank) + 1] - selection.cuts[size_t(q)][size_t(rank)];
  if (progress) progress->StartPhase("parallel merge", n_out * kRecordSize);
  ParallelMergeRequest pm;
  pm.work_members = work.members;
  pm.cuts = selection.cuts;
  pm.disk = disk;
  pm.out_pool = out_pool.get();
  pm.out = sink.get();
  pm.progress = progress;
  auto merged = ParallelMerge(comm, opt, pm, make_transport);
  if (!merged.ok()) return fail(merged.status());
  st = sink->Close();
  clock.Lap("parallel merge", n_out * kRecordSize);
  if (progress) progress->EndPhase();
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  temp.Remove(work.members);

  // --- report --------------------------------------------------------------------------------------
  const auto all = comm.AllGather(std::to_string(run_count) + " " + std::to_string(merge_levels));
  uint64_t max_runs = 0;
  int max_levels = 0;
  for (const auto& a : all) {
    const auto space = a.find(' ');
    max_runs = std::max<uint64_t>(max_runs, std::stoull(a.substr(0, space)));
    max_levels = std::max(max_levels, std::stoi(a.substr(space + 1)));
  }
  SortOutcome out;
  out.algo = "threepass";
  out.clock = &clock;
  out.since_start = since_start;
  out.records_out = merged->records;
  out.net = merged->net;
  out.transport_name = merged->transport_name;
  out.engine_name = sink->engine_name();
  out.read_sum = read_sum;
  out.details_json = nlohmann::json{{"run_records", plan->run_records},
                                    {"max_runs_per_rank", max_runs},
                                    {"fan_in", plan->fan_in},
                                    {"merge_levels", max_levels},
                                    {"selection_rounds", selection.rounds},
                                    {"selection_round_bound", MaxSelectionRounds(input->total)}}
                         .dump();
  out.notes.push_back("threepass: runs of up to " + std::to_string(plan->run_records) + " records, at most " +
                      std::to_string(max_runs) + " per rank; fan-in " + std::to_string(plan->fan_in) + ", " +
                      std::to_string(max_levels) + " merge level(s); parallel selection took " +
                      std::to_string(selection.rounds) + " rounds (bound " +
                      std::to_string(MaxSelectionRounds(input->total)) + ")");
  out.notices = std::move(notices);
  return FinishSort(comm, opt, *input, std::move(out));
}

}  // namespace rs::sort
