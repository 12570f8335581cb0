// sort/onepass.cpp — the phases of the one-pass sort, as the rank's main thread runs them:
//   overhead            launch and init (process start to here)
//   read & distribute   DiskSource -> PartitionSink -> Transport, overlapped; a receiver thread
//                       keeps every arriving buffer (they are the sort's input)
//   sort                16-byte key-prefix/index entries, parallel radix sort
//   write               gather the sorted records chunk by chunk into pool buffers -> DiskSink
//                       (the gather overlaps the writes); fsync and rename at the end
#include "sort/onepass.hpp"

#include <tbb/task_arena.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "core/record.hpp"
#include "io/manifest.hpp"
#include "io/striped_file.hpp"
#include "partition/partition_sink.hpp"
#include "partition/splitter.hpp"
#include "river/disk_sink.hpp"
#include "river/disk_source.hpp"
#include "river/net_sink.hpp"
#include "sort/record_sorter.hpp"
#include "validate/validate_job.hpp"

namespace rs::sort {

const char* SplitterName(SplitterKind k) { return k == SplitterKind::kUniform ? "uniform" : "sample"; }

namespace {

// A receive pool that runs dry while peers still send means this rank's key range holds more
// records than its memory: with nothing else to do, the job must end with a clear line.
constexpr auto kStallLimit = std::chrono::seconds(5);

Status CheckNotSameFiles(const DatasetPaths& in, const DatasetPaths& out, int rank) {
  namespace fs = std::filesystem;
  for (const auto& o : out.Members(rank)) {
    for (const auto& i : in.Members(rank)) {
      std::error_code e1, e2;
      if (fs::weakly_canonical(o, e1) == fs::weakly_canonical(i, e2)) {
        return Status::Error(o + ": output is the input (give other --out-dir or --out-name; input is never modified)");
      }
    }
  }
  return Status::Ok();
}

// The input's total checksum from its manifest, when there is one (rank 0 reads it).
Result<std::optional<Checksum128>> ManifestChecksum(Comm& comm, const SortOptions& opt, uint64_t records) {
  std::string path = opt.manifest.empty() ? opt.in.DefaultManifestPath() : opt.manifest;
  Status st;
  std::string sum;
  if (comm.rank() == 0 && (!opt.manifest.empty() || std::filesystem::exists(path))) {
    auto m = Manifest::Load(path);
    if (!m.ok()) {
      st = m.status();
    } else if (m->records != records) {
      st = Status::Error(path + ": manifest lists " + std::to_string(m->records) + " records, the partitions hold " +
                         std::to_string(records));
    } else {
      sum = m->checksum.ToString();
    }
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  sum = comm.AllGather(sum)[0];
  if (sum.empty()) return std::optional<Checksum128>();
  return std::optional<Checksum128>(Checksum128(*ParseHexU128(sum)));
}

}  // namespace

std::string ConfigJson(const SortOptions& opt) {
  nlohmann::json j = {{"algo", opt.algo},
                      {"in_dirs", opt.in.dirs},
                      {"in_names", opt.in.names},
                      {"out_dirs", opt.out.dirs},
                      {"out_names", opt.out.names},
                      {"transfer_size", opt.disk.transfer_size},
                      {"queue_depth", opt.disk.queue_depth},
                      {"io_engine", EngineName(opt.disk.engine)},
                      {"direct", opt.disk.direct},
                      {"buffered_input", opt.buffered_input},
                      {"stripe_unit", opt.disk.stripe_unit},
                      {"memory", opt.memory},
                      {"transport", opt.transport == TransportKind::kRma ? "rma" : "mpi"},
                      {"exchange", opt.exchange.schedule == ExchangeSchedule::kRestricted ? "restricted" : "free"},
                      {"splitters", SplitterName(opt.splitters)},
                      {"threads", opt.threads}};
  return j.dump();
}

Result<RunReport> RunOnepass(Comm& comm, const SortOptions& opt, const TransportMaker& make_transport) {
  const int rank = comm.rank(), ranks = comm.size();
  PhaseClock clock;
  const double since_start = PhaseClock::SinceProcessStart();
  clock.Add({"overhead", since_start > 0 ? since_start : 0, PhaseClock::Cpu(), 0});

  RS_RETURN_IF_ERROR(opt.in.Check(ranks));
  RS_RETURN_IF_ERROR(opt.out.Check(ranks));
  RS_RETURN_IF_ERROR(opt.disk.Check());
  tbb::task_arena arena(opt.threads > 0 ? opt.threads : tbb::task_arena::automatic);
  // Disk streams of records: buffers of whole records that are also whole 4 KiB blocks.
  DiskOptions disk = opt.disk.Effective();
  disk.transfer_size = opt.disk.record_transfer_size();
  const uint64_t buf_bytes = disk.transfer_size;
  DiskOptions read_disk = disk;
  if (opt.buffered_input) {
    read_disk.direct = false;
    read_disk = read_disk.Effective();
  }
  const uint64_t per_buf = buf_bytes / kRecordSize;
  std::vector<std::string> notices;

  // --- open the input, count records everywhere ---------------------------------------------
  // With a sample split the whole partition is read into memory first and sampled there: the
  // input was written with O_DIRECT, so sampling it on disk costs one random read per sample
  // (docs/partition.md), as much as the whole Datamation sort. A uniform split needs no sample,
  // so reading and exchanging overlap.
  const bool sample_split = opt.splitters == SplitterKind::kSample && ranks > 1;
  Status st = CheckNotSameFiles(opt.in, opt.out, rank);
  std::unique_ptr<DiskSource> source;
  uint64_t input_bytes = 0;
  if (st.ok()) {
    // The size first: it sizes the pool (the whole partition is held with a sample split).
    auto probe = StripedFile::OpenRead(opt.in.Members(rank), opt.disk.stripe_unit, false);
    if (!probe.ok()) {
      st = probe.status();
    } else if (probe->size() % kRecordSize != 0) {
      st = Status::Error(opt.in.Members(rank)[0] + ": size " + std::to_string(probe->size()) +
                         " is not a multiple of 100 bytes");
    } else {
      input_bytes = probe->size();
    }
  }
  // One pool for every buffer of the run (read, send, receive, write). Its free list is LIFO, so
  // a buffer freed by one phase is the next one taken by another: the pages already touched are
  // reused, and only the peak of buffers in use is ever touched (first touch of fresh memory costs
  // 1-3 s/GiB on this VM, reused memory ~0.1 s/GiB). Sized once the total is known.
  std::unique_ptr<MemPool> pool;
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  const uint64_t n_local = input_bytes / kRecordSize;
  uint64_t total = 0;
  for (const auto& c : comm.AllGather(std::to_string(n_local))) total += std::stoull(c);

  const uint64_t mean_bytes = (total + uint64_t(ranks) - 1) / uint64_t(ranks) * kRecordSize;
  // What this rank receives: a sample split stays within a few percent of the mean (the bound
  // is in partition/splitter.hpp); a uniform split of skewed keys can put anything anywhere, so
  // it gets twice the mean. Plus the buffers that circulate: reads in flight, one partly filled
  // buffer per destination, sends and receives in flight, writes in flight.
  uint64_t capacity = opt.memory > 0 ? opt.memory
                      : opt.splitters == SplitterKind::kSample ? mean_bytes + mean_bytes / 4
                                                               : 2 * mean_bytes;
  capacity = std::min(capacity, total * kRecordSize);
  const size_t circulating = disk.queue_depth + 2 * size_t(ranks) + opt.exchange.max_sends_in_flight +
                             opt.exchange.posted_receives + 6;
  size_t buffers = size_t((capacity + buf_bytes - 1) / buf_bytes) + circulating;
  if (sample_split) buffers += size_t((input_bytes + buf_bytes - 1) / buf_bytes);  // the input, held whole
  {
    auto made = MemPool::Create(buf_bytes, buffers);
    if (made.ok()) pool = std::move(*made);
    else st = made.status();
  }
  if (st.ok()) {
    auto s = DiskSource::Open(opt.in.Members(rank), read_disk, pool.get(), &notices);
    if (s.ok()) source = std::move(*s);
    else st = s.status();
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  auto manifest_sum = ManifestChecksum(comm, opt, total);
  if (!manifest_sum.ok()) return manifest_sum.status();
  const bool sum_input = !manifest_sum->has_value();
  Checksum128 input_sum;

  // --- splitter ---------------------------------------------------------------------------------
  std::unique_ptr<partition::Splitter> splitter;
  std::vector<Buffer> input;  // the whole partition, when it is read first
  if (!sample_split) {
    splitter = partition::MakeUniformSplitter(ranks);
  } else {
    while (auto b = source->Get()) input.push_back(std::move(*b));
    st = source->status();
    const uint64_t share = partition::RankSampleSize(partition::DefaultSampleSize(ranks, total), total, n_local);
    std::vector<partition::SplitKey> sample;
    for (size_t k = 0; k < input.size() && st.ok(); ++k) {  // stratified: each buffer its share
      const uint64_t count = input[k].size() / kRecordSize, first = input[k].offset() / kRecordSize;
      const uint64_t n = (share * (first + count) + n_local - 1) / n_local - (share * first + n_local - 1) / n_local;
      for (auto key : partition::SampleRecords(input[k].data(), count, uint32_t(rank), n, 0x5eed + k)) {
        key.position += first;
        sample.push_back(key);
      }
    }
    RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
    auto made = partition::MakeSampleSplitter(comm, sample, n_local, ranks);
    if (!made.ok()) return made.status();
    splitter = std::move(*made);
  }

  // --- output: created now, so a missing or full directory is found before the work ---------
  std::unique_ptr<DiskSink> sink;
  {
    auto made = DiskSink::Create(opt.out.Members(rank), disk, pool.get(), mean_bytes, &notices);
    if (made.ok()) sink = std::move(*made);
    else st = made.status();
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // The sorter's entry arrays (32 bytes per record this rank may receive), allocated before the
  // exchange so a failure is found early; touched by the sort itself. (Prefaulting them on a
  // background thread during the exchange was measured slower: both cores are busy then, and
  // with 10 M records the sort phase waited for 200 MB of fresh pages.)
  auto sorter = RecordSorter::Create(std::max<uint64_t>(capacity / kRecordSize, 1));
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, sorter.ok() ? Status::Ok() : sorter.status()));

  // --- read & distribute ------------------------------------------------------------------------
  // From here until the transport is destroyed, only its communication thread calls MPI.
  auto transport = make_transport ? make_transport(pool.get(), opt.exchange)
                                  : MakeTransport(comm, opt.transport, pool.get(), opt.exchange);
  if (!transport.ok()) return transport.status();
  Transport& net = **transport;
  std::vector<Buffer> received;
  std::atomic<uint64_t> received_count{0};
  std::atomic<bool> receiving{true};
  std::thread receiver([&] {
    while (auto r = net.Receive()) {
      received.push_back(std::move(r->buffer));
      ++received_count;
    }
    receiving = false;
  });
  std::thread watchdog([&] {
    auto last_change = std::chrono::steady_clock::now();
    uint64_t last = 0;
    while (receiving) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      uint64_t now_count = received_count;
      if (now_count != last || pool->available() > 0) {
        last = now_count;
        last_change = std::chrono::steady_clock::now();
      } else if (std::chrono::steady_clock::now() - last_change > kStallLimit) {
        std::cerr << "rank " << rank << ": its key range holds more than the " << capacity
                  << " bytes of memory set aside for it (skewed keys with --splitters uniform?); use --splitters sample, "
                     "a larger --memory, or --algo twopass\n";
        comm.Abort(1);
      }
    }
  });

  std::vector<std::unique_ptr<NetSink>> net_sinks;
  std::vector<Sink*> sinks;
  std::vector<MemPool*> pools;
  for (int d = 0; d < ranks; ++d) {
    net_sinks.push_back(std::make_unique<NetSink>(&net, d));
    sinks.push_back(net_sinks.back().get());
    pools.push_back(pool.get());
  }
  partition::PartitionSink partitioner(splitter.get(), sinks, pools, uint32_t(rank));
  auto route = [&](Buffer b) {
    if (sum_input) input_sum.AddRecords(b.data(), b.size() / kRecordSize);
    partitioner.Put(std::move(b));
  };
  for (auto& b : input) route(std::move(b));  // read first (sample split)
  input.clear();
  while (auto b = source->Get()) route(std::move(*b));  // streaming (uniform split)
  Status local = source->status();
  local.Update(partitioner.Close());
  net.FinishSending();  // also after a read error: the peers must not wait for this rank
  receiver.join();
  watchdog.join();
  local.Update(net.status());
  const TransportStats net_stats = net.stats();
  const std::string transport_name = net.name();
  transport->reset();  // joins the communication thread: collectives are allowed again
  source.reset();
  clock.Lap("read & distribute", n_local * kRecordSize);
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, local));

  // --- sort ----------------------------------------------------------------------------------
  std::vector<RecordSpan> spans;
  uint64_t n_recv = 0;
  for (const auto& b : received) {
    spans.push_back({b.data(), b.size() / kRecordSize});
    n_recv += b.size() / kRecordSize;
  }
  if (n_recv > (*sorter)->max_records()) {  // more than the share (only with --memory or a uniform split)
    sorter = RecordSorter::Create(n_recv);
  }
  st = sorter.ok() ? Status::Ok() : sorter.status();
  if (st.ok()) arena.execute([&] { st = (*sorter)->SortEntries(spans); });
  clock.Lap("sort", n_recv * kRecordSize);
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));

  // --- write -------------------------------------------------------------------------------------
  for (uint64_t first = 0; first < n_recv; first += per_buf) {
    uint64_t n = std::min(per_buf, n_recv - first);
    Buffer b = pool->Get();
    arena.execute([&] { (*sorter)->Gather(first, n, b.data()); });
    b.set_size(n * kRecordSize);
    sink->Put(std::move(b));
  }
  st = sink->Close();
  received.clear();
  clock.Lap("write", n_recv * kRecordSize);
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, st));
  // Every rank has passed Close() (synced and renamed): the whole output is durable now.
  const double durable_at = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();

  // --- report --------------------------------------------------------------------------------
  RankReport mine{clock.phases(), n_local, n_recv, net_stats.bytes_sent, net_stats.bytes_received,
                  PhaseClock::PeakRss()};
  RunReport report;
  report.algo = "onepass";
  report.config_json = ConfigJson(opt);
  report.total_s = since_start + [&] {
    double s = 0;
    for (const auto& p : clock.phases()) if (p.name != "overhead") s += p.wall_s;
    return s;
  }();
  report.ranks = GatherRankReports(comm, mine);
  // The launcher's clock (scripts/datamation.sh sets RS_LAUNCH_TIME just before mpirun): the
  // Datamation interval, launch to durable output, when every rank's output was durable.
  if (const char* t = std::getenv("RS_LAUNCH_TIME")) report.launch_to_durable_s = durable_at - std::atof(t);
  report.records = total;
  report.cores = tbb::this_task_arena::max_concurrency();
  report.transport = transport_name;
  report.engine = sink->engine_name();
  std::vector<uint64_t> per_rank_out;
  for (const auto& r : report.ranks) per_rank_out.push_back(r.records_out);
  report.imbalance = partition::Imbalance(per_rank_out);

  // Input checksum: the manifest's, or the sum of what every rank read.
  Checksum128 want = manifest_sum->value_or(Checksum128());
  if (sum_input) {
    for (const auto& s : comm.AllGather(input_sum.ToString())) want += Checksum128(*ParseHexU128(s));
  }
  report.checksum = want.ToString();
  report.validation = "not run";
  if (opt.validate) {
    validate::ValidateJobOptions v;
    v.paths = opt.out;
    v.disk = opt.disk;
    v.threads = opt.threads;
    v.expect_checksum = want.value();
    v.expect_records = total;
    auto outcome = validate::RunValidateJob(comm, v);
    if (rank == 0) std::cerr << outcome.report;
    // A failed validation is a result, not an error: the report says so and the command exits 1.
    report.validation = outcome.exit_code == 0 ? "SUCCESS" : !outcome.error.empty() ? outcome.error : "ERROR";
  }
  if (rank == 0) {
    for (const auto& n : notices) std::cerr << "rank 0: " << n << '\n';
  }
  return report;
}

}  // namespace rs::sort
