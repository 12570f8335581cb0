// partition/splitter.hpp — splitters: which rank each record goes to, so that the concatenation of
// the ranks' outputs in rank order is sorted. `uniform` cuts the key-prefix space into equal
// ranges; `sample` cuts at the quantiles of a global random sample, with the error bound below.
//
// The order used for routing is SplitKey order: (key, origin rank, position). Every record has a
// distinct SplitKey, so a boundary may fall inside a run of equal keys and a heavy key (all-equal
// data, a `-s` hot key) is spread over ranks instead of piling onto one (docs/architecture.md#rules, "Daytona").
//
// Error bound of the sample splitter (docs/partition.md#the-bound derives it). N records in
// SplitKey order, P parts, a sample of s records drawn in proportion to the ranks' records
// (RankSampleSize) and cut every s/P samples by exact parallel selection over the union of the
// samples (the sample never moves; partition/parallel_selection.hpp).
//   * A part of more than (1 + ε)·N/P records contains a window of records starting on a grid,
//     which then holds at most s/P + 2 samples; by Chernoff's lower tail and a union bound over
//     the grid, that has probability at most FailureProbability (partition/sampling.cpp).
//   * The bound is per part and multiplicative, so samples per part grow only as ln(P/δ):
//     DefaultSampleSize (max/mean <= 1 + kDefaultImbalanceSlack = 1.1 with probability
//     >= 1 − kDefaultFailureProbability = 1 − 10⁻⁶) is 9,274 records for P = 2, 19,164 for P = 4,
//     6,165,504 for P = 1,024 (N = 10^10): P·ln P, about 6,000 per part.
//   * When every rank's sample is its whole partition (n >= count: SampleRecords/SampleInput take
//     every record once), the split is exact: every part holds ⌊N/P⌋ or ⌈N/P⌉ records.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/comm.hpp"
#include "core/record_shape.hpp"
#include "core/status.hpp"
#include "partition/key.hpp"
#include "river/disk_options.hpp"

namespace rs::partition {

// ε of the default bound: every part within (1 + ε)·N/P records, 10 % above the mean, so the
// slowest rank does at most ~10 % more sorting and writing than the average one.
inline constexpr double kDefaultImbalanceSlack = 0.10;
// Failure probability of the default bound: one run in a million exceeds it; the sample size
// grows only with ln(1/δ), so a smaller δ is cheap, but this is already far below the odds of a
// disk or node failure during a run.
inline constexpr double kDefaultFailureProbability = 1e-6;
// Route() writes destinations as uint16_t.
inline constexpr int kMaxParts = 65536;

// A record's place in the global order used for routing: key, then origin rank, then position
// (record index in the origin rank's input). Distinct for every record, so splitters can cut
// anywhere, even inside a run of equal keys. `key` is the record's whole key (K bytes).
struct SplitKey {
  Key key;
  uint32_t rank = 0;
  uint64_t position = 0;

  // Key compares as unsigned bytes: the benchmark's key order.
  friend auto operator<=>(const SplitKey&, const SplitKey&) = default;
  friend bool operator==(const SplitKey&, const SplitKey&) = default;
};

// The SplitKey of the record at `record` (of `shape`).
SplitKey MakeSplitKey(const uint8_t* record, uint32_t rank, uint64_t position, const RecordShape& shape);

// Immutable after construction; Route() and the accessors are safe from any thread.
class Splitter {
 public:
  virtual ~Splitter() = default;
  int parts() const { return parts_; }
  virtual const char* name() const = 0;
  // The records it routes.
  const RecordShape& shape() const { return shape_; }
  // The parts-1 cut points, non-decreasing: part j holds the SplitKeys x with
  // boundaries()[j-1] <= x < boundaries()[j] (no lower bound for part 0, no upper for the last).
  // Empty when parts() == 1 or when a sample splitter got no sample at all (everything to 0).
  const std::vector<SplitKey>& boundaries() const { return boundaries_; }
  // Destination (0..parts-1) of each of `count` consecutive records (of shape()) that come
  // from `rank` at positions first_position, first_position+1, ...; one call per buffer.
  virtual void Route(const uint8_t* records, uint64_t count, uint32_t rank, uint64_t first_position,
                     uint16_t* dest) const = 0;
  // Destination of one SplitKey (for tests and diagnostics; Route is the fast path).
  int Destination(const SplitKey& key) const;

 protected:
  Splitter(int parts, std::vector<SplitKey> boundaries, const RecordShape& shape)
      : parts_(parts), shape_(shape), boundaries_(std::move(boundaries)) {}

 private:
  int parts_;
  RecordShape shape_;
  std::vector<SplitKey> boundaries_;
};

// Equal ranges of the first 8 key bytes read as a big-endian integer (zero-padded past a shorter
// key): part = ⌊prefix·P / 2^64⌋ (fast, no sampling; wrong for skew, and for ASCII keys, whose
// bytes 0x20-0x7E fill only the parts below 0x7F: with P = 2 everything goes to part 0).
// 1 <= parts <= kMaxParts, else aborts. Its boundaries() are K-byte keys that route alike.
std::unique_ptr<Splitter> MakeUniformSplitter(int parts, const RecordShape& shape);

// Collective over comm: every rank passes a sample of its own records (proportional to its
// records: RankSampleSize) and the number of records it holds (local_records, for the checks);
// all ranks get the same splitter, whose parts-1 boundaries are the exact quantiles of the union
// of the samples in SplitKey order (see the bound above), found without gathering the sample. Route() finds the
// destination by binary search on the boundaries (compares the key first; only on equal keys rank and position). A rank
// with no records passes an empty sample. Errors (the same on every rank): parts out of 1..kMaxParts or different
// across ranks, a rank with records but an empty sample.
// `shares` (one per part, the same on every rank; empty: equal parts) sizes the parts unequally:
// part j gets shares[j] / Σ shares of the records (--balance speed). `shape`: the records Route
// takes (the sample's keys were made with MakeSplitKey of that shape).
Result<std::unique_ptr<Splitter>> MakeSampleSplitter(Comm& comm, const std::vector<SplitKey>& local_sample,
                                                     uint64_t local_records, int parts,
                                                     const std::vector<uint64_t>& shares, const RecordShape& shape);
// The sample splitter with boundaries found before (a resumed sort's, from its journal: the
// routing must be the one its kept runs were formed with). No communication.
std::unique_ptr<Splitter> MakeSplitterFromBoundaries(int parts, std::vector<SplitKey> boundaries,
                                                     const RecordShape& shape);
// Same with local_records = the sample's size, equal shares (a census, or tests).
Result<std::unique_ptr<Splitter>> MakeSampleSplitter(Comm& comm, const std::vector<SplitKey>& local_sample, int parts,
                                                     const RecordShape& shape);

// Draws `n` records at uniformly random positions (with replacement, seeded; the seed is mixed
// with `rank`, so all ranks may pass the same seed) of the partition striped over `members` (its
// records of `shape`: size / R; stripe unit, I/O engine and queue depth from options; buffered reads,
// whatever options.direct says): each key is read through StripedFile::Map (it may straddle two
// stripe units), queue_depth reads in flight. When n >= the number of records, returns every record once
// instead (a census: the split becomes exact). Samples come back in position order. `notices`
// (optional) receives the engine's fallback line. Errors: the partition cannot be opened or read,
// or its size is not a multiple of R bytes. Called by one thread, which it blocks.
// Cost (docs/partition.md): ~1-5 µs per record when the file is in the page cache, one random
// 4 KiB disk read per record when it is not — for the Datamation sort, read the partition into
// memory and use SampleRecords instead.
Result<std::vector<SplitKey>> SampleInput(const std::vector<std::string>& members, const DiskOptions& options,
                                          uint32_t rank, uint64_t n, uint64_t seed, const RecordShape& shape,
                                          std::vector<std::string>* notices = nullptr);
// Same from `count` records of `shape` already in memory. Any thread.
std::vector<SplitKey> SampleRecords(const uint8_t* records, uint64_t count, uint32_t rank, uint64_t n, uint64_t seed,
                                    const RecordShape& shape);

// Total sample size s (summed over all ranks) that the default bound needs for `parts` parts of
// `total_records` records: the least s = a·P whose FailureProbability at ε = 0.1 is <= 10⁻⁶;
// 0 for P = 1; capped at total_records (then every rank samples its whole partition and the
// split is exact).
uint64_t DefaultSampleSize(int parts, uint64_t total_records);
// Total sample size for a partition already in memory (onepass): DefaultSampleSize, or more where
// that pays. A sample drawn from memory costs about as much as the sort's work on 125 bytes of
// records, and a larger one leaves the slowest rank fewer records: the size that minimizes the
// two's sum in expectation, (g(P)·(N/P)·R / (2·config::kInMemorySampleBytes))^(2/3) per part, g(P)
// the expected largest of P standard normals (docs/partition.md#a-larger-sample-from-memory). At
// most config::kMaxInMemorySamplePerPart per part; capped at total_records.
uint64_t InMemorySampleSize(int parts, uint64_t total_records, uint32_t record_size);
// One rank's share of a total sample of `total_sample` records: ⌈total_sample·local_records /
// total_records⌉ (proportional allocation, which keeps the bound), at most local_records — a share
// of local_records makes SampleRecords/SampleInput take every record. 0 for a rank with no records.
uint64_t RankSampleSize(uint64_t total_sample, uint64_t total_records, uint64_t local_records);
// The max/mean bound that a sample of `total_sample` records gives, with probability
// >= 1 − failure_probability: the least 1 + ε whose FailureProbability is within it, at most P;
// for total_sample >= total_records (census) the exact ⌈N/P⌉/(N/P); 1 for P = 1 or N = 0.
double ImbalanceBound(int parts, uint64_t total_records, uint64_t total_sample,
                      double failure_probability = kDefaultFailureProbability);
// Achieved imbalance: max/mean of records per part (1 when there are no records).
double Imbalance(std::span<const uint64_t> records_per_part);

}  // namespace rs::partition
