// sort/memory_plan.cpp — the budget arithmetic of the sorts.
#include "sort/memory_plan.hpp"

#include <algorithm>
#include <cmath>

#include "core/config.hpp"
#include "core/record.hpp"
#include "sort/onepass.hpp"
#include "sort/parallel_merge.hpp"
#include "sort/run_former.hpp"
#include "sort/run_merge.hpp"

namespace rs::sort {
namespace {

std::string Mib(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

size_t OutputBuffers(const SortOptions& opt) { return opt.disk.Effective().queue_depth + 2; }

// Sizes runs and the fan-in from the budget. In run formation, `circulating` buffers of the
// pool move besides the two runs, and `other` buffers live in pools of their own; `last_phase`
// bytes are what the final phase needs; `data` bytes per rank become runs.
Result<ExternalPlan> Plan(const SortOptions& opt, size_t circulating, size_t other, uint64_t last_phase,
                          uint64_t data, const char* algo) {
  ExternalPlan p;
  p.budget = opt.memory > 0 ? opt.memory : config::external::kDefaultMemory;
  const DiskOptions disk = RecordDiskOptions(opt);
  const uint64_t t = p.buffer_bytes = disk.transfer_size;
  const uint64_t per_buf = t / kRecordSize;
  // Run formation: 2 runs of b buffers + circulating buffers + the sorter and write buffers of one run.
  const uint64_t fixed = (circulating + other) * t + RunFormer::OverheadBytes(disk, 0);
  const uint64_t per_run_buffer = 2 * t + RunFormer::OverheadBytes(disk, per_buf) - RunFormer::OverheadBytes(disk, 0);
  // Merges: the output's buffers and at least two double-buffered runs.
  const uint64_t out = (uint64_t(disk.queue_depth) + 2) * t;
  const uint64_t minimum = std::max({fixed + per_run_buffer, out + RunMergeInputBytes(disk, 2), last_phase});
  if (p.budget < minimum) {
    return Status::Error("--memory " + Mib(p.budget) + " is too small for --algo " + algo + " with " +
                         std::to_string(t) + "-byte buffers: it needs at least " + Mib(minimum) +
                         " per rank (or a smaller --transfer-size)");
  }
  p.fan_in = size_t(std::min<uint64_t>(config::external::kMaxFanIn, (p.budget - out) / RunMergeInputBytes(disk, 1)));
  if (opt.fan_in >= 2) p.fan_in = std::min(p.fan_in, opt.fan_in);
  // Runs no larger than they need to be: the memory a sort touches first costs far more than
  // memory it reuses (MACHINE.md: 1-3 s/GiB on this VM), and the sort touches about two runs in
  // run formation plus 3 buffers per run in the merge, 2R + 3t·data/R, least at R = sqrt(1.5·data·t)
  // (docs/external.md has the measurements). But never so small that the runs exceed the fan-in
  // (a second merge level rereads everything), and never more than the budget allows.
  const double best = std::sqrt(1.5 * double(data) * double(t));
  const uint64_t one_level = data / std::max<size_t>(p.fan_in - 1, 1);
  const uint64_t wanted = std::max<uint64_t>(uint64_t(best), one_level) / t + 1;
  p.run_buffers = size_t(std::min<uint64_t>((p.budget - fixed) / per_run_buffer, wanted));
  p.run_records = p.run_buffers * per_buf;
  p.pool_buffers = 2 * p.run_buffers + circulating;
  return p;
}

}  // namespace

DiskOptions RecordDiskOptions(const SortOptions& opt) {
  DiskOptions d = opt.disk.Effective();
  d.transfer_size = opt.disk.record_transfer_size();
  return d;
}

Result<ExternalPlan> PlanTwopass(const SortOptions& opt, const SortInput& input, int ranks) {
  // What circulates in read & distribute (partly filled buffers, sends and receives, as in
  // onepass), but the reads have a pool of their own (twopass.cpp says why).
  // Receives in the pool besides the runs: the posted ones and those waiting for the receiver.
  // The partitioner's pool: a buffer filling per destination, sends in flight, and as many again
  // queued for slow peers. The reads' pool: reads in flight and two being routed.
  const size_t reads = opt.disk.Effective().queue_depth;
  const size_t receives = opt.exchange.posted_receives + 4;
  const size_t sends = 2 * size_t(ranks) + 2 * opt.exchange.max_sends_in_flight;
  // A rank receives about its share of the data (the sample split's bound: 10 % above the mean).
  const uint64_t share = input.total * kRecordSize / uint64_t(ranks) * 11 / 10;
  // The output's own pool (sort_output) lives through every phase.
  auto plan = Plan(opt, receives, sends + reads + 2 + OutputBuffers(opt), 0, share, "twopass");
  if (plan.ok()) plan->send_buffers = sends;
  return plan;
}

Result<ExternalPlan> PlanThreepass(const SortOptions& opt, const SortInput& input, int ranks) {
  const DiskOptions disk = RecordDiskOptions(opt);
  // Run formation reads the disk only: reads in flight and the one being handed over.
  // The output's own pool (sort_output) lives through every phase.
  const uint64_t out = OutputBuffers(opt) * disk.transfer_size;
  return Plan(opt, disk.queue_depth + 2, OutputBuffers(opt), out + ParallelMergeBytes(disk, opt.exchange, ranks),
              input.max_records * kRecordSize, "threepass");
}

uint64_t OnepassMemory(const SortOptions& opt, const SortInput& input, int ranks) {
  const DiskOptions disk = RecordDiskOptions(opt);
  const uint64_t t = disk.transfer_size;
  const uint64_t receive = OnepassReceiveBytes(opt, input.total, ranks);
  const bool held = opt.splitters == SplitterKind::kSample && ranks > 1;  // the input is read whole first
  const uint64_t buffers = (receive + t - 1) / t + OnepassCirculatingBuffers(opt, ranks) +
                           (held ? (input.max_records * kRecordSize + t - 1) / t : 0);
  return buffers * t + receive / kRecordSize * 2 * sizeof(SortEntry);
}

}  // namespace rs::sort
