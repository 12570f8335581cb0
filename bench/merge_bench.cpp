// bench/merge_bench.cpp — micro-benchmark of the k-way merge (sort/external/stream_merger.hpp) as
// twopass's merge runs it: K sorted runs of uniform gensort keys, read in buffers of B bytes,
// merged into 1 MiB output buffers, one thread (issue 15 deliverable 6: core-seconds per GB).
// The sources hand over buffers filled with non-temporal stores, as O_DIRECT reads fill them by
// DMA: the records are in memory, not in the caches, when the merge first touches them. A
// "drain" case times the sources alone (the copy that stands in for the disk), so the merge's
// own cost is the difference: the merge cases' ns per record include that copy. One RESULT line per
// case: the median ns per record over the timed iterations and the verdict of the validator (count,
// order and checksum) on the first, untimed iteration's merged output ("n/a" for the drain, which
// merges nothing). Each iteration makes its sources' pools anew; their pages come from the mapping
// cache after the first (io/mapping_cache.hpp), for the drain as for the merges. The timed sink
// drops what it is given, so the output pool's buffers stay in the L3 between uses, unlike a sort's,
// which the disk takes.
#include <benchmark/benchmark.h>

// The sources fill their buffers with SSE2 non-temporal stores where the CPU has them (every
// x86-64); elsewhere with plain copies, which leave the records in the cache (a kinder bench).
#if defined(__SSE2__)
#include <emmintrin.h>
#define RS_BENCH_STREAM 1
#else
#define RS_BENCH_STREAM 0
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/record.hpp"
#include "gen/record_generator.hpp"
#include "io/aligned_buffer.hpp"
#include "river/mem_pool.hpp"
#include "river/sink.hpp"
#include "river/source.hpp"
#include "sort/external/stream_merger.hpp"
#include "sort/incore/record_sorter.hpp"
#include "validate/record_validator.hpp"

namespace {

constexpr uint64_t kRecords = 4'000'000;  // 400 MB: far beyond the caches
constexpr size_t kOutBuffer = size_t(1) << 20;

template <typename T>
T Must(rs::Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "merge_bench: %s\n", r.status().message().c_str());
    std::exit(1);
  }
  return std::move(r.value());
}

// kRecords gensort records cut into `runs` sorted runs (each sorted on its own), made once per
// run count.
struct Runs {
  rs::AlignedBuffer bytes;
  std::vector<uint64_t> begin;  // record index of each run's start, and the end
  rs::Checksum128 checksum;
};

const Runs& RunsFor(uint64_t runs) {
  static std::map<uint64_t, Runs> made;
  auto it = made.find(runs);
  if (it != made.end()) return it->second;
  Runs r;
  r.bytes = Must(rs::AlignedBuffer::Allocate(kRecords * rs::kRecordSize));
  rs::AlignedBuffer raw = Must(rs::AlignedBuffer::Allocate(kRecords * rs::kRecordSize));
  r.checksum = rs::gen::GenerateRecords(rs::gen::GenMode{false, false}, 0, kRecords, raw.data());
  auto sorter = Must(rs::sort::RecordSorter::Create(kRecords / runs + 1, rs::RecordShape{}));
  for (uint64_t i = 0; i <= runs; ++i) r.begin.push_back(kRecords * i / runs);
  for (uint64_t i = 0; i < runs; ++i) {
    const uint64_t n = r.begin[i + 1] - r.begin[i];
    const rs::sort::RecordSpan span{raw.data() + r.begin[i] * rs::kRecordSize, n};
    if (rs::Status st = sorter->Sort({&span, 1}, r.bytes.data() + r.begin[i] * rs::kRecordSize); !st.ok()) {
      std::fprintf(stderr, "merge_bench: %s\n", st.message().c_str());
      std::exit(1);
    }
  }
  return made.emplace(runs, std::move(r)).first->second;
}

// Copies with non-temporal stores: the destination ends up in memory, not in the caches.
void StreamCopy(uint8_t* to, const uint8_t* from, size_t n) {
  size_t i = 0;
#if RS_BENCH_STREAM
  for (; i + 16 <= n; i += 16) {
    _mm_stream_si128(reinterpret_cast<__m128i*>(to + i), _mm_loadu_si128(reinterpret_cast<const __m128i*>(from + i)));
  }
  _mm_sfence();
#endif
  std::memcpy(to + i, from + i, n - i);
}

// One run, handed over in buffers of whole records from a pool of `depth` buffers.
class RunSource final : public rs::Source {
 public:
  RunSource(const uint8_t* records, uint64_t count, size_t buffer_bytes, size_t depth)
      : at_(records),
        end_(records + count * rs::kRecordSize),
        per_(buffer_bytes / rs::kRecordSize * rs::kRecordSize),
        pool_(Must(rs::MemPool::Create(per_, depth))) {}
  std::optional<rs::Buffer> Get() override {
    if (at_ == end_) return std::nullopt;
    rs::Buffer b = pool_->Get();
    const size_t n = std::min<size_t>(per_, size_t(end_ - at_));
    StreamCopy(b.data(), at_, n);
    b.set_size(n);
    at_ += n;
    return b;
  }
  rs::Status status() const override { return rs::Status::Ok(); }

 private:
  const uint8_t* at_;
  const uint8_t* end_;
  size_t per_;
  std::unique_ptr<rs::MemPool> pool_;
};

// Keeps what it is given in one output area (merged order), returning each buffer at once.
class AreaSink final : public rs::Sink {
 public:
  explicit AreaSink(uint8_t* area) : at_(area) {}
  void Put(rs::Buffer b) override {
    if (keep_) std::memcpy(at_, b.data(), b.size());
    at_ += b.size();
  }
  rs::Status Close() override { return rs::Status::Ok(); }
  void keep(bool k) { keep_ = k; }

 private:
  uint8_t* at_;
  bool keep_ = true;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.empty() ? 0 : v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

struct CaseResult {
  std::vector<double> ns_per_record;
  std::string verdict = "UNCHECKED";  // set by the first iteration
};
std::map<std::string, CaseResult>& Results() {
  static std::map<std::string, CaseResult> results;
  return results;
}

// Args: runs, read buffer bytes, drain only (0/1).
void BM_Merge(benchmark::State& state) {
  const uint64_t runs = uint64_t(state.range(0));
  const size_t read_bytes = size_t(state.range(1));
  const bool drain = state.range(2) != 0;
  const Runs& in = RunsFor(runs);
  static rs::AlignedBuffer out = Must(rs::AlignedBuffer::Allocate(kRecords * rs::kRecordSize));
  auto out_pool = Must(rs::MemPool::Create(kOutBuffer, 4));
  CaseResult& r = Results()["case=" + std::string(drain ? "drain" : "merge") + " runs=" + std::to_string(runs) +
                            " read_bytes=" + std::to_string(read_bytes)];
  bool first = true;
  for (auto _ : state) {
    std::vector<std::unique_ptr<RunSource>> sources;
    std::vector<rs::Source*> inputs;
    for (uint64_t i = 0; i < runs; ++i) {
      sources.push_back(std::make_unique<RunSource>(in.bytes.data() + in.begin[i] * rs::kRecordSize,
                                                    in.begin[i + 1] - in.begin[i], read_bytes, 2));
      inputs.push_back(sources.back().get());
    }
    AreaSink sink(out.data());
    sink.keep(first);  // the first iteration's output is validated; the copy is not timed after
    const auto t0 = std::chrono::steady_clock::now();
    uint64_t merged = 0;
    if (drain) {
      for (rs::Source* s : inputs) {
        while (auto b = s->Get()) merged += b->size() / rs::kRecordSize;
      }
    } else {
      auto m = rs::sort::MergeStreams(inputs, out_pool.get(), &sink, rs::RecordShape{});
      if (!m.ok()) {
        r.verdict = "FAILURE";
        state.SkipWithError(m.status().message().c_str());
        return;
      }
      merged = *m;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!first) r.ns_per_record.push_back(1e9 * s / double(kRecords));
    if (first && drain) r.verdict = merged == kRecords ? "n/a" : "FAILURE";
    if (first && !drain) {
      const rs::validate::Summary v = rs::validate::ValidateRecords(out.data(), kRecords, rs::RecordShape{});
      const bool ok = merged == kRecords && v.unordered == 0 && v.records == kRecords && v.checksum == in.checksum;
      r.verdict = ok ? "SUCCESS" : "FAILURE";
    }
    first = false;
  }
  state.counters["ns_per_record"] = Median(r.ns_per_record);
}

}  // namespace

// 42 runs of 1.5 MB reads: twopass at 4 GB over 2 ranks with --memory 256M; 8 and 128 bracket it.
BENCHMARK(BM_Merge)
    ->Args({8, 1536000, 0})
    ->Args({42, 1536000, 0})
    ->Args({128, 512000, 0})
    ->Args({42, 1536000, 1})
    ->Iterations(6)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const auto& [name, r] : Results()) {
    std::printf("RESULT %s ns_per_record=%.2f verdict=%s\n", name.c_str(), Median(r.ns_per_record), r.verdict.c_str());
  }
  return 0;
}
