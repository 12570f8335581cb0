// sort/external/run_merge.cpp — multi-level merging of sorted runs.
#include "sort/external/run_merge.hpp"

#include <algorithm>

#include "core/config.hpp"
#include "core/record.hpp"
#include "io/file.hpp"
#include "river/disk_sink.hpp"
#include "sort/external/range_source.hpp"

namespace rs::sort {
namespace {

// Merges `runs` (all of them) into *out.
Result<uint64_t> MergeOnce(const std::vector<SortedRun>& runs, const RunMergeOptions& opt, Sink* out,
                           const MergeObserver& observe) {
  std::vector<std::unique_ptr<RangeSource>> sources;
  std::vector<Source*> inputs;
  for (const auto& r : runs) {
    auto s = RangeSource::Open(r.members, opt.disk, config::external::kMergeReadsPerRun, 0, r.records, opt.notices);
    if (!s.ok()) return s.status();
    inputs.push_back(s->get());
    sources.push_back(std::move(*s));
  }
  return MergeStreams(inputs, opt.out_pool, out, observe);
}

}  // namespace

uint64_t RunMergeInputBytes(const DiskOptions& disk, size_t fan_in) {
  return fan_in * RangeSource::Bytes(disk, config::external::kMergeReadsPerRun);
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
    size_t group = (runs.size() - 1) % (fan_in - 1) + 1;
    if (group == 1) group = fan_in;
    std::vector<SortedRun> take(runs.begin(), runs.begin() + long(group));
    runs.erase(runs.begin(), runs.begin() + long(group));
    uint64_t records = 0;
    int level = 0;
    for (const auto& r : take) {
      records += r.records;
      level = std::max(level, r.level);
    }
    SortedRun merged{opt.temp->NewMembers("merge"), records, level + 1};
    auto sink =
        DiskSink::Create(merged.members, opt.disk, opt.out_pool, records * kRecordSize, opt.notices, kPrivateFileMode);
    if (!sink.ok()) {
      st = sink.status();
    } else {
      auto n = MergeOnce(take, opt, sink->get(), {});
      if (n.ok()) {
        st = (*sink)->Close();
      } else {
        st = n.status();
        (*sink)->Abort();
      }
    }
    for (const auto& r : take) opt.temp->Remove(r.members);
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
  for (const auto& r : runs) opt.temp->Remove(r.members);
  if (!st.ok()) return st;
  for (const auto& r : runs) stats.levels = std::max(stats.levels, r.level + 1);
  return stats;
}

}  // namespace rs::sort
