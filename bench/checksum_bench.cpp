// bench/checksum_bench.cpp — micro-benchmark of the CRC-32 codes riversort uses (core/checksum.hpp):
// rs::Crc32 (ISA-L) against libdeflate's crc32 on the same bytes, per 100-byte record (what
// RecordCrc and the validator sum), per 6,400-byte block in L1 (what the run former's gather sums,
// sort/incore/record_sorter.cpp) and per 2 MiB buffer (a run's write buffer). Both must give the
// same values: each case checks that first (an error line if not), then reports bytes per second
// (Google Benchmark's G/s: 2^30 bytes) as the median of 5 repetitions (docs/machine.md#checksums).
#include <benchmark/benchmark.h>
#include <libdeflate.h>

#include <cstdint>
#include <random>
#include <vector>

#include "core/checksum.hpp"

namespace {

// 4 MiB of random bytes, walked block by block (the small blocks stay in L1 and L2 by reuse).
const std::vector<uint8_t>& Bytes() {
  static const std::vector<uint8_t> bytes = [] {
    std::vector<uint8_t> b(size_t(4) << 20);
    std::mt19937_64 rng(42);
    for (auto& x : b) x = uint8_t(rng());
    return b;
  }();
  return bytes;
}

uint32_t Deflate(uint32_t crc, const uint8_t* p, size_t n) { return libdeflate_crc32(crc, p, n); }
uint32_t Ours(uint32_t crc, const uint8_t* p, size_t n) { return rs::Crc32(crc, p, n); }

// Sums `per_iteration` bytes in blocks of `block` bytes, chaining the CRC as a stream.
template <uint32_t (*Crc)(uint32_t, const uint8_t*, size_t)>
void BM_Crc(benchmark::State& state) {
  const size_t block = size_t(state.range(0));
  const auto& b = Bytes();
  const size_t span = block <= 6400 ? block * 8 : b.size();  // small blocks: an L1/L2-sized walk
  constexpr size_t kPerIteration = size_t(64) << 20;
  // Same values as the other library over the walk, or there is nothing to compare.
  uint32_t ours = 0, theirs = 0;
  for (size_t at = 0; at + block <= span; at += block) {
    ours = rs::Crc32(ours, b.data() + at, block);
    theirs = libdeflate_crc32(theirs, b.data() + at, block);
  }
  if (ours != theirs) {
    state.SkipWithError("rs::Crc32 and libdeflate_crc32 differ");
    return;
  }
  uint32_t crc = 0;
  for (auto _ : state) {
    for (size_t done = 0, at = 0; done < kPerIteration; done += block, at = (at + block) % (span / block * block))
      crc = Crc(crc, b.data() + at, block);
    benchmark::DoNotOptimize(crc);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(kPerIteration));
}

BENCHMARK(BM_Crc<Deflate>)->Arg(100)->Arg(6400)->Arg(2 << 20)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_Crc<Ours>)->Arg(100)->Arg(6400)->Arg(2 << 20)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();
