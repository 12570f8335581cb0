// sort/external/run_merge.cpp — multi-level merging of sorted runs.
#include "sort/external/run_merge.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <tuple>

#include "core/checksum.hpp"
#include "core/config.hpp"
#include "io/file.hpp"
#include "io/mapping_cache.hpp"
#include "river/disk_sink.hpp"
#include "sort/external/range_source.hpp"

namespace rs::sort {
namespace {

// Merges `runs` (all of them) into *out.
Result<uint64_t> MergeOnce(const std::vector<SortedRun>& runs, const RunMergeOptions& opt, Sink* out,
                           const MergeObserver& observe) {
  std::vector<std::unique_ptr<RangeSource>> sources;
  std::vector<Source*> inputs;
  DiskOptions reads = opt.disk;
  if (opt.read_bytes > 0) reads.transfer_size = opt.read_bytes;
  for (const auto& r : runs) {
    auto s =
        RangeSource::Open(r.members, reads, opt.shape, config::external::kMergeReadsPerRun, 0, r.records, opt.notices);
    if (!s.ok()) return s.status();
    if (r.has_crc) (*s)->ExpectCrc(r.crc, "kept run " + r.members.front());
    inputs.push_back(s->get());
    sources.push_back(std::move(*s));
  }
  // Every buffer of the merge exists (its output pool was made before): what it did not take from
  // the mapping cache goes, so that it is not resident beside the merge (io/mapping_cache.hpp).
  mapping_cache::Trim();
  auto merged = MergeStreams(inputs, opt.out_pool, out, opt.shape, observe);
  if (!merged.ok() && opt.on_damaged) {
    for (size_t i = 0; i < runs.size(); ++i)
      if (sources[i]->damaged()) opt.on_damaged(runs[i]);
  }
  return merged;
}

}  // namespace

uint64_t RunMergeInputBytes(const DiskOptions& disk, size_t fan_in) {
  return fan_in * RangeSource::Bytes(disk, config::external::kMergeReadsPerRun);
}

size_t MergeGroupSize(size_t runs, size_t fan_in) {
  const size_t group = (runs - 1) % (fan_in - 1) + 1;
  return group == 1 ? fan_in : group;
}

MergeSchedule PlanMerges(uint64_t records, uint64_t run_records, size_t fan_in) {
  MergeSchedule plan;
  if (records == 0 || run_records == 0) return plan;
  fan_in = std::max<size_t>(fan_in, 2);
  // (records, order of creation, level), smallest first and, among equals, first made first: the
  // order MergeRuns' stable sort gives.
  using Run = std::tuple<uint64_t, uint64_t, int>;
  std::priority_queue<Run, std::vector<Run>, std::greater<>> runs;
  uint64_t made = 0;
  for (uint64_t left = records; left > 0; left -= std::min(left, run_records)) {
    runs.push({std::min(left, run_records), made++, 0});
  }
  plan.runs = made;
  while (runs.size() > fan_in) {
    const size_t group = MergeGroupSize(runs.size(), fan_in);
    uint64_t sum = 0;
    int level = 0;
    for (size_t i = 0; i < group; ++i) {
      sum += std::get<0>(runs.top());
      level = std::max(level, std::get<2>(runs.top()));
      runs.pop();
    }
    runs.push({sum, made++, level + 1});
    plan.intermediate_records += sum;
  }
  for (; !runs.empty(); runs.pop()) plan.levels = std::max(plan.levels, std::get<2>(runs.top()) + 1);
  return plan;
}

Result<RunMergeStats> MergeRuns(std::vector<SortedRun> runs, const RunMergeOptions& opt, Sink* out,
                                const MergeObserver& observe) {
  RunMergeStats stats;
  const size_t fan_in = std::max<size_t>(opt.fan_in, 2);
  Status st;
  while (runs.size() > fan_in && st.ok()) {
    // Merge the smallest runs first: records merged early are merged again later. The first
    // group is sized so that every later group is full ((n - 1) mod (fan_in - 1) rule).
    std::stable_sort(runs.begin(), runs.end(),
                     [](const SortedRun& a, const SortedRun& b) { return a.records < b.records; });
    const size_t group = MergeGroupSize(runs.size(), fan_in);
    std::vector<SortedRun> take(runs.begin(), runs.begin() + long(group));
    runs.erase(runs.begin(), runs.begin() + long(group));
    uint64_t records = 0;
    int level = 0;
    for (const auto& r : take) {
      records += r.records;
      level = std::max(level, r.level);
    }
    SortedRun merged{opt.temp->NewMembers("merge"), records, level + 1};
    auto sink = DiskSink::Create(merged.members, opt.disk, opt.out_pool, records * opt.shape.size, opt.notices,
                                 kPrivateFileMode);
    if (!sink.ok()) {
      st = sink.status();
    } else {
      uint32_t crc = 0;
      MergeObserver sum;
      if (opt.on_merged)
        sum = [&](const uint8_t* records, uint64_t n) { crc = Crc32(crc, records, n * opt.shape.size); };
      auto n = MergeOnce(take, opt, sink->get(), sum);
      if (n.ok()) {
        st = (*sink)->Close();
        if (st.ok() && opt.on_merged) st = opt.on_merged(merged, crc, take);
      } else {
        st = n.status();
        (*sink)->Abort();
      }
    }
    if (!opt.on_merged) {  // a resumable sort's on_merged dropped them; after an error they stay kept
      for (const auto& r : take) opt.temp->Remove(r.members);
    }
    runs.push_back(std::move(merged));
    ++stats.intermediate_runs;
  }
  if (st.ok()) {
    auto n = MergeOnce(runs, opt, out, observe);
    if (n.ok())
      stats.records = *n;
    else
      st = n.status();
  }
  if (!opt.on_merged) {
    for (const auto& r : runs) opt.temp->Remove(r.members);
  }
  if (!st.ok()) return st;
  for (const auto& r : runs) stats.levels = std::max(stats.levels, r.level + 1);
  return stats;
}

}  // namespace rs::sort
