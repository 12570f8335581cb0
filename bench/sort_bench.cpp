// bench/sort_bench.cpp — micro-benchmark of the in-core record sort (sort/incore/record_sorter.hpp):
// 1 M and 5 M gensort records (binary uniform and -s skewed) on 1 and 2 TBB threads, reporting
// records/s and the build/sort/gather split, next to a parallel memcpy of the same bytes; and
// two sorters of 5 M records at once, one thread each, as two ranks on this 2-core machine.
// Every timed Sort reuses memory a warm-up Sort already touched (first touch is excluded).
// At the end one RESULT line per case gives medians over the timed iterations and the
// validator's verdict (order and checksum of the output).
#include <benchmark/benchmark.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/checksum.hpp"
#include "core/record.hpp"
#include "gen/record_generator.hpp"
#include "io/aligned_buffer.hpp"
#include "sort/incore/record_sorter.hpp"
#include "validate/record_validator.hpp"

namespace {

constexpr uint64_t kMaxRecords = 5'000'000;
constexpr uint64_t kSmallRecords = 1'000'000;

// The value, or exit with the reason (a benchmark without its memory has nothing to measure).
template <typename T>
T Must(rs::Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "sort_bench: %s\n", r.status().message().c_str());
    std::exit(1);
  }
  return std::move(r.value());
}

// Records 0 .. 10 M - 1 of one mode, generated once: the 1 M and 5 M cases sort the first 1 M
// or 5 M; the two-sorter case sorts [0, 5 M) and [5 M, 10 M).
struct Input {
  rs::AlignedBuffer bytes;
  rs::Checksum128 checksum_small, checksum_first, checksum_second;  // [0,1M) [0,5M) [5M,10M)
  const uint8_t* half(int h) const { return bytes.data() + h * kMaxRecords * rs::kRecordSize; }
};

Input& InputFor(bool skew) {
  static std::map<bool, Input> inputs;
  auto it = inputs.find(skew);
  if (it != inputs.end()) return it->second;
  Input in;
  in.bytes = Must(rs::AlignedBuffer::Allocate(2 * kMaxRecords * rs::kRecordSize));
  const rs::gen::GenMode mode{false, skew};
  in.checksum_small = rs::gen::GenerateRecords(mode, 0, kSmallRecords, in.bytes.data());
  in.checksum_first = in.checksum_small;
  in.checksum_first += rs::gen::GenerateRecords(mode, kSmallRecords, kMaxRecords - kSmallRecords,
                                                in.bytes.data() + kSmallRecords * rs::kRecordSize);
  in.checksum_second =
      rs::gen::GenerateRecords(mode, kMaxRecords, kMaxRecords, in.bytes.data() + kMaxRecords * rs::kRecordSize);
  return inputs.emplace(skew, std::move(in)).first->second;
}

// Two sorters and two outputs, allocated once and reused by every case.
rs::sort::RecordSorter& Sorter(int i) {
  static std::unique_ptr<rs::sort::RecordSorter> sorters[2] = {
      Must(rs::sort::RecordSorter::Create(kMaxRecords, rs::RecordShape{})),
      Must(rs::sort::RecordSorter::Create(kMaxRecords, rs::RecordShape{}))};
  return *sorters[i];
}

uint8_t* Output(int i) {
  static rs::AlignedBuffer outs[2] = {Must(rs::AlignedBuffer::Allocate(kMaxRecords * rs::kRecordSize)),
                                      Must(rs::AlignedBuffer::Allocate(kMaxRecords * rs::kRecordSize))};
  return outs[i].data();
}

bool Valid(const uint8_t* out, uint64_t n, rs::Checksum128 want) {
  const rs::validate::Summary s = rs::validate::ValidateRecords(out, n, rs::RecordShape{});
  return s.unordered == 0 && s.records == n && s.checksum == want;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

struct CaseResult {
  std::vector<double> total, build, sort, gather;
  std::string verdict;
};
std::map<std::string, CaseResult>& Results() {
  static std::map<std::string, CaseResult> results;
  return results;
}

std::string CaseName(const char* what, uint64_t n, bool skew, int threads) {
  std::string s = "case=";
  s += what;
  s += " records=";
  s += std::to_string(n);
  s += skew ? " mode=skew" : " mode=uniform";
  s += " threads=";
  s += std::to_string(threads);
  return s;
}

// Args: records, skew (0/1), threads.
void BM_RecordSort(benchmark::State& state) {
  const uint64_t n = uint64_t(state.range(0));
  const bool skew = state.range(1) != 0;
  const int threads = int(state.range(2));
  Input& in = InputFor(skew);
  rs::sort::RecordSorter& sorter = Sorter(0);
  uint8_t* out = Output(0);
  const rs::sort::RecordSpan span{in.bytes.data(), n};
  tbb::task_arena arena(threads);
  rs::Status st;
  arena.execute([&] { st = sorter.Sort({&span, 1}, out); });  // warm-up: touches all memory
  if (!st.ok()) {
    state.SkipWithError(st.message().c_str());
    return;
  }
  CaseResult& r = Results()[CaseName("record_sort", n, skew, threads)];
  for (auto _ : state) {
    arena.execute([&] { st = sorter.Sort({&span, 1}, out); });
    const auto t = sorter.last_timings();
    r.build.push_back(t.build_s);
    r.sort.push_back(t.sort_s);
    r.gather.push_back(t.gather_s);
    r.total.push_back(t.build_s + t.sort_s + t.gather_s);
  }
  const rs::Checksum128 want = n == kMaxRecords ? in.checksum_first : in.checksum_small;
  r.verdict = st.ok() && Valid(out, n, want) ? "SUCCESS" : "FAILURE";
  state.counters["records_per_s"] = benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["build_ms"] = 1e3 * Median(r.build);
  state.counters["sort_ms"] = 1e3 * Median(r.sort);
  state.counters["gather_ms"] = 1e3 * Median(r.gather);
}

// The bandwidth reference for the gather: a parallel memcpy of the same bytes, in order.
void BM_Memcpy(benchmark::State& state) {
  const uint64_t n = uint64_t(state.range(0));
  const int threads = int(state.range(2));
  const uint8_t* src = InputFor(false).bytes.data();
  uint8_t* out = Output(0);
  tbb::task_arena arena(threads);
  auto copy = [&] {
    tbb::parallel_for(
        tbb::blocked_range<uint64_t>(0, n * rs::kRecordSize, uint64_t(8) << 20),
        [&](const tbb::blocked_range<uint64_t>& r) { std::memcpy(out + r.begin(), src + r.begin(), r.size()); });
  };
  arena.execute(copy);
  CaseResult& r = Results()[CaseName("memcpy", n, false, threads)];
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    arena.execute(copy);
    r.total.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  r.verdict = std::memcmp(out, src, n * rs::kRecordSize) == 0 ? "SUCCESS" : "FAILURE";
  state.counters["records_per_s"] = benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
}

// Two sorters at once, one thread each, 5 M records each: two ranks sharing this machine's
// memory bandwidth. Reports the aggregate records/s and each phase's median over both sorters.
// Args: records per sorter, skew (0/1).
void BM_TwoSorters(benchmark::State& state) {
  const uint64_t n = uint64_t(state.range(0));
  const bool skew = state.range(1) != 0;
  Input& in = InputFor(skew);
  rs::Status st[2];
  tbb::task_arena arenas[2] = {tbb::task_arena(1), tbb::task_arena(1)};
  auto sort_both = [&] {
    auto one = [&](int i) {
      const rs::sort::RecordSpan span{in.half(i), n};
      arenas[i].execute([&] { st[i] = Sorter(i).Sort({&span, 1}, Output(i)); });
    };
    std::thread second(one, 1);
    one(0);
    second.join();
  };
  sort_both();  // warm-up
  CaseResult& r = Results()[CaseName("two_sorters", n, skew, 2)];
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    sort_both();
    r.total.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    for (int i = 0; i < 2; ++i) {
      const auto t = Sorter(i).last_timings();
      r.build.push_back(t.build_s);
      r.sort.push_back(t.sort_s);
      r.gather.push_back(t.gather_s);
    }
  }
  const bool ok =
      st[0].ok() && st[1].ok() && Valid(Output(0), n, in.checksum_first) && Valid(Output(1), n, in.checksum_second);
  r.verdict = ok ? "SUCCESS" : "FAILURE";
  state.counters["records_per_s"] = benchmark::Counter(2.0 * double(n), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["build_ms"] = 1e3 * Median(r.build);
  state.counters["sort_ms"] = 1e3 * Median(r.sort);
  state.counters["gather_ms"] = 1e3 * Median(r.gather);
}

void Cases(benchmark::internal::Benchmark* b) {
  for (int64_t n : {1'000'000, 5'000'000}) {
    for (int64_t skew : {0, 1}) {
      for (int64_t threads : {1, 2}) b->Args({n, skew, threads});
    }
  }
}

BENCHMARK(BM_RecordSort)->Apply(Cases)->Iterations(7)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TwoSorters)
    ->Args({int64_t(kMaxRecords), 0})
    ->Args({int64_t(kMaxRecords), 1})
    ->Iterations(7)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Memcpy)
    ->Args({5'000'000, 0, 1})
    ->Args({5'000'000, 0, 2})
    ->Iterations(7)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  // One line per case: medians over every timed iteration (all repetitions). Two-sorter cases
  // count both sorters' records; their phase medians are per sorter.
  for (const auto& [name, r] : Results()) {
    const double total = Median(r.total);
    const uint64_t n =
        std::stoull(name.substr(name.find("records=") + 8)) * (name.find("two_sorters") != std::string::npos ? 2 : 1);
    std::printf(
        "RESULT bench=sort_bench %s iterations=%zu median_ms=%.2f records_per_s=%.3e build_ms=%.2f "
        "sort_ms=%.2f gather_ms=%.2f valid=%s\n",
        name.c_str(), r.total.size(), 1e3 * total, total > 0 ? double(n) / total : 0.0, 1e3 * Median(r.build),
        1e3 * Median(r.sort), 1e3 * Median(r.gather), r.verdict.c_str());
  }
  return 0;
}
