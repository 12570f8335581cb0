// sort/job/read_distribute.cpp — read & distribute: DiskSource -> PartitionSink -> NetSink, with a
// receiver thread on the other side of the transport.
#include "sort/job/read_distribute.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "core/config.hpp"
#include "core/fault_point.hpp"
#include "river/net/mpi_transport.hpp"
#include "river/net/net_sink.hpp"
#include "sort/report/progress.hpp"

namespace rs::sort {
Result<DistributeResult> ReadAndDistribute(Comm& comm, const SortOptions& opt, DistributeRequest req,
                                           const TransportMaker& make_transport) {
  const int rank = comm.rank(), ranks = comm.size();
  TransportOptions exchange = opt.exchange;
  if (!req.stall_message.empty() && req.stall_after.count() > 0) {  // the watchdog ends a job whose pool cannot refill
    exchange.dry_pool_timeout = req.stall_after;
    exchange.dry_pool_line = req.stall_message;
  }
  // From here until the transport is destroyed, only its communication thread calls MPI.
  auto transport =
      make_transport ? make_transport(req.pool, exchange) : MakeTransport(comm, opt.transport, req.pool, exchange);
  if (!transport.ok()) return transport.status();
  Transport& net = **transport;
  FaultPoint("exchange");  // reliability tests: a rank lost once the exchange has begun
  std::thread receiver([&] {
    while (auto r = net.Receive()) req.on_receive(std::move(r->buffer), r->from);
  });
  std::vector<std::unique_ptr<NetSink>> net_sinks;
  std::vector<Sink*> sinks;
  std::vector<MemPool*> pools;
  for (int d = 0; d < ranks; ++d) {
    net_sinks.push_back(std::make_unique<NetSink>(&net, d));
    sinks.push_back(net_sinks.back().get());
    // What a rank routes to itself goes from its partitioner straight to its receiver: those
    // buffers come from the receive pool (a send buffer kept by the receiver would never return).
    pools.push_back(d == rank || !req.send_pool ? req.pool : req.send_pool);
  }
  partition::PartitionSink partitioner(req.splitter, sinks, pools, uint32_t(rank));
  DistributeResult result;
  if (req.skip || !req.resume_routed.empty()) partitioner.Resume(req.resume_routed, req.skip);
  result.input_sum = req.resume_sum;
  const size_t record = opt.shape.size;
  auto route = [&](Buffer b) {
    if (req.sum_input) result.input_sum.AddRecords(b.data(), b.size() / record, record);
    if (req.progress) req.progress->Add(b.size());
    const uint64_t end = (b.offset() + b.size()) / record;
    partitioner.Put(std::move(b));
    if (req.on_routed) req.on_routed(end, partitioner.records_per_destination(), result.input_sum);
  };
  for (auto& b : req.preloaded) route(std::move(b));
  req.preloaded.clear();
  Status local;
  if (req.source) {
    while (auto b = req.source->Get()) route(std::move(*b));
    local = req.source->status();
  }
  local.Update(partitioner.Close());
  net.FinishSending();  // also after a read error: the peers must not wait for this rank
  receiver.join();
  local.Update(net.status());
  result.stats = net.stats();
  result.transport_name = net.name();
  transport->reset();  // joins the communication thread: collectives are allowed again
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, local));
  return result;
}

Result<std::unique_ptr<partition::Splitter>> SplitterFromDisk(Comm& comm, const SortOptions& opt,
                                                              const SortInput& input, std::vector<std::string>* notices,
                                                              const std::vector<uint64_t>& shares) {
  const int rank = comm.rank(), ranks = comm.size();
  if (opt.splitters == SplitterKind::kUniform && !shares.empty()) {
    return Status::Error("--balance speed and --weights need --splitters sample (uniform ranges are fixed)");
  }
  if (opt.splitters == SplitterKind::kUniform || ranks == 1) return partition::MakeUniformSplitter(ranks, opt.shape);
  int sample_parts = ranks;
  if (!shares.empty()) {  // the smallest part sampled as densely as an equal part among this many
    uint64_t sum = 0, least = UINT64_MAX;
    for (uint64_t s : shares) {
      sum += s;
      least = std::min(least, s);
    }
    sample_parts = int(std::min<uint64_t>(partition::kMaxParts, (sum + least - 1) / least));
  }
  const uint64_t share =
      partition::RankSampleSize(partition::DefaultSampleSize(sample_parts, input.total), input.total, input.records);
  auto sample =
      partition::SampleInput(opt.in.Members(rank), opt.disk, uint32_t(rank), share, 0x5eed, opt.shape, notices);
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, sample.ok() ? Status::Ok() : sample.status()));
  return partition::MakeSampleSplitter(comm, *sample, input.records, ranks, shares, opt.shape);
}

}  // namespace rs::sort
