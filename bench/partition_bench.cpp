// bench/partition_bench.cpp — micro-benchmark of the partitioner (partition/partition_sink.hpp):
// MB MiB of random records in memory (out of cache), routed by a sample splitter with P
// parts and copied into outgoing buffers of OUT bytes, each destination keeping its last 8 buffers
// "in flight" (as sends are) before they go back to the pool. One thread. Prints each repetition's
// nanoseconds per record, then one RESULT line with the median of the repetitions after the first.
// Usage: partition_bench [--record-size R] [--key-size K] [--parts P] [--out-buffer BYTES]
//                        [--mb MB] [--reps N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_args.hpp"
#include "core/record_shape.hpp"
#include "partition/key.hpp"
#include "partition/partition_sink.hpp"
#include "partition/splitter.hpp"
#include "river/mem_pool.hpp"

namespace {

using namespace rs;

constexpr size_t kInFlight = 8;  // buffers each destination holds before returning one

// Counts what it is given and holds the last kInFlight buffers, as a transport holds sends.
class HoldingSink final : public Sink {
 public:
  void Put(Buffer b) override {
    bytes += b.size();
    held_.push_back(std::move(b));
    if (held_.size() > kInFlight) held_.pop_front();
  }
  Status Close() override {
    held_.clear();
    return Status::Ok();
  }
  uint64_t bytes = 0;

 private:
  std::deque<Buffer> held_;
};

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "partition_bench: %s\n", r.status().message().c_str());
    std::exit(1);
  }
  return std::move(r.value());
}

}  // namespace

int main(int argc, char** argv) {
  RecordShape shape;
  shape.size = uint32_t(bench::Arg(argc, argv, "--record-size", 100));
  shape.key_size = uint32_t(bench::Arg(argc, argv, "--key-size", 10));
  shape.key_offset = 0;
  const int parts = int(bench::Arg(argc, argv, "--parts", 2));
  const uint64_t out_bytes = bench::Arg(argc, argv, "--out-buffer", uint64_t(2) << 20);
  const uint64_t total = bench::Arg(argc, argv, "--mb", 200) << 20;
  const uint64_t reps = std::max<uint64_t>(2, bench::Arg(argc, argv, "--reps", 8));
  if (shape.size < shape.key_size || shape.key_size == 0 || parts < 1 || parts > 65536) {
    std::fprintf(stderr, "partition_bench: bad shape or parts\n");
    return 2;
  }

  // Input buffers of whole records, filled once with random bytes.
  constexpr uint64_t kInBuffer = uint64_t(2) << 20;
  const uint64_t per_buffer = kInBuffer / shape.size, buffers = (total / shape.size + per_buffer - 1) / per_buffer;
  const uint64_t records = buffers * per_buffer;
  auto in_pool = Must(MemPool::Create(kInBuffer, buffers));
  std::vector<Buffer> input;
  std::mt19937_64 rng(42);
  for (uint64_t b = 0; b < buffers; ++b) {
    Buffer buf = in_pool->Get();
    for (uint64_t o = 0; o + 8 <= per_buffer * shape.size; o += 8) {
      const uint64_t v = rng();
      std::memcpy(buf.data() + o, &v, 8);
    }
    input.push_back(std::move(buf));
  }

  // Boundaries that split the first 8 key bytes evenly.
  std::vector<partition::SplitKey> boundaries;
  for (int j = 1; j < parts; ++j) {
    std::vector<uint8_t> key(shape.key_size, 0);
    const uint64_t v = ~uint64_t(0) / uint64_t(parts) * uint64_t(j);
    for (size_t i = 0; i < 8 && i < key.size(); ++i) key[i] = uint8_t(v >> (56 - 8 * i));
    partition::SplitKey k;
    k.key = partition::Key(key.data(), key.size());
    boundaries.push_back(k);
  }
  const auto splitter = partition::MakeSplitterFromBoundaries(parts, boundaries, shape);
  auto out_pool = Must(MemPool::Create(out_bytes, size_t(parts) * (kInFlight + 2) + 2));

  std::vector<double> ns;
  for (uint64_t rep = 0; rep < reps; ++rep) {
    std::vector<HoldingSink> sinks(static_cast<size_t>(parts));
    std::vector<Sink*> sink_ptrs(sinks.size());
    for (size_t d = 0; d < sinks.size(); ++d) sink_ptrs[d] = &sinks[d];
    partition::PartitionSink sink(splitter.get(), sink_ptrs, std::vector<MemPool*>(size_t(parts), out_pool.get()), 0);
    // The sink takes (and frees) each buffer it is given: hand it the input's buffers, then take
    // them back from the pool for the next repetition (the bytes stay as they were).
    std::vector<Buffer> round;
    round.swap(input);
    const auto t0 = std::chrono::steady_clock::now();
    for (Buffer& b : round) {
      b.set_size(per_buffer * shape.size);
      sink.Put(std::move(b));
    }
    if (!sink.Close().ok()) return 1;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    uint64_t sent = 0;
    for (const auto& k : sinks) sent += k.bytes;
    const uint64_t want = records * shape.size;
    if (sent != want) {
      std::fprintf(stderr, "partition_bench: %llu bytes sent of %llu\n", (unsigned long long)sent,
                   (unsigned long long)want);
      return 1;
    }
    for (uint64_t b = 0; b < buffers; ++b) input.push_back(in_pool->Get());
    std::printf("rep %llu: %.2f ns per record, %.2f GB/s\n", (unsigned long long)rep, s * 1e9 / double(records),
                double(records * shape.size) / s / 1e9);
    if (rep > 0) ns.push_back(s * 1e9 / double(records));
  }
  std::sort(ns.begin(), ns.end());
  const size_t mid = ns.size() / 2;
  const double median = ns.size() % 2 == 1 ? ns[mid] : (ns[mid - 1] + ns[mid]) / 2;
  std::printf(
      "RESULT bench=partition_bench record_size=%u key_size=%u parts=%d out_buffer=%llu records=%llu "
      "ns_per_record=%.2f\n",
      shape.size, shape.key_size, parts, (unsigned long long)out_bytes, (unsigned long long)records, median);
  return 0;
}
