// sort/algorithms/onepass.cpp — the phases of the one-pass sort, as the rank's main thread runs them:
//   overhead            launch and init (process start to here)
//   read & distribute   DiskSource -> PartitionSink -> Transport, overlapped; a receiver thread
//                       keeps every arriving buffer (they are the sort's input)
//   sort                16-byte key-prefix/index entries, the radix sort's first level
//   write               the rest of the radix sort and the gather, bucket by bucket, into pool
//                       buffers -> DiskSink (both overlap the writes); fsync and rename at the end
#include "sort/algorithms/onepass.hpp"

#include <tbb/task_arena.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "partition/splitter.hpp"
#include "river/disk_sink.hpp"
#include "river/disk_source.hpp"
#include "sort/incore/record_sorter.hpp"
#include "sort/job/memory_plan.hpp"
#include "sort/job/read_distribute.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_output.hpp"
#include "sort/job/sort_result.hpp"
#include "sort/report/phase.hpp"

namespace rs::sort {

Result<SortReport> RunOnepass(Comm& comm, const SortOptions& opt, const TransportMaker& make_transport) {
  const int rank = comm.rank(), ranks = comm.size();
  PhaseClock clock = PhaseClock::FromLaunch();

  auto input = OpenSortInput(comm, opt);
  if (!input.ok()) return input.status();
  const uint64_t n_local = input->records, total = input->total;
  RS_RETURN_IF_ERROR(CheckOnepassMemory(opt, *input, ranks));  // the same on every rank
  tbb::task_arena arena(opt.threads > 0 ? opt.threads : tbb::task_arena::automatic);
  // Disk streams of records: buffers of whole records that are also whole 4 KiB blocks.
  const DiskOptions disk = RecordDiskOptions(opt);
  const uint64_t buf_bytes = disk.transfer_size;
  DiskOptions read_disk = disk;
  if (opt.buffered_input) {
    read_disk.direct = false;
    read_disk = read_disk.Effective();
  }
  const uint64_t record = opt.shape.size;
  const uint64_t per_buf = buf_bytes / record;
  std::vector<std::string> notices;

  // With a sample split the whole partition is read into memory first and sampled there: the
  // input was written with O_DIRECT, so sampling it on disk costs one random read per sample
  // (docs/partition.md), as much as the whole Datamation sort. Drawn from memory a sample is cheap,
  // so it is larger than the bound needs (partition::InMemorySampleSize). A uniform split needs no sample,
  // so reading and exchanging overlap.
  const bool sample_split = opt.splitters == SplitterKind::kSample && ranks > 1;
  Status st;
  // Two pools (PlanOnepass): the disk's for reads and then writes, the network's for the
  // partitioner, sends and receives, and every record received (the sort's input, read in place);
  // one pool for both when the network buffers are the transfer size. Free lists are LIFO, so a
  // buffer freed by one phase is the next one taken by another: the pages already touched are
  // reused, and only the peak of buffers in use is ever touched (first touch of fresh memory costs
  // 1-3 s/GiB on this VM, reused memory ~0.1 s/GiB).
  const OnepassPools plan = PlanOnepass(opt, *input, ranks);
  if (!plan.notice.empty()) notices.push_back(plan.notice);
  const uint64_t capacity = plan.receive_bytes;
  std::unique_ptr<MemPool> pool, net_pool;
  if (plan.one_pool()) {
    AssignIfOk(st, pool, [&] { return MemPool::Create(buf_bytes, plan.disk_buffers + plan.net_buffers); });
  } else {
    AssignIfOk(st, pool, [&] { return MemPool::Create(buf_bytes, plan.disk_buffers); });
    AssignIfOk(st, net_pool, [&] { return MemPool::Create(plan.net_buffer_bytes, plan.net_buffers); });
  }
  std::unique_ptr<DiskSource> source;
  AssignIfOk(st, source, [&] { return DiskSource::Open(opt.in.Members(rank), read_disk, pool.get(), &notices); });
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  const bool sum_input = !input->manifest_checksum.has_value();

  // --- splitter ---------------------------------------------------------------------------------
  std::unique_ptr<partition::Splitter> splitter;
  std::vector<Buffer> held;  // the whole partition, when it is read first
  if (!sample_split) {
    splitter = partition::MakeUniformSplitter(ranks, opt.shape);
  } else {
    while (auto b = source->Get()) held.push_back(std::move(*b));
    st = source->status();
    const uint64_t share =
        partition::RankSampleSize(partition::InMemorySampleSize(ranks, total, opt.shape.size), total, n_local);
    std::vector<partition::SplitKey> sample;
    sample.reserve(share);
    for (size_t k = 0; k < held.size() && st.ok(); ++k) {  // stratified: each buffer its share
      const uint64_t count = held[k].size() / record, first = held[k].offset() / record;
      const uint64_t n = (share * (first + count) + n_local - 1) / n_local - (share * first + n_local - 1) / n_local;
      for (auto& key : partition::SampleRecords(held[k].data(), count, uint32_t(rank), n, 0x5eed + k, opt.shape)) {
        key.position += first;
        sample.push_back(std::move(key));
      }
    }
    RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
    auto made = partition::MakeSampleSplitter(comm, sample, n_local, ranks, {}, opt.shape);
    if (!made.ok()) return made.status();
    splitter = std::move(*made);
  }

  // --- output: created now, so a missing or full directory is found before the work ---------
  const uint64_t mean_bytes = (total + uint64_t(ranks) - 1) / uint64_t(ranks) * record;
  std::unique_ptr<DiskSink> sink;
  AssignIfOk(st, sink, [&] { return DiskSink::Create(opt.out.Members(rank), disk, pool.get(), mean_bytes, &notices); });
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // The sorter's entry arrays (RecordSorter::Bytes: 34 bytes per record this rank may receive),
  // allocated before the exchange so a failure is found early; touched by the sort itself.
  // (Prefaulting them on a background thread during the exchange was measured slower: both
  // cores are busy then, and with 10 M records the sort phase waited for 200 MB of fresh pages.
  // So was building the entries there as each buffer arrived: the exchange took longer than the
  // sort phase saved, results/incremental-build-not-kept-20261207.txt.)
  auto sorter = RecordSorter::Create(std::max<uint64_t>(capacity / record, 1), opt.shape);
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, sorter.ok() ? Status::Ok() : sorter.status()));

  // --- read & distribute ------------------------------------------------------------------------
  // onepass shows no progress line: it is the short sort (in memory), done before a line is due.
  Phase distributing(clock, nullptr, "read & distribute", n_local * record);
  std::vector<Buffer> received;
  DistributeRequest req;
  req.pool = plan.one_pool() ? pool.get() : net_pool.get();
  req.source = source.get();
  req.preloaded = std::move(held);
  req.splitter = splitter.get();
  req.sum_input = sum_input;
  req.on_receive = [&](Buffer b, int) { received.push_back(std::move(b)); };
  req.stall_message = "its key range holds more than the " + std::to_string(capacity) +
                      " bytes of memory set aside for it (skewed keys with --splitters uniform?); use --splitters "
                      "sample, a larger --memory, or --algo twopass";
  auto dist = ReadAndDistribute(comm, opt, std::move(req), make_transport);
  source.reset();
  distributing.End(n_local * record);
  if (!dist.ok()) return dist.status();

  // --- sort ----------------------------------------------------------------------------------
  Phase sorting(clock, nullptr, "sort", 0);
  std::vector<RecordSpan> spans;
  uint64_t n_recv = 0;
  for (const auto& b : received) {
    spans.push_back({b.data(), b.size() / record});
    n_recv += b.size() / record;
  }
  if (n_recv > (*sorter)->max_records()) {  // more than the share (only with --memory or a uniform split)
    sorter->reset();                        // the old entry arrays go first: never both at once
    sorter = RecordSorter::Create(n_recv, opt.shape);
  }
  st = sorter.ok() ? Status::Ok() : sorter.status();
  // Only the first radix level here: the write is bound by the disk, with the CPU mostly idle,
  // so each later level's bucket is sorted by the gather that needs it while earlier buffers are
  // being written (docs/architecture.md#algorithms).
  if (st.ok()) arena.execute([&] { st = (*sorter)->SortEntries(spans, RecordSorter::Finish::kWhenGathered); });
  sorting.End(n_recv * record);
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // --- write -------------------------------------------------------------------------------------
  Phase writing(clock, nullptr, "write", n_recv * record);
  for (uint64_t first = 0; first < n_recv; first += per_buf) {
    uint64_t n = std::min(per_buf, n_recv - first);
    Buffer b = pool->Get();
    arena.execute([&] { (*sorter)->Gather(first, n, b.data()); });
    b.set_size(n * record);
    sink->Put(std::move(b));
  }
  // A rank over its memory limit (--memory given) fails the run before anything is published.
  double durable_at = 0;
  st = PublishPartition(comm, sink.get(), CheckPeakRss(comm, opt.memory), &durable_at);
  received.clear();
  writing.End(n_recv * record);
  RS_RETURN_IF_ERROR(st);

  SortOutcome out = MakeOutcome("onepass", clock, opt.memory, n_recv, dist->stats, dist->transport_name,
                                sink->engine_name(), dist->input_sum, std::move(notices));
  out.durable_at = durable_at;
  // The in-core sort's own seconds (rank 0's), whichever phase they fell in.
  const RecordSorter::Timings t = (*sorter)->last_timings();
  out.details_json = nlohmann::json{{"in_core_sort",
                                     {{"build_s", t.build_s},
                                      {"sort_s", t.sort_s},
                                      {"sort_in_write_s", t.sort_in_gather_s},
                                      {"gather_s", t.gather_s}}}}
                         .dump();
  return FinishSort(comm, opt, *input, out);
}

}  // namespace rs::sort
