// sort/job/memory_plan.cpp — the budget arithmetic of the sorts.
#include "sort/job/memory_plan.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"
#include "core/record.hpp"
#include "core/units.hpp"
#include "io/open_files.hpp"
#include "river/mem_pool.hpp"
#include "sort/external/run_former.hpp"
#include "sort/external/run_merge.hpp"
#include "sort/incore/record_sorter.hpp"
#include "sort/selection/parallel_merge.hpp"
#include "validate/partition_validator.hpp"

namespace rs::sort {
namespace {

size_t OutputBuffers(const SortOptions& opt) { return opt.disk.Effective().queue_depth + 2; }

// The smallest network buffer: config::kMinNetBufferBytes in whole records (1,000 bytes = 10 of
// gensort's), at least one record.
uint64_t MinNetBuffer(const RecordShape& shape) {
  return std::max<uint64_t>(shape.size, config::kMinNetBufferBytes / shape.size * shape.size);
}

// What an external sort holds besides its runs' buffers, phase by phase.
struct Needs {
  uint64_t run_buffer = 0;   // bytes of one buffer of a run (twopass: the network buffer; threepass: a transfer)
  uint64_t net_buffer = 0;   // twopass: the partitioner's and receives' buffers; threepass: remote chunks
  size_t circulating = 0;    // run formation: buffers of the run pool that move besides the two runs
  uint64_t other = 0;        // run formation: bytes in pools of their own
  uint64_t data = 0;         // bytes per rank that become runs
  uint64_t merge_extra = 0;  // bytes held through the merge besides its streams (threepass's key index)
  uint64_t last_phase = 0;   // bytes the phase after the merge needs (threepass's parallel merge)
};

// Sizes runs and the fan-in from the budget for transfers of `disk.transfer_size` bytes. Everything that grows with the
// data, the transfer size or the number of runs is counted: pools as MemPool::Bytes maps them, each merged run's stream
// (its buffers, I/O thread and ring), each run's bookkeeping, the key index, and the validation at the end when asked
// for. What stays is the process's fixed memory (code, MPI, TBB: about 14 MiB at launch, 18 MiB with its threads here),
// which SortReport::RssLimit's 64 MiB covers. Fails with the minimum budget for these sizes (in `minimum`).
// `streams`: the most runs one merge may open (MergeStreamCap).
Result<ExternalPlan> Plan(const SortOptions& opt, const DiskOptions& disk, const Needs& n, size_t streams,
                          uint64_t* minimum_out) {
  ExternalPlan p;
  p.budget = opt.memory > 0 ? opt.memory : config::external::kDefaultMemory;
  const uint64_t t = p.buffer_bytes = disk.transfer_size;
  const uint64_t r = n.run_buffer;
  const uint64_t record = opt.shape.size, block = opt.shape.Block();
  const uint64_t per_buf = r / record;
  // Run formation: 2 runs of b buffers + circulating buffers + the sorter and write buffers of one run.
  const uint64_t fixed = MemPool::Bytes(r, n.circulating) + n.other + RunFormer::OverheadBytes(disk, 0);
  const uint64_t per_run_buffer =
      2 * MemPool::Bytes(r, 1) + RunFormer::OverheadBytes(disk, per_buf) - RunFormer::OverheadBytes(disk, 0);
  // Merges: the output's buffers, the streams of the runs merged at once, and every run's bookkeeping.
  const uint64_t out = MemPool::Bytes(t, OutputBuffers(opt));
  // A merged run's stream with reads of `read` bytes.
  auto stream_of = [&](uint64_t read) {
    DiskOptions d = disk;
    d.transfer_size = read;
    return RunMergeInputBytes(d, 1);
  };
  const uint64_t stream = stream_of(t);
  const uint64_t run_bytes = per_buf * record;
  auto bookkeeping = [&](uint64_t b) {  // of the runs b buffers long that the data makes
    return (n.data + b * run_bytes - 1) / (b * run_bytes) * config::external::kRunBookkeepingBytes;
  };
  auto formation = [&](uint64_t b) { return fixed + b * per_run_buffer + bookkeeping(b); };
  auto merge = [&](uint64_t b, uint64_t fan_in, uint64_t per_stream) {
    return out + n.merge_extra + bookkeeping(b) + fan_in * per_stream;
  };
  // The validation at the end (FinishSort) runs while the output's pool is still held.
  const uint64_t validation = opt.validate ? out + validate::ValidatePartitionBytes(disk, opt.threads, opt.shape) : 0;
  const uint64_t after = std::max(n.last_phase, validation);
  auto feasible = [&](uint64_t b) { return std::max({formation(b), merge(b, 2, stream), after}) <= p.budget; };

  // The smallest budget that works: longer runs cost more to form but fewer to keep track of, so
  // the least is found over run lengths (a geometric scan: within 5 % of the best length).
  const uint64_t longest = std::max<uint64_t>(1, (n.data + run_bytes - 1) / run_bytes);
  uint64_t minimum = UINT64_MAX, best_b = 1;
  for (uint64_t b = 1; b <= longest; b = std::max(b + 1, b + b / 20)) {
    const uint64_t need = std::max({formation(b), merge(b, 2, stream), after});
    if (need < minimum) minimum = need, best_b = b;
  }
  *minimum_out = minimum;
  if (p.budget < minimum) return Status::Error("too small");  // the caller words the refusal
  // The longest runs the budget allows, then the fan-in their merge leaves room for.
  const uint64_t cap = std::max<uint64_t>(1, (p.budget - std::min(p.budget, fixed)) / per_run_buffer);
  auto fan_in_at = [&](uint64_t b, uint64_t per_stream) {
    const uint64_t spent = out + n.merge_extra + bookkeeping(b);
    size_t f = size_t(std::min<uint64_t>(streams, (p.budget - std::min(p.budget, spent)) / per_stream));
    if (opt.fan_in >= 2) f = std::min(f, opt.fan_in);
    return f;
  };
  const size_t fan_in = fan_in_at(std::min(cap, longest), stream);
  // Runs no larger than they need to be: the memory a sort touches first costs far more than
  // memory it reuses (docs/machine.md#memory: 1-3 s/GiB on this VM), and the sort touches about two runs in
  // run formation plus 3 buffers per run in the merge, 2R + 3t·data/R, least at R = sqrt(1.5·data·t)
  // (docs/external.md has the measurements). But never so small that the runs exceed the fan-in
  // (a second merge level rereads everything), and never more than the budget allows.
  const double best = std::sqrt(1.5 * double(n.data) * double(t));
  const uint64_t one_level = n.data / std::max<size_t>(fan_in - 1, 1);
  const uint64_t wanted = std::max<uint64_t>(uint64_t(best), one_level) / run_bytes + 1;
  uint64_t b = std::min(cap, wanted);
  // Shorter runs mean more of them to keep track of: shorten until the bookkeeping fits too.
  for (int i = 0; i < 64 && !feasible(b) && b > 1; ++i) {
    const uint64_t room = p.budget - std::min(p.budget, fixed + bookkeeping(b));
    b = std::max<uint64_t>(1, std::min(b - 1, room / per_run_buffer));
  }
  if (!feasible(b)) b = best_b;  // the length the minimum was found at
  p.run_buffers = size_t(b);
  p.run_records = p.run_buffers * per_buf;
  p.pool_buffers = 2 * p.run_buffers + n.circulating;
  p.fan_in = std::max<size_t>(2, fan_in_at(b, stream));
  p.merge_read_bytes = t;
  p.net_buffer_bytes = n.net_buffer;
  const uint64_t runs = std::max<uint64_t>(1, (n.data + b * run_bytes - 1) / (b * run_bytes));
  // More runs than the fan-in: the largest smaller merge read (whole record blocks, at least
  // kMinMergeReadBytes, or half the transfer size where that is less) that merges them all in one level. Runs of partly
  // filled receive buffers come out shorter than planned (RunFormer packs them), so a sixteenth more are allowed for
  // (besides the 10 % above the mean the plan already takes for a rank's share).
  const uint64_t expected = runs + runs / 16 + 1;
  if (runs > 1 && expected > p.fan_in && opt.fan_in < 2) {
    // In whole record blocks: kMinMergeReadBytes rounded up to one (3 blocks of gensort's 102,400).
    const uint64_t half = t / 2 / block * block;
    const uint64_t least = (config::external::kMinMergeReadBytes + block - 1) / block * block;
    const uint64_t floor = std::max(block, std::min(least, half));
    for (uint64_t read = (t - 1) / block * block; read >= floor; read -= block) {
      if (fan_in_at(b, stream_of(read)) >= expected) {
        p.merge_read_bytes = read;
        p.fan_in = fan_in_at(b, stream_of(read));
        break;
      }
    }
  }
  // The open-file limit, not the budget, keeps the merge from one level: say so, naming the knob.
  if (runs > p.fan_in && p.fan_in == streams && streams < config::external::kMaxFanIn && opt.fan_in < 2) {
    p.notice = "the open-file limit (ulimit -n " + std::to_string(OpenFileLimit()) + ") allows a fan-in of " +
               std::to_string(streams) + ": up to " + std::to_string(runs) +
               " runs per rank merge in levels (docs/scale.md#open-files-per-rank)";
  }
  // The merge opens no more streams than there are runs (a small job's one or two runs under a
  // fan-in of dozens).
  p.peak_bytes = std::max(
      {formation(b), merge(b, std::max<uint64_t>(2, std::min<uint64_t>(p.fan_in, runs)), stream_of(p.merge_read_bytes)),
       after});
  return p;
}

// Network buffers of whole records, the largest that `bytes` spread over `count` buffers allows
// (each with `room` bytes after it), at most `cap`, at least config::kMinNetBufferBytes. From one
// page up they fill whole pages (MemPool rounds such buffers up to pages); below, MemPool packs them.
uint64_t NetBufferFor(const RecordShape& shape, uint64_t bytes, uint64_t count, uint64_t cap, uint64_t room = 0) {
  const uint64_t per = bytes / std::max<uint64_t>(count, 1);
  const uint64_t whole =
      per >= config::kDirectAlignment ? per / config::kDirectAlignment * config::kDirectAlignment : per;
  const uint64_t b = whole > room ? (whole - room) / shape.size * shape.size : 0;
  return std::min(cap, std::max(MinNetBuffer(shape), b));
}

// --net-buffer in whole records, at least one, at most the transfer size.
uint64_t GivenNetBuffer(const SortOptions& opt, uint64_t t) {
  const uint64_t record = opt.shape.size;
  return std::min(t, std::max<uint64_t>(record, opt.net_buffer / record * record));
}

// The transfer sizes tried, largest first: the configured one, then halves in whole record blocks
// down to one block.
std::vector<uint64_t> TransferSizes(const SortOptions& opt) {
  std::vector<uint64_t> sizes;
  const uint64_t block = opt.shape.Block();
  for (uint64_t t = RecordDiskOptions(opt).transfer_size; t >= block; t = t / 2 / block * block) {
    sizes.push_back(t);
  }
  if (sizes.empty() || sizes.back() != block) sizes.push_back(block);
  return sizes;
}

// Plans with the largest transfer size (and the network buffers `needs_for` derives from it and
// the budget: net = 0) that fits. Failing that, the pairs of sizes whose least budgets do not
// depend on the budget — every transfer size with the smallest network buffers and with network
// buffers of the transfer size — are tried; below the least of their least budgets (the floor),
// the budget is refused, naming the floor. A plan with smaller sizes than the options ask for says so.
Result<ExternalPlan> Fit(const SortOptions& opt, int ranks, const char* algo,
                         const std::function<Needs(const DiskOptions&, uint64_t net)>& needs_for) {
  const std::vector<uint64_t> sizes = TransferSizes(opt);
  // A merge reads runs of the work dirs and writes one sink: the output, or a run of a first level.
  const size_t run_members = WorkDirs(opt).size();
  const size_t streams =
      MergeStreamCap(run_members, std::max(run_members, opt.out.dirs.size()), ranks, OpenFileLimit());
  const uint64_t budget = opt.memory > 0 ? opt.memory : config::external::kDefaultMemory;
  std::vector<std::pair<uint64_t, uint64_t>> tries;  // (transfer, network buffer or 0)
  tries.reserve(3 * sizes.size());
  for (uint64_t t : sizes) tries.push_back({t, 0});
  for (uint64_t t : sizes) {
    if (opt.net_buffer > 0) {  // given: the floor is for that size
      tries.push_back({t, GivenNetBuffer(opt, t)});
      continue;
    }
    tries.push_back({t, MinNetBuffer(opt.shape)});
    tries.push_back({t, t});
  }
  // The floor first: it does not depend on the budget, and every plan reports it.
  uint64_t floor = UINT64_MAX;
  for (const auto& [t, net] : tries) {
    if (net == 0) continue;
    DiskOptions disk = RecordDiskOptions(opt);
    disk.transfer_size = t;
    uint64_t minimum = 0;
    (void)Plan(opt, disk, needs_for(disk, net), streams, &minimum);
    floor = std::min(floor, minimum);
  }
  for (const auto& [t, net] : tries) {
    DiskOptions disk = RecordDiskOptions(opt);
    disk.transfer_size = t;
    uint64_t minimum = 0;
    auto plan = Plan(opt, disk, needs_for(disk, net), streams, &minimum);
    if (!plan.ok()) continue;
    plan->floor_bytes = floor;
    if (t != sizes[0] || plan->net_buffer_bytes < t) {
      plan->notice = (plan->notice.empty() ? "" : plan->notice + "; ") + std::string(algo) + ": --memory " +
                     MibText(budget) + " over " + std::to_string(ranks) + " ranks: " + std::to_string(t) +
                     "-byte transfers" + (t != sizes[0] ? " (not " + std::to_string(sizes[0]) + ")" : "") + " and " +
                     std::to_string(plan->net_buffer_bytes) + "-byte network buffers" +
                     " (docs/scale.md#memory-per-rank)";
    }
    return plan;
  }
  return Status::Error("--memory " + MibText(budget) + " is too small for --algo " + algo + " over " +
                       std::to_string(ranks) + " ranks: it needs at least " + MibText(floor) +
                       " per rank (with the smallest buffers that fit)");
}

}  // namespace

size_t MergeStreamCap(size_t members, size_t sink_members, int ranks, uint64_t open_files) {
  // Each merged run: a file per member and its stream's ring (descriptors of the thread engine's
  // streams are fewer; the bound is for the larger). The sink the same, once.
  const uint64_t per_run = std::max<size_t>(members, 1) + 1;
  const uint64_t reserved =
      config::external::kReservedOpenFiles + uint64_t(std::max(ranks, 1)) + std::max<size_t>(sink_members, 1) + 1;
  const uint64_t free = open_files > reserved ? open_files - reserved : 0;
  return size_t(std::clamp<uint64_t>(free / per_run, 2, config::external::kMaxFanIn));
}

DiskOptions RecordDiskOptions(const SortOptions& opt) { return opt.disk.ForRecords(opt.shape).Effective(); }

Result<ExternalPlan> PlanTwopass(const SortOptions& opt, const SortInput& input, int ranks) {
  // What circulates in read & distribute (partly filled buffers, sends and receives, as in
  // onepass), but the reads have a pool of their own (twopass.cpp says why).
  // Receives in the pool besides the runs: the posted ones and those waiting for the receiver.
  // The partitioner's pool: a buffer filling per destination, sends in flight, and as many again
  // queued for slow peers. The reads' pool: reads in flight and two being routed.
  const size_t reads = opt.disk.Effective().queue_depth;
  const size_t receives = opt.exchange.posted_receives + 4;
  const size_t sends = 2 * size_t(ranks) + 2 * opt.exchange.max_sends_in_flight;
  const size_t window = WindowSlots(opt.transport, ranks);  // --transport rma's, allocated by MPI
  // A rank receives about its share of the data (the sample split's bound: 10 % above the mean).
  const uint64_t share = input.total * opt.shape.size / uint64_t(ranks) * 11 / 10;
  const uint64_t budget = opt.memory > 0 ? opt.memory : config::external::kDefaultMemory;
  auto plan = Fit(opt, ranks, "twopass", [&](const DiskOptions& disk, uint64_t chosen) {
    // Network buffers: the partitioner's and the receives (runs are made of the received ones).
    // They hold a quarter of the budget at most, so that their number, which grows with the
    // ranks, does not crowd out the runs: transfer-size buffers on a few ranks, smaller ones on
    // many (docs/scale.md#memory-per-rank).
    const uint64_t t = disk.transfer_size;
    const uint64_t net = chosen != 0          ? chosen
                         : opt.net_buffer > 0 ? GivenNetBuffer(opt, t)
                                              : NetBufferFor(opt.shape, budget / 4, sends + receives + window, t);
    Needs n;
    n.run_buffer = n.net_buffer = net;
    n.circulating = receives;
    n.other = MemPool::Bytes(net, sends) + MemPool::Bytes(t, reads + 2) + MemPool::Bytes(t, OutputBuffers(opt)) +
              window * net;
    n.data = share;
    return n;
  });
  if (plan.ok()) plan->send_buffers = sends;
  return plan;
}

Result<ExternalPlan> PlanThreepass(const SortOptions& opt, const SortInput& input, int ranks) {
  const uint64_t budget = opt.memory > 0 ? opt.memory : config::external::kDefaultMemory;
  const size_t net_buffers = ParallelMergeNetBuffers(RecordDiskOptions(opt), opt.exchange, opt.transport, ranks);
  return Fit(opt, ranks, "threepass", [&](const DiskOptions& disk, uint64_t chosen) {
    const uint64_t t = disk.transfer_size;
    // Run formation reads the disk only: reads in flight and the one being handed over.
    // The output's own pool (sort_output) lives through every phase.
    Needs n;
    n.run_buffer = t;
    n.circulating = disk.queue_depth + 2;
    n.other = MemPool::Bytes(t, OutputBuffers(opt));
    n.data = input.max_records * opt.shape.size;
    // The local merge keeps every kKeyIndexStride-th key of the work file for parallel selection
    // (a K-byte key per 1024 records: 98 MB for a terabyte of gensort's records per rank).
    n.merge_extra = ThreepassKeyIndexBytes(input.max_records, opt.shape);
    // The parallel merge's remote chunks: about 6 buffers per peer, within half the budget
    // (transfer-size chunks on a few ranks, smaller ones read through the page cache on many).
    uint64_t chunk = chosen != 0          ? chosen
                     : opt.net_buffer > 0 ? GivenNetBuffer(opt, t)
                                          : NetBufferFor(opt.shape, budget / 2, net_buffers, t, 64);
    const uint64_t block = opt.shape.Block();
    if (chunk >= block) chunk = chunk / block * block;  // direct reads
    n.last_phase =
        MemPool::Bytes(t, OutputBuffers(opt)) + ParallelMergeBytes(disk, opt.exchange, opt.transport, ranks, chunk);
    n.net_buffer = chunk;
    return n;
  });
}

OnepassPools PlanOnepass(const SortOptions& opt, const SortInput& input, int ranks) {
  OnepassPools p;
  const uint64_t t = p.transfer_size = RecordDiskOptions(opt).transfer_size;
  const uint64_t budget = opt.memory > 0 ? opt.memory : config::external::kDefaultMemory;
  const uint64_t record = opt.shape.size;
  const uint64_t mean_bytes = (input.total + uint64_t(ranks) - 1) / uint64_t(ranks) * record;
  // What this rank receives: a sample split stays within a few percent of the mean (the bound
  // is in partition/splitter.hpp); a uniform split of skewed keys can put anything anywhere, so
  // it gets twice the mean.
  const uint64_t need = opt.splitters == SplitterKind::kSample ? mean_bytes + mean_bytes / 4 : 2 * mean_bytes;
  p.receive_bytes = std::min(need, input.total * record);
  const bool held = opt.splitters == SplitterKind::kSample && ranks > 1;  // the input is read whole first
  p.disk_buffers = std::max<size_t>(opt.disk.Effective().queue_depth + 2, OutputBuffers(opt)) +
                   (held ? size_t((input.max_records * record + t - 1) / t) : 0);
  // Besides what it keeps: a buffer filling per destination and as many partly filled ones
  // received (each sender's last), sends and receives in flight, a few being handed over.
  const size_t circulating = 2 * size_t(ranks) + opt.exchange.max_sends_in_flight + opt.exchange.posted_receives + 6;
  const size_t window = WindowSlots(opt.transport, ranks);  // --transport rma's, allocated by MPI
  const uint64_t validation = opt.validate ? validate::ValidatePartitionBytes(opt.disk, opt.threads, opt.shape) : 0;
  auto net_buffers = [&](uint64_t b) { return size_t((p.receive_bytes + b - 1) / b) + circulating; };
  auto bytes = [&](uint64_t b) {
    const uint64_t pools = b == t ? MemPool::Bytes(t, p.disk_buffers + net_buffers(b))
                                  : MemPool::Bytes(t, p.disk_buffers) + MemPool::Bytes(b, net_buffers(b));
    return pools + window * b + RecordSorter::Bytes(p.receive_bytes / record) + validation;
  };
  // Network buffers: what circulates takes a quarter of the budget at most (the transfer size on
  // a few ranks, smaller ones on many); under a budget that is still too small, smaller ones yet,
  // down to the least (whose need is the floor).
  const uint64_t least = opt.net_buffer > 0 ? GivenNetBuffer(opt, t) : MinNetBuffer(opt.shape);
  uint64_t b = opt.net_buffer > 0 ? least : NetBufferFor(opt.shape, budget / 4, circulating + window, t);
  if (opt.memory > 0 && bytes(least) <= opt.memory) {
    while (bytes(b) > opt.memory && b > least) b = std::max(least, b / 2 / record * record);
  }
  p.net_buffer_bytes = b;
  p.net_buffers = net_buffers(b);
  p.bytes = bytes(b);
  p.floor_bytes = bytes(least);
  if (opt.net_buffer == 0 && b < t) {
    p.notice = "onepass: --memory " + MibText(budget) + " over " + std::to_string(ranks) +
               " ranks: " + std::to_string(b) + "-byte network buffers (docs/scale.md#memory-per-rank)";
  }
  return p;
}

uint64_t OnepassMemory(const SortOptions& opt, const SortInput& input, int ranks) {
  return PlanOnepass(opt, input, ranks).bytes;
}

std::string AutoAlgorithm(const SortOptions& opt, const SortInput& input, int ranks, uint64_t* onepass_need) {
  const uint64_t budget = opt.memory > 0 ? opt.memory : config::external::kDefaultMemory;
  *onepass_need = OnepassMemory(opt, input, ranks);
  return *onepass_need <= budget ? "onepass" : "twopass";
}

uint64_t ThreepassKeyIndexBytes(uint64_t records, const RecordShape& shape) {
  return (records / config::external::kKeyIndexStride + 1) * shape.key_size;
}

Status CheckOnepassBudget(const SortOptions& opt, const OnepassPools& pools) {
  if (opt.memory > 0 && pools.bytes > opt.memory) {
    return Status::Error("--memory " + MibText(opt.memory) +
                         " is too small for --algo onepass: this input needs at least " + MibText(pools.floor_bytes) +
                         " per rank; use --algo twopass or auto");
  }
  return Status::Ok();
}

Status CheckOnepassMemory(const SortOptions& opt, const SortInput& input, int ranks) {
  const OnepassPools pools = PlanOnepass(opt, input, ranks);
  const uint64_t need = pools.bytes;
  RS_RETURN_IF_ERROR(CheckOnepassBudget(opt, pools));
  // Without a budget onepass takes what the data needs, but its pools are sized by the transfer
  // size and depth too (buffers in flight): --transfer-size 1G mapped 38.6 GB per rank.
  if (const uint64_t machine = MemoryPerProcess(); need > machine) {
    return Status::Error("--algo onepass needs " + std::to_string((need >> 20) + 1) + " MiB per rank with " +
                         std::to_string(RecordDiskOptions(opt).transfer_size) +
                         "-byte buffers, more than this machine's " + MibText(machine) +
                         " per rank: lower --transfer-size or --queue-depth, or use --algo twopass");
  }
  return Status::Ok();
}

}  // namespace rs::sort
