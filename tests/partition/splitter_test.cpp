// tests/partition/splitter_test.cpp — splitters over 1..4 loopback ranks: routing is monotone in
// SplitKey order, parts stay within the stated imbalance bound (gensort binary/ASCII/skew, all-equal
// keys, one key in 50% of the records, sorted input), boundaries agree across ranks, SampleInput
// reads the right keys from striped partitions, and the bad paths.
#include "partition/splitter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "core/config.hpp"
#include "core/loopback_comm.hpp"
#include "core/record.hpp"
#include "gen/partition_writer.hpp"
#include "gen/rank_slice.hpp"
#include "gen/record_generator.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs::partition {
namespace {

// Records per data set: above the default total sample for P <= 4 (49,944), so the sampled path
// (not the census) is what the bound is checked on.
constexpr uint64_t kRecords = 200000;

// One partition of records per rank.
using Dataset = std::vector<std::vector<uint8_t>>;

uint64_t TotalRecords(const Dataset& d) {
  uint64_t n = 0;
  for (const auto& part : d) n += part.size() / kRecordSize;
  return n;
}

// gensort records 0..n-1, sliced over ranks as `gen` does.
Dataset Gensort(gen::GenMode mode, uint64_t n, int ranks) {
  Dataset d(size_t(ranks), std::vector<uint8_t>{});
  for (int r = 0; r < ranks; ++r) {
    gen::RankSlice slice = gen::SliceForRank(0, n, r, ranks);
    d[size_t(r)].resize(slice.count * kRecordSize);
    gen::GenerateRecords(mode, slice.first, slice.count, d[size_t(r)].data());
  }
  return d;
}

// Every key the same.
Dataset AllEqual(uint64_t n, int ranks) {
  Dataset d = Gensort({}, n, ranks);
  for (auto& part : d) {
    for (size_t i = 0; i < part.size(); i += kRecordSize) std::memcpy(&part[i], "EQUALKEY!!", kKeySize);
  }
  return d;
}

// Binary gensort where every other record (50%) carries one key from the middle of the range.
Dataset HeavyKey(uint64_t n, int ranks) {
  Dataset d = Gensort({}, n, ranks);
  const uint8_t heavy[kKeySize] = {0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
  for (auto& part : d) {
    for (size_t i = 0; i < part.size(); i += 2 * kRecordSize) std::memcpy(&part[i], heavy, kKeySize);
  }
  return d;
}

// Binary gensort sorted by key, then cut into contiguous ranges: rank r holds the r-th range.
Dataset Sorted(uint64_t n, int ranks) {
  std::vector<uint8_t> all(n * kRecordSize);
  gen::GenerateRecords({}, 0, n, all.data());
  std::vector<uint64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](uint64_t a, uint64_t b) { return CompareKeys(&all[a * kRecordSize], &all[b * kRecordSize]) < 0; });
  Dataset d(size_t(ranks), std::vector<uint8_t>{});
  for (int r = 0; r < ranks; ++r) {
    gen::RankSlice slice = gen::SliceForRank(0, n, r, ranks);
    for (uint64_t i = 0; i < slice.count; ++i) {
      const uint8_t* rec = &all[order[uint64_t(slice.first) + i] * kRecordSize];
      d[size_t(r)].insert(d[size_t(r)].end(), rec, rec + kRecordSize);
    }
  }
  return d;
}

// What one run of a splitter over loopback ranks produced.
struct Outcome {
  std::vector<std::vector<uint16_t>> dest;        // per rank, per local record
  std::vector<std::vector<SplitKey>> boundaries;  // per rank
  std::vector<uint64_t> counts;                   // records per part
};

// Every rank samples its share of `total_sample` (RankSampleSize), builds the sample splitter
// collectively, and routes its records.
Outcome RunSample(const Dataset& d, int parts, uint64_t total_sample, uint64_t seed) {
  const int ranks = int(d.size());
  const uint64_t n = TotalRecords(d);
  Outcome out;
  out.dest.resize(size_t(ranks));
  out.boundaries.resize(size_t(ranks));
  LoopbackGroup(ranks).Run([&](Comm& comm) {
    const size_t r = size_t(comm.rank());
    const uint64_t local = d[r].size() / kRecordSize;
    std::vector<SplitKey> sample =
        SampleRecords(d[r].data(), local, uint32_t(r), RankSampleSize(total_sample, n, local), seed, RecordShape{});
    auto splitter = MakeSampleSplitter(comm, sample, local, parts, {}, RecordShape{});
    EXPECT_TRUE(splitter.ok()) << splitter.status().message();
    if (!splitter.ok()) return;
    EXPECT_EQ((*splitter)->parts(), parts);
    EXPECT_STREQ((*splitter)->name(), "sample");
    out.boundaries[r] = (*splitter)->boundaries();
    out.dest[r].resize(local);
    // One call per buffer of 4096 records, as a stream would make them.
    for (uint64_t first = 0; first < local; first += 4096) {
      const uint64_t k = std::min<uint64_t>(4096, local - first);
      (*splitter)->Route(&d[r][first * kRecordSize], k, uint32_t(r), first, &out.dest[r][first]);
    }
  });
  return out;
}

Outcome RunUniform(const Dataset& d, int parts) {
  Outcome out;
  auto splitter = MakeUniformSplitter(parts, RecordShape{});
  EXPECT_STREQ(splitter->name(), "uniform");
  for (size_t r = 0; r < d.size(); ++r) {
    const uint64_t local = d[r].size() / kRecordSize;
    out.dest.emplace_back(local);
    // Several calls per rank, as a stream of buffers would make them.
    for (uint64_t first = 0; first < local; first += 4096) {
      uint64_t k = std::min<uint64_t>(4096, local - first);
      splitter->Route(&d[r][first * kRecordSize], k, uint32_t(r), first, &out.dest[r][first]);
    }
    out.boundaries.push_back(splitter->boundaries());
  }
  return out;
}

// SplitKey order, as operator< but quicker (memcmp instead of a byte-wise three-way compare).
bool FastLess(const SplitKey& a, const SplitKey& b) {
  int c = std::memcmp(a.key.data(), b.key.data(), kKeySize);
  if (c != 0) return c < 0;
  return std::tie(a.rank, a.position) < std::tie(b.rank, b.position);
}

// Checks that every destination is a part, that routing is monotone in SplitKey order (so the
// parts concatenated in order are sorted), and that Route agrees with Destination(); fills counts.
void CheckMonotone(const Dataset& d, int parts, Outcome* o, const std::string& what) {
  struct Routed {
    SplitKey key;
    uint16_t dest;
  };
  std::vector<Routed> all;
  o->counts.assign(size_t(parts), 0);
  uint64_t out_of_range = 0;
  for (size_t r = 0; r < d.size(); ++r) {
    const uint64_t local = d[r].size() / kRecordSize;
    ASSERT_EQ(o->dest[r].size(), local) << what;
    for (uint64_t i = 0; i < local; ++i) {
      uint16_t dest = o->dest[r][i];
      if (dest >= parts) {
        ++out_of_range;
        continue;
      }
      ++o->counts[dest];
      all.push_back({MakeSplitKey(&d[r][i * kRecordSize], uint32_t(r), i, RecordShape{}), dest});
    }
  }
  EXPECT_EQ(out_of_range, 0u) << what;
  std::sort(all.begin(), all.end(), [](const Routed& a, const Routed& b) { return FastLess(a.key, b.key); });
  uint64_t inversions = 0;
  for (size_t i = 1; i < all.size(); ++i) inversions += all[i - 1].dest > all[i].dest;
  EXPECT_EQ(inversions, 0u) << what << ": records later in SplitKey order routed to an earlier part";
  // Destination() (upper bound on boundaries()) is the reference for Route's column search.
  const std::vector<SplitKey>& b = o->boundaries[0];
  uint64_t disagree = 0;
  for (size_t i = 0; i < all.size(); i += 7) {
    disagree += size_t(std::upper_bound(b.begin(), b.end(), all[i].key) - b.begin()) != all[i].dest;
  }
  EXPECT_EQ(disagree, 0u) << what << ": Route disagrees with the boundaries";
}

void CheckSameBoundaries(const Outcome& o, const std::string& what) {
  for (size_t r = 1; r < o.boundaries.size(); ++r) {
    EXPECT_TRUE(o.boundaries[r] == o.boundaries[0]) << what << ": rank " << r << " has other boundaries";
  }
}

std::string Describe(const std::string& data, int ranks, int parts, uint64_t sample) {
  std::string s = data;
  s += " ranks=";
  s += std::to_string(ranks);
  s += " parts=";
  s += std::to_string(parts);
  s += " sample=";
  s += std::to_string(sample);
  return s;
}

struct NamedDataset {
  std::string name;
  Dataset data;
};

std::vector<NamedDataset> AllDatasets(int ranks) {
  std::vector<NamedDataset> v;
  v.push_back({"gensort", Gensort({false, false}, kRecords, ranks)});
  v.push_back({"gensort -a", Gensort({true, false}, kRecords, ranks)});
  v.push_back({"gensort -s", Gensort({false, true}, kRecords, ranks)});
  v.push_back({"gensort -a -s", Gensort({true, true}, kRecords, ranks)});
  v.push_back({"all-equal", AllEqual(kRecords, ranks)});
  v.push_back({"heavy-50%", HeavyKey(kRecords, ranks)});
  v.push_back({"sorted", Sorted(kRecords, ranks)});
  return v;
}

TEST(SplitKey, OrdersByUnsignedKeyThenRankThenPosition) {
  uint8_t a[kRecordSize] = {}, b[kRecordSize] = {};
  a[0] = 0x7F;
  b[0] = 0x80;
  EXPECT_LT(MakeSplitKey(a, 3, 9, RecordShape{}),
            MakeSplitKey(b, 0, 0, RecordShape{}));  // 0x80 is above 0x7F, unsigned
  EXPECT_LT(MakeSplitKey(a, 0, 9, RecordShape{}), MakeSplitKey(a, 1, 0, RecordShape{}));
  EXPECT_LT(MakeSplitKey(a, 1, 0, RecordShape{}), MakeSplitKey(a, 1, 1, RecordShape{}));
  EXPECT_EQ(MakeSplitKey(a, 1, 1, RecordShape{}), MakeSplitKey(a, 1, 1, RecordShape{}));
  const SplitKey before = MakeSplitKey(a, 5, 5, RecordShape{});
  a[9] = 1;  // the last key byte counts before rank and position
  EXPECT_LT(before, MakeSplitKey(a, 0, 0, RecordShape{}));
}

TEST(SampleSize, DefaultSizesAndBounds) {
  // The least s = a·P whose Chernoff bound (docs/partition.md#the-bound) keeps every part within
  // 1.1 × the mean with probability >= 1 − 10⁻⁶; the same numbers from an independent Python
  // transcription of the formula.
  EXPECT_EQ(DefaultSampleSize(1, 1000000), 0u);
  EXPECT_EQ(DefaultSampleSize(2, 1000000), 9274u);
  EXPECT_EQ(DefaultSampleSize(3, 1000000), 14181u);
  EXPECT_EQ(DefaultSampleSize(4, 1000000), 19164u);
  EXPECT_EQ(DefaultSampleSize(16, 100000000), 81568u);
  EXPECT_EQ(DefaultSampleSize(1024, 10000000000ull), 6165504u);
  EXPECT_EQ(DefaultSampleSize(4, 19000), 19000u);  // capped: a census
  EXPECT_EQ(DefaultSampleSize(4, 0), 0u);
  // P·log P: samples per part grow with ln P only (4,637 at P = 2, 7,036 at P = 100,000), so a
  // rank's own sample stays near 150 KB (22 bytes per sampled key) at any P.
  EXPECT_LT(DefaultSampleSize(100000, 10000000000000ull) / 100000, 7100u);
  for (int p = 2; p <= 64; p *= 2) {
    const uint64_t n = 1000000000;
    // The default sample gives the default bound: 1.1, and not far below (the sample is the least).
    const double bound = ImbalanceBound(p, n, DefaultSampleSize(p, n));
    EXPECT_LE(bound, 1.1 + 1e-9) << p;
    EXPECT_GE(bound, 1.099) << p;
  }
  EXPECT_DOUBLE_EQ(ImbalanceBound(1, 100, 0), 1.0);
  EXPECT_DOUBLE_EQ(ImbalanceBound(3, 10, 10), 4.0 * 3 / 10);  // census: ⌈10/3⌉ / (10/3)
  EXPECT_DOUBLE_EQ(ImbalanceBound(4, 1000, 0), 4.0);
  EXPECT_LE(ImbalanceBound(4, 1000000, 10), 4.0);

  EXPECT_EQ(RankSampleSize(9275, 1000000, 500000), 4638u);
  EXPECT_EQ(RankSampleSize(9274, 1000000, 0), 0u);
  EXPECT_EQ(RankSampleSize(0, 1000000, 10), 0u);
  EXPECT_EQ(RankSampleSize(1000, 1000, 333), 333u);  // census
  EXPECT_EQ(RankSampleSize(10, 1000000, 1), 1u);     // rounds up: every rank with records samples

  const uint64_t counts[] = {10, 20, 30};
  EXPECT_DOUBLE_EQ(Imbalance(counts), 1.5);
  const uint64_t none[] = {0, 0};
  EXPECT_DOUBLE_EQ(Imbalance(none), 1.0);
}

// onepass's sample (drawn from memory): the bound's where the data are small, larger where that
// pays, as (N/P·R)^(2/3) per part (docs/partition.md#a-larger-sample-from-memory), at most
// kMaxInMemorySamplePerPart per part, never more than the records.
TEST(SampleSize, InMemoryIsTheBoundsOrLarger) {
  EXPECT_EQ(InMemorySampleSize(1, 1000000, 100), 0u);
  EXPECT_EQ(InMemorySampleSize(4, 19000, 100), 19000u);                           // a census, as the bound's
  EXPECT_EQ(InMemorySampleSize(2, 1000000, 100), DefaultSampleSize(2, 1000000));  // 100 MB: the bound's
  // The Datamation sort's 1 GB over 2 ranks: (0.589 · 500 MB / (2 · 125 B))^(2/3) ≈ 11,160 per part.
  const uint64_t gb = InMemorySampleSize(2, 10000000, 100);
  EXPECT_NEAR(double(gb) / 2, 11160, 50);
  EXPECT_EQ(InMemorySampleSize(2, 15625000, 64), gb);  // the same bytes of 64-byte records
  // 8× the bytes: 4× the sample (the power 2/3).
  EXPECT_NEAR(double(InMemorySampleSize(2, 80000000, 100)) / double(gb), 4.0, 0.01);
  // More parts: a larger expected largest excess, more samples per part.
  EXPECT_GT(InMemorySampleSize(1000, 5000000000ull, 100) / 1000, gb / 2);
  EXPECT_EQ(InMemorySampleSize(2, 100000000000ull, 100), 2 * config::kMaxInMemorySamplePerPart);
  for (int p : {2, 3, 16, 1000}) {
    for (uint64_t n : {uint64_t(1000), uint64_t(1) << 24, uint64_t(1) << 34}) {
      EXPECT_GE(InMemorySampleSize(p, n, 100), DefaultSampleSize(p, n)) << p << " " << n;
      EXPECT_LE(InMemorySampleSize(p, n, 100), n) << p << " " << n;
    }
  }
}

TEST(SampleSplitter, MonotoneAndWithinBoundOnEveryDataset) {
  for (int ranks = 1; ranks <= 4; ++ranks) {
    const int parts = ranks;
    for (const NamedDataset& ds : AllDatasets(ranks)) {
      const uint64_t n = TotalRecords(ds.data);
      // The default sample, and a small one whose (looser) bound is closer to what it achieves.
      for (uint64_t sample : {DefaultSampleSize(parts, n), uint64_t(2000)}) {
        const std::string what = Describe(ds.name, ranks, parts, sample);
        Outcome o = RunSample(ds.data, parts, sample, 42 + uint64_t(ranks));
        CheckMonotone(ds.data, parts, &o, what);
        CheckSameBoundaries(o, what);
        const double bound = ImbalanceBound(parts, n, sample);
        EXPECT_LE(Imbalance(o.counts), bound) << what;
        std::printf("sample splitter, %s: max/mean %.4f (bound %.4f)\n", what.c_str(), Imbalance(o.counts), bound);
        if (parts > 1 && sample == DefaultSampleSize(parts, n)) {
          EXPECT_LT(sample, n) << what << ": the sampled path, not the census, must be under test";
        }
        if (ds.name == "heavy-50%" && parts > 1) {
          // The heavy key alone is half the records; the tie-break must spread it over parts.
          std::vector<bool> seen(size_t(parts), false);
          for (size_t r = 0; r < ds.data.size(); ++r) {
            for (size_t i = 0; i < o.dest[r].size(); i += 2) seen[o.dest[r][i]] = true;
          }
          EXPECT_GE(std::count(seen.begin(), seen.end(), true), 2) << what;
        }
      }
    }
  }
}

// The sample splitter routes records of any shape as their SplitKeys order (Destination): keys
// shorter than 10 bytes, of 8 bytes, at an offset, and longer ones whose first 10 bytes take one of
// three values so that the rest of the key decides; boundaries are records' own SplitKeys, so
// records whose whole key equals a boundary's are split by origin position.
TEST(SampleSplitter, RoutesEveryShapeAsSplitKeysOrder) {
  for (const RecordShape shape : {RecordShape{8, 1, 7}, RecordShape{16, 3, 0}, RecordShape{64, 8, 0},
                                  RecordShape{100, 10, 50}, RecordShape{128, 16, 0}, RecordShape{4096, 32, 100}}) {
    SCOPED_TRACE(shape.ToString());
    std::mt19937_64 rng(shape.size + shape.key_size);
    const uint64_t n = 2000;
    std::vector<uint8_t> records(n * shape.size);
    for (auto& byte : records) byte = uint8_t(rng());
    const size_t head = std::min<size_t>(kKeySize, shape.key_size);
    for (uint64_t i = 0; i < n; ++i) {
      uint8_t* key = &records[i * shape.size + shape.key_offset];
      std::memset(key, 0x5A, head);
      key[head - 1] = uint8_t(rng() % 3);
      for (size_t j = head; j < shape.key_size; ++j) key[j] = uint8_t(rng() % 2);
    }
    std::vector<SplitKey> boundaries;
    for (int j = 0; j < 6; ++j) {
      const uint64_t at = rng() % n;
      boundaries.push_back(MakeSplitKey(&records[at * shape.size], 1, at, shape));
    }
    std::sort(boundaries.begin(), boundaries.end());
    const auto splitter = MakeSplitterFromBoundaries(7, boundaries, shape);
    std::vector<uint16_t> dest(n);
    splitter->Route(records.data(), n, 1, 0, dest.data());
    size_t differ = 0;
    for (uint64_t i = 0; i < n; ++i) {
      differ += dest[i] != splitter->Destination(MakeSplitKey(&records[i * shape.size], 1, i, shape));
    }
    EXPECT_EQ(differ, 0u);
  }
}

// The boundaries are the samples of global rank ⌊j·s/P⌋ in SplitKey order, for every shape: the
// splitter sorts a rank's sample by its keys' first 10 bytes as integers and the whole SplitKeys
// only where those tie, so keys shorter than 10 bytes, keys equal in their first 10 bytes and
// whole keys that repeat (split by position) are all here, against std::sort of the union.
TEST(SampleSplitter, BoundariesAreTheSampleQuantilesForEveryShape) {
  for (const RecordShape shape : {RecordShape{8, 1, 7}, RecordShape{16, 3, 0}, RecordShape{64, 8, 0},
                                  RecordShape{128, 16, 0}, RecordShape{100, 10, 0}}) {
    SCOPED_TRACE(shape.ToString());
    const int ranks = 3, parts = 5;
    const uint64_t per_rank = 3000;
    std::vector<std::vector<uint8_t>> records(ranks, std::vector<uint8_t>(per_rank * shape.size));
    std::mt19937_64 rng(shape.size * 31 + shape.key_size);
    const size_t head = std::min<size_t>(kKeySize, shape.key_size);
    for (auto& rank_records : records) {
      for (uint64_t i = 0; i < per_rank; ++i) {
        uint8_t* key = &rank_records[i * shape.size + shape.key_offset];
        std::memset(key, 0x5A, head);
        key[head - 1] = uint8_t(rng() % 3);
        for (size_t j = head; j < shape.key_size; ++j) key[j] = uint8_t(rng() % 2);
      }
    }
    std::vector<std::vector<SplitKey>> samples(ranks);
    std::vector<SplitKey> all;
    for (int r = 0; r < ranks; ++r) {
      samples[size_t(r)] = SampleRecords(records[size_t(r)].data(), per_rank, uint32_t(r), 700, 11, shape);
      all.insert(all.end(), samples[size_t(r)].begin(), samples[size_t(r)].end());
    }
    std::sort(all.begin(), all.end());
    std::vector<SplitKey> want;
    for (int j = 1; j < parts; ++j) want.push_back(all[all.size() * size_t(j) / size_t(parts)]);
    std::vector<std::vector<SplitKey>> got(ranks);
    LoopbackGroup(ranks).Run([&](Comm& comm) {
      const size_t r = size_t(comm.rank());
      auto splitter = MakeSampleSplitter(comm, samples[r], per_rank, parts, {}, shape);
      ASSERT_TRUE(splitter.ok()) << splitter.status().message();
      got[r] = (*splitter)->boundaries();
    });
    for (int r = 0; r < ranks; ++r) EXPECT_EQ(got[size_t(r)], want) << "rank " << r;
  }
}

TEST(SampleSplitter, MorePartsThanRanks) {
  const Dataset d = AllEqual(kRecords, 2);
  for (int parts : {3, 5, 8}) {
    const uint64_t sample = DefaultSampleSize(parts, kRecords);
    const std::string what = Describe("all-equal", 2, parts, sample);
    Outcome o = RunSample(d, parts, sample, 7);
    CheckMonotone(d, parts, &o, what);
    EXPECT_LE(Imbalance(o.counts), ImbalanceBound(parts, kRecords, sample)) << what;
  }
}

TEST(SampleSplitter, CensusIsExact) {
  // Fewer records than the default sample: every rank samples all its records, and every part
  // gets ⌊N/P⌋ or ⌈N/P⌉, also for all-equal keys and a heavy key.
  const uint64_t n = 5003;
  for (int ranks = 1; ranks <= 4; ++ranks) {
    for (int parts : {ranks, 3, 7}) {
      const uint64_t sample = DefaultSampleSize(parts, n);
      if (parts > 1) {
        EXPECT_EQ(sample, n);
      }
      std::vector<NamedDataset> sets;
      sets.push_back({"gensort -a -s", Gensort({true, true}, n, ranks)});
      sets.push_back({"all-equal", AllEqual(n, ranks)});
      sets.push_back({"heavy-50%", HeavyKey(n, ranks)});
      for (const NamedDataset& ds : sets) {
        const std::string what = Describe(ds.name, ranks, parts, sample);
        Outcome o = RunSample(ds.data, parts, sample, 1);
        CheckMonotone(ds.data, parts, &o, what);
        for (uint64_t c : o.counts) {
          EXPECT_TRUE(c == n / uint64_t(parts) || c == (n + uint64_t(parts) - 1) / uint64_t(parts))
              << what << ": " << c;
        }
      }
    }
  }
}

TEST(SampleSplitter, OnePartRoutesEverythingToZero) {
  const Dataset d = Gensort({false, true}, 30000, 3);
  Outcome o = RunSample(d, 1, DefaultSampleSize(1, 30000), 5);
  CheckMonotone(d, 1, &o, "P=1");
  EXPECT_EQ(o.counts, std::vector<uint64_t>{30000});
  for (const auto& b : o.boundaries) EXPECT_TRUE(b.empty());
}

TEST(SampleSplitter, RanksWithoutInput) {
  // Ranks 1 and 3 hold nothing and pass empty samples.
  Dataset d = Gensort({false, false}, kRecords, 4);
  d[1].clear();
  d[3].clear();
  const uint64_t n = TotalRecords(d);
  const uint64_t sample = DefaultSampleSize(4, n);
  Outcome o = RunSample(d, 4, sample, 9);
  CheckMonotone(d, 4, &o, "ranks 1 and 3 empty");
  CheckSameBoundaries(o, "ranks 1 and 3 empty");
  EXPECT_LE(Imbalance(o.counts), ImbalanceBound(4, n, sample));

  // No input anywhere: no boundaries, nothing routed, no error.
  Dataset empty(3, std::vector<uint8_t>{});
  Outcome e = RunSample(empty, 3, 0, 9);
  for (const auto& b : e.boundaries) EXPECT_TRUE(b.empty());
}

TEST(SampleSplitter, UnweightedFormWithProportionalSamples) {
  const Dataset d = Gensort({true, true}, kRecords, 3);
  const uint64_t sample = DefaultSampleSize(3, kRecords);
  Outcome o;
  o.dest.resize(3);
  o.boundaries.resize(3);
  LoopbackGroup(3).Run([&](Comm& comm) {
    const size_t r = size_t(comm.rank());
    const uint64_t local = d[r].size() / kRecordSize;
    auto s = SampleRecords(d[r].data(), local, uint32_t(r), RankSampleSize(sample, kRecords, local), 3, RecordShape{});
    auto splitter = MakeSampleSplitter(comm, s, 3, RecordShape{});
    EXPECT_TRUE(splitter.ok()) << splitter.status().message();
    if (!splitter.ok()) return;
    o.boundaries[r] = (*splitter)->boundaries();
    o.dest[r].resize(local);
    (*splitter)->Route(d[r].data(), local, uint32_t(r), 0, o.dest[r].data());
  });
  CheckMonotone(d, 3, &o, "unweighted");
  CheckSameBoundaries(o, "unweighted");
  EXPECT_LE(Imbalance(o.counts), ImbalanceBound(3, kRecords, sample));
}

TEST(SampleSplitter, BadArgumentsFailTheSameOnEveryRank) {
  std::vector<std::string> messages(3);
  // Parts differ across ranks.
  LoopbackGroup(3).Run([&](Comm& comm) {
    auto s = MakeSampleSplitter(comm, {}, 0, comm.rank() == 2 ? 4 : 3, {}, RecordShape{});
    EXPECT_FALSE(s.ok());
    messages[size_t(comm.rank())] = s.status().message();
  });
  EXPECT_EQ(messages[0], "sample splitter: rank 0 asked for 3 parts but rank 2 for 4");
  EXPECT_EQ(messages[1], messages[0]);
  EXPECT_EQ(messages[2], messages[0]);
  // A rank with records but no sample.
  LoopbackGroup(3).Run([&](Comm& comm) {
    std::vector<SplitKey> sample;
    if (comm.rank() != 1) sample.push_back(SplitKey{});
    auto s = MakeSampleSplitter(comm, sample, 100, 3, {}, RecordShape{});
    EXPECT_FALSE(s.ok());
    messages[size_t(comm.rank())] = s.status().message();
  });
  EXPECT_EQ(messages[0], "sample splitter: rank 1 holds 100 records but sent an empty sample");
  EXPECT_EQ(messages[2], messages[0]);
  // Parts out of range.
  LoopbackGroup(2).Run([&](Comm& comm) {
    auto s = MakeSampleSplitter(comm, {}, 0, 0, {}, RecordShape{});
    EXPECT_FALSE(s.ok());
    messages[size_t(comm.rank())] = s.status().message();
  });
  EXPECT_EQ(messages[0], "sample splitter: rank 0 asked for 0 parts; allowed 1 .. 65536");
}

TEST(UniformSplitter, MonotoneAndBalancedOnBinaryKeys) {
  for (int parts = 1; parts <= 4; ++parts) {
    const Dataset d = Gensort({false, false}, kRecords, parts);
    Outcome o = RunUniform(d, parts);
    const std::string what = Describe("gensort", parts, parts, 0);
    CheckMonotone(d, parts, &o, what);
    // Uniform keys: each part's count is binomial, sd = sqrt(N/P) <= 224 here, so 5% of the
    // mean (>= 2,500 records) is more than 10 sd.
    EXPECT_LE(Imbalance(o.counts), 1.05) << what;
  }
}

// The uniform splitter cuts the 64-bit key prefix into P equal ranges: balanced only when keys
// are uniform over all their bytes. The imbalance it promises here, with thresholds derived:
//  - Chance: for uniform keys each part's count is Binomial(N, 1/P), relative standard deviation
//    sqrt((P-1)/N) <= 0.0039 at N = 200,000, P <= 4. So max/mean above kNotChance = 1.03 (over
//    7 standard deviations) is the key distribution, not sampling noise; uniform binary gensort,
//    the control, stays below it.
//  - ASCII (gensort -a, -a -s): every key byte is printable (0x20..0x7E), so, routing being
//    monotone, all records fall in the k parts from the part of "     ..." to the part of
//    "~~~~..." — k = 1, 2, 2 of P = 2, 3, 4 — and the largest holds at least N/k by pigeonhole:
//    max/mean >= P/k >= 1.5.
//  - Binary skew (gensort -s): 48 of every 64 records take their top 1..48 key bits from one of
//    129 hot prefixes (gen/record_generator.cpp), which piles them into the parts those prefixes
//    fall in: measured 1.262, 1.038, 1.284 at P = 2, 3, 4 — above kNotChance, not by much at P = 3.
// The uniform splitter's boundaries are K-byte keys that route as its prefix arithmetic does: a
// resumed twopass rebuilds the routing from them (MakeSplitterFromBoundaries). Keys shorter than 8
// bytes round the boundary up, or past every key; longer ones compare their rest.
TEST(UniformSplitter, BoundariesRouteAsTheUniformSplitterDoes) {
  for (const RecordShape shape : {RecordShape{8, 1, 7}, RecordShape{16, 3, 0}, RecordShape{64, 8, 0},
                                  RecordShape{100, 10, 0}, RecordShape{128, 16, 0}}) {
    for (int parts : {2, 3, 7, 300, 1000}) {
      SCOPED_TRACE(shape.ToString() + " over " + std::to_string(parts));
      const auto uniform = MakeUniformSplitter(parts, shape);
      for (const SplitKey& b : uniform->boundaries()) ASSERT_EQ(b.key.size(), shape.key_size);
      const auto rebuilt = MakeSplitterFromBoundaries(parts, uniform->boundaries(), shape);
      std::mt19937_64 rng(uint64_t(parts) * shape.size);
      std::vector<uint8_t> records(4096 * shape.size);
      for (auto& byte : records) byte = uint8_t(rng());
      // And records just below and at every boundary.
      for (size_t j = 0; j < uniform->boundaries().size() && 2 * j + 1 < 4096; ++j) {
        const Key& k = uniform->boundaries()[j].key;
        uint8_t* at = &records[2 * j * shape.size + shape.key_offset];
        std::memcpy(at, k.data(), k.size());
        std::memcpy(at + shape.size, k.data(), k.size());
        for (size_t i = k.size(); i-- > 0;) {  // the key before it
          if (at[i]-- != 0) break;
        }
      }
      std::vector<uint16_t> a(4096), b(4096);
      uniform->Route(records.data(), 4096, 0, 0, a.data());
      rebuilt->Route(records.data(), 4096, 0, 0, b.data());
      size_t differ = 0;
      for (size_t i = 0; i < a.size(); ++i) differ += a[i] != b[i];
      EXPECT_EQ(differ, 0u);
    }
  }
}

TEST(UniformSplitter, MonotoneButImbalancedOnAsciiAndSkew) {
  constexpr double kNotChance = 1.03;
  auto part_of = [](const Splitter& s, uint8_t key_byte) {
    std::vector<uint8_t> record(kRecordSize, key_byte);
    uint16_t dest = 0;
    s.Route(record.data(), 1, 0, 0, &dest);
    return int(dest);
  };
  for (int parts = 2; parts <= 4; ++parts) {
    const Dataset control = Gensort({}, kRecords, parts);
    Outcome c = RunUniform(control, parts);
    CheckMonotone(control, parts, &c, Describe("gensort", parts, parts, 0));
    EXPECT_LT(Imbalance(c.counts), kNotChance) << "uniform binary keys, parts=" << parts << ": the control";

    auto splitter = MakeUniformSplitter(parts, RecordShape{});
    const int ascii_parts = part_of(*splitter, 0x7E) - part_of(*splitter, 0x20) + 1;
    EXPECT_LT(ascii_parts, parts) << "printable keys should not reach every part";
    for (gen::GenMode mode : {gen::GenMode{true, false}, gen::GenMode{false, true}, gen::GenMode{true, true}}) {
      const Dataset d = Gensort(mode, kRecords, parts);
      Outcome o = RunUniform(d, parts);
      std::string what =
          Describe(mode.ascii ? (mode.skew ? "gensort -a -s" : "gensort -a") : "gensort -s", parts, parts, 0);
      CheckMonotone(d, parts, &o, what);
      const double imbalance = Imbalance(o.counts);
      std::printf("uniform splitter, %s: max/mean %.3f\n", what.c_str(), imbalance);
      EXPECT_GT(imbalance, kNotChance) << what;
      if (mode.ascii) {
        EXPECT_GE(imbalance, double(parts) / ascii_parts) << what << ": printable keys in " << ascii_parts << " parts";
      }
    }
  }
}

// One subdirectory "d<i>" per member, each holding `name`.
std::vector<std::string> Members(const test::TempDir& dir, int k, const std::string& name) {
  return test::StripeMembers(dir.path(), k, name);
}

TEST(SampleInput, ReadsTheRightKeysFromStripedPartitions) {
  constexpr uint64_t kCount = 20000;  // 2 MB: many 4 KiB units, records and keys straddling them
  constexpr uint64_t kUnit = 4096;
  const gen::GenMode mode{false, true};
  std::vector<uint8_t> mem(kCount * kRecordSize);
  gen::GenerateRecords(mode, 1000, kCount, mem.data());
  for (int k : {1, 3}) {
    test::TempDir dir;
    const std::vector<std::string> members = Members(dir, k, "in.2");
    DiskOptions options;
    options.direct = false;
    options.stripe_unit = kUnit;
    auto written = gen::GeneratePartition(gen::GenSpec{mode, RecordShape{}, 0}, 1000, kCount, members, options);
    ASSERT_TRUE(written.ok()) << written.status().message();
    ASSERT_TRUE(written->sink->Publish().ok());  // complete, published on its own here
    written->sink->Settle();

    // Random records: the same positions as SampleRecords draws from memory, the same keys.
    const uint64_t n = 5000;
    const auto start = std::chrono::steady_clock::now();
    auto sample = SampleInput(members, options, 2, n, 77, RecordShape{});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(sample.ok()) << sample.status().message();
    std::printf("SampleInput K=%d: %llu keys in %.2f ms (%.2f us each)\n", k, (unsigned long long)n, seconds * 1e3,
                seconds * 1e6 / double(n));
    EXPECT_EQ(*sample, SampleRecords(mem.data(), kCount, 2, n, 77, RecordShape{})) << "K=" << k;
    uint64_t straddling = 0, wrong = 0;
    for (const SplitKey& s : *sample) {
      EXPECT_EQ(s.rank, 2u);
      wrong += std::memcmp(s.key.data(), &mem[s.position * kRecordSize], kKeySize) != 0;
      const uint64_t off = s.position * kRecordSize;
      straddling += off / kUnit != (off + kKeySize - 1) / kUnit;
    }
    EXPECT_EQ(wrong, 0u) << "K=" << k;
    EXPECT_GT(straddling, 0u) << "K=" << k << ": no sampled key straddles a stripe unit";

    // n >= count: every record once, in order.
    auto census = SampleInput(members, options, 2, kCount, 77, RecordShape{});
    ASSERT_TRUE(census.ok()) << census.status().message();
    ASSERT_EQ(census->size(), kCount);
    EXPECT_EQ(*census, SampleRecords(mem.data(), kCount, 2, kCount + 5, 1, RecordShape{})) << "K=" << k;

    // Different seeds and ranks draw different positions.
    auto other = SampleInput(members, options, 3, 50, 77, RecordShape{});
    ASSERT_TRUE(other.ok());
    EXPECT_NE((*other)[0].position + (*other)[1].position, (*sample)[0].position + (*sample)[1].position);
  }
}

TEST(SampleInput, EmptyPartitionAndZeroSample) {
  test::TempDir dir;
  const std::string path = dir.File("empty");
  test::WriteFile(path, "");
  DiskOptions options;
  auto s = SampleInput({path}, options, 0, 100, 1, RecordShape{});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_TRUE(s->empty());
  test::WriteFile(path, std::string(1000, 'x'));
  s = SampleInput({path}, options, 0, 0, 1, RecordShape{});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->empty());
  EXPECT_TRUE(SampleRecords(nullptr, 0, 0, 10, 1, RecordShape{}).empty());
}

TEST(SampleInput, BadPaths) {
  test::TempDir dir;
  DiskOptions options;
  auto missing = SampleInput({dir.File("nope")}, options, 0, 10, 1, RecordShape{});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir.File("nope")), std::string::npos) << missing.status().message();

  const std::string odd = dir.File("odd");
  test::WriteFile(odd, std::string(1050, 'x'));
  auto bad = SampleInput({odd}, options, 0, 10, 1, RecordShape{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), odd + ": size 1050 is not a multiple of 100 bytes (--record-size)");
}

}  // namespace
}  // namespace rs::partition
