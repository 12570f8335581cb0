// sort/job/read_distribute.hpp — the read & distribute phase shared by onepass and twopass: the input
// streams from disk through the splitter (PartitionSink) to every rank's NetSink, and each rank's
// receiver thread hands what arrives to the algorithm (kept in memory by onepass, formed into
// sorted runs by twopass). Collective over the Comm; call from each rank's main thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/comm.hpp"
#include "core/config.hpp"
#include "partition/partition_sink.hpp"
#include "partition/splitter.hpp"
#include "river/net/transport.hpp"
#include "river/source.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_options.hpp"

namespace rs::sort {

class Progress;

// Makes this rank's transport over its receive pool; tests pass a loopback.
using TransportMaker =
    std::function<Result<std::unique_ptr<Transport>>(MemPool* recv_pool, const TransportOptions& options)>;

struct DistributeRequest {
  MemPool* pool = nullptr;  // receives (and reads and sends, unless send_pool)
  // The partitioner's buffers, when they must not compete with receives: a receiver that holds
  // what it gets for a while (twopass's run formation) would otherwise let every rank's pool fill
  // with sends the others cannot receive — a deadlock. Buffers for this rank itself still come
  // from `pool`, so received data never holds a send buffer.
  MemPool* send_pool = nullptr;
  Source* source = nullptr;       // the partition, streamed (may be null)
  std::vector<Buffer> preloaded;  // read before (onepass's sample split), routed first
  const partition::Splitter* splitter = nullptr;
  bool sum_input = false;  // compute the input checksum while routing
  // Called on the receiver thread with every arriving buffer and its sender, in arrival order.
  std::function<void(Buffer, int from)> on_receive;
  // A resumed twopass (sort/resume/): the source starts at a read checkpoint, with
  // `resume_routed` records already routed to each destination and `resume_sum` the checksum of
  // the records before it; records that `skip` says a receiver keeps are not sent.
  std::vector<uint64_t> resume_routed;
  Checksum128 resume_sum;
  partition::PartitionSink::SkipFn skip;
  // Called on the main thread after each buffer is routed: records of the partition read so
  // far, records routed to each destination, and the checksum of what was read (when sum_input).
  std::function<void(uint64_t position, const std::vector<uint64_t>& routed, const Checksum128& sum)> on_routed;
  // Non-empty: if the pool stays dry and nothing arrives for stall_after, the transport's watchdog
  // prints this line (after "rank R: ") and ends the job (TransportOptions::dry_pool_timeout).
  // onepass: its receiver keeps everything it gets, so a dry pool cannot refill (5 s). twopass:
  // run formation gives buffers back as it writes runs, so a pool dry for --net-timeout means it
  // stopped (a safety net: the run former's buffer cap keeps it from happening).
  std::string stall_message;
  std::chrono::seconds stall_after{config::kReceiveStallSeconds};
  Progress* progress = nullptr;  // bytes read are counted here
};

struct DistributeResult {
  TransportStats stats;
  std::string transport_name;
  Checksum128 input_sum;  // of what this rank read, when sum_input
};

// Every rank returns the same status (the transport is gone before the collective).
Result<DistributeResult> ReadAndDistribute(Comm& comm, const SortOptions& options, DistributeRequest request,
                                           const TransportMaker& make_transport);

// The sample splitter from a sample read from the partition on disk (random key reads), for
// partitions too large to hold in memory; the uniform splitter when options say so or P = 1.
// `shares` (one per rank; empty: equal parts) sizes the parts unequally (--balance speed); the
// sample then grows so that the smallest part gets as many samples as an equal part would among
// Σ shares / min share parts (the bound per part holds for it).
Result<std::unique_ptr<partition::Splitter>> SplitterFromDisk(Comm& comm, const SortOptions& options,
                                                              const SortInput& input, std::vector<std::string>* notices,
                                                              const std::vector<uint64_t>& shares = {});

}  // namespace rs::sort
