// bench/sample_bench.cpp — what the sample splitter costs and what it buys, for a partition held in
// memory (onepass; docs/partition.md#a-larger-sample-from-memory). P ranks as P threads of one
// process (core/loopback_comm.hpp), each holding RECORDS random records of the shape in 2 MiB
// buffers, sampled as onepass samples them (each buffer its share, partition::SampleRecords), then
// partition::MakeSampleSplitter. For each total sample size (the bound's DefaultSampleSize times
// each --factors entry, and InMemorySampleSize as "mem"), over --seeds data sets:
//   * the cost: rank 0's seconds to draw its sample and to make the splitter, as µs per sample of
//     its share (the median over the data sets; the draws are alike on every rank);
//   * what it buys: the achieved max/mean of records per part (every record routed and counted),
//     its mean over the data sets, against the model E[max/mean − 1] ≈ g(P)/√(s/P) (g(P) the
//     expected largest of P standard normals).
// Prints one line per sample size and one RESULT line per size. Timings of P > cores threads
// share the cores: measure costs at P <= the cores, imbalances at any P.
// Usage: sample_bench [--record-size R] [--key-size K] [--parts P] [--records N per rank]
//                     [--seeds S] [--factors 1,2,4,8]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_args.hpp"
#include "core/comm.hpp"
#include "core/loopback_comm.hpp"
#include "core/record_shape.hpp"
#include "partition/splitter.hpp"

namespace {

using namespace rs;

constexpr uint64_t kBufferBytes = uint64_t(2) << 20;  // onepass's transfer size, its held buffers

std::vector<uint64_t> Factors(int argc, char** argv) {
  const std::string list = bench::TextArg(argc, argv, "--factors", "1,2,4,8");
  std::vector<uint64_t> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::strtoull(item.c_str(), nullptr, 10));
  return out;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  RecordShape shape;
  shape.size = uint32_t(bench::Arg(argc, argv, "--record-size", 100));
  shape.key_size = uint32_t(bench::Arg(argc, argv, "--key-size", 10));
  const int parts = int(bench::Arg(argc, argv, "--parts", 2));
  const uint64_t per_rank = bench::Arg(argc, argv, "--records", 1000000);
  const uint64_t seeds = std::max<uint64_t>(1, bench::Arg(argc, argv, "--seeds", 10));
  if (!shape.Check().ok() || parts < 2 || parts > 4096 || per_rank == 0) {
    std::fprintf(stderr, "sample_bench: bad shape, parts (2..4096) or records\n");
    return 2;
  }
  const uint64_t total = per_rank * uint64_t(parts);
  const uint64_t per_buffer = kBufferBytes / shape.size;
  const uint64_t bound = partition::DefaultSampleSize(parts, total);
  std::vector<std::pair<std::string, uint64_t>> sizes;
  for (uint64_t f : Factors(argc, argv)) sizes.emplace_back(std::to_string(f) + "x", std::min(total, bound * f));
  sizes.emplace_back("mem", partition::InMemorySampleSize(parts, total, shape.size));

  // Normal order statistics for the model: E[max of P standard normals], by simulation.
  std::mt19937_64 model_rng(7);
  std::normal_distribution<double> normal;
  double g = 0;
  for (int t = 0; t < 20000; ++t) {
    double m = -1e9;
    for (int j = 0; j < parts; ++j) m = std::max(m, normal(model_rng));
    g += m / 20000;
  }
  std::printf("# sample_bench: P = %d, %llu records of %u/%u/0 per rank, %llu data sets; bound's sample %llu\n", parts,
              static_cast<unsigned long long>(per_rank), shape.size, shape.key_size,
              static_cast<unsigned long long>(seeds), static_cast<unsigned long long>(bound));

  for (const auto& size : sizes) {
    const std::string& label = size.first;
    const uint64_t sample_total = size.second;  // a plain variable: lambdas capture it
    std::vector<double> draw_us, split_us, excess;
    for (uint64_t seed = 0; seed < seeds; ++seed) {
      std::mutex mu;
      std::vector<uint64_t> counts(size_t(parts), 0);
      double draw_s = 0, split_s = 0;
      uint64_t share0 = 0;
      LoopbackGroup(parts).Run([&](Comm& comm) {
        const int rank = comm.rank();
        // This rank's records: random keys (the rest of each record zero), in 2 MiB buffers.
        std::vector<std::vector<uint8_t>> held;
        std::mt19937_64 rng(seed * 1000003 + uint64_t(rank));
        for (uint64_t first = 0; first < per_rank; first += per_buffer) {
          const uint64_t n = std::min(per_buffer, per_rank - first);
          held.emplace_back(n * shape.size, 0);
          for (uint64_t i = 0; i < n; ++i) {
            uint8_t* key = held.back().data() + i * shape.size + shape.key_offset;
            for (uint32_t b = 0; b < shape.key_size; b += 8) {
              const uint64_t v = rng();
              std::memcpy(key + b, &v, std::min<uint32_t>(8, shape.key_size - b));
            }
          }
        }
        comm.AllGather("");  // a barrier: the timings start together
        // As onepass draws it (sort/algorithms/onepass.cpp): each buffer its share.
        const auto t0 = std::chrono::steady_clock::now();
        const uint64_t share = partition::RankSampleSize(sample_total, total, per_rank);
        std::vector<partition::SplitKey> sample;
        sample.reserve(share);
        for (size_t k = 0; k < held.size(); ++k) {
          const uint64_t count = held[k].size() / shape.size, first = k * per_buffer;
          const uint64_t n =
              (share * (first + count) + per_rank - 1) / per_rank - (share * first + per_rank - 1) / per_rank;
          for (auto& key : partition::SampleRecords(held[k].data(), count, uint32_t(rank), n, 0x5eed + k, shape)) {
            key.position += first;
            sample.push_back(std::move(key));
          }
        }
        const double drawn = SecondsSince(t0);
        const auto t1 = std::chrono::steady_clock::now();
        auto splitter = partition::MakeSampleSplitter(comm, sample, per_rank, parts, {}, shape);
        const double split = SecondsSince(t1);
        if (!splitter.ok()) {
          std::fprintf(stderr, "sample_bench: %s\n", splitter.status().message().c_str());
          std::exit(1);
        }
        std::vector<uint64_t> mine(size_t(parts), 0);
        std::vector<uint16_t> dest(per_buffer);
        for (size_t k = 0; k < held.size(); ++k) {
          const uint64_t count = held[k].size() / shape.size;
          (*splitter)->Route(held[k].data(), count, uint32_t(rank), k * per_buffer, dest.data());
          for (uint64_t i = 0; i < count; ++i) ++mine[dest[i]];
        }
        std::lock_guard<std::mutex> lock(mu);
        for (int j = 0; j < parts; ++j) counts[size_t(j)] += mine[size_t(j)];
        if (rank == 0) {
          draw_s = drawn;
          split_s = split;
          share0 = share;
        }
      });
      draw_us.push_back(draw_s * 1e6 / double(std::max<uint64_t>(1, share0)));
      split_us.push_back(split_s * 1e6 / double(std::max<uint64_t>(1, share0)));
      excess.push_back(partition::Imbalance(counts) - 1);
    }
    double mean = 0;
    for (double e : excess) mean += e / double(excess.size());
    const double model = g / std::sqrt(double(sample_total) / parts);
    std::printf(
        "RESULT bench=sample_bench parts=%d records_per_rank=%llu shape=%u/%u/0 sample=%s total_sample=%llu "
        "per_part=%llu draw_us_per_sample=%.3f splitter_us_per_sample=%.3f mean_excess_pct=%.3f "
        "max_excess_pct=%.3f model_excess_pct=%.3f\n",
        parts, static_cast<unsigned long long>(per_rank), shape.size, shape.key_size, label.c_str(),
        static_cast<unsigned long long>(sample_total), static_cast<unsigned long long>(sample_total / parts),
        Median(draw_us), Median(split_us), 100 * mean, 100 * *std::max_element(excess.begin(), excess.end()),
        100 * model);
    std::fflush(stdout);
  }
  return 0;
}
