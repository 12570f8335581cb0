// partition/splitter.cpp — the uniform and sample splitters: boundaries and routing.
//
// Route() reads a key's first 10 bytes (zero-padded past a shorter key) as an 8-byte big-endian
// prefix and a 2-byte suffix, so comparing a record with a boundary is two integer compares; the
// rest of a longer key is compared only when those 10 bytes are equal, and rank and position only
// when the whole key equals the boundary's key.
#include "partition/splitter.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "core/key_prefix.hpp"
#include "core/record.hpp"
#include "core/uint128.hpp"
#include "partition/parallel_selection.hpp"
#include "partition/sorted_keys.hpp"

namespace rs::partition {

namespace {

// A key's first 10 bytes as Route reads them from a record: zero-padded past a shorter key.
KeyWords LoadPadded(const Key& key) {
  uint8_t padded[kKeySize] = {};
  std::memcpy(padded, key.data(), std::min<size_t>(kKeySize, key.size()));
  return LoadKeyWords(padded);
}

// The keys and positions of one rank's sample in SplitKey order. Sorted as an index by the keys'
// first 10 bytes read as integers (the sort entries' key words, core/key_prefix.hpp), the whole
// SplitKeys compared only where those tie: with the SplitKeys themselves sorted (keys compared as
// strings) the splitter cost 0.21-0.22 µs a sample at 74,192 per part, with this 0.12-0.13
// (docs/partition.md#a-larger-sample-from-memory).
void SortLocalSample(const std::vector<SplitKey>& sample, std::vector<Key>* keys, std::vector<uint64_t>* positions) {
  struct Item {
    uint64_t hi;  // key bytes 0-7
    uint16_t lo;  // key bytes 8-9
    size_t index;
  };
  std::vector<Item> order(sample.size());
  for (size_t i = 0; i < sample.size(); ++i) {
    const KeyWords w = LoadPadded(sample[i].key);
    order[i] = {w.hi, w.lo, i};
  }
  std::sort(order.begin(), order.end(), [&](const Item& a, const Item& b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    if (a.lo != b.lo) return a.lo < b.lo;
    return sample[a.index] < sample[b.index];
  });
  keys->resize(sample.size());
  positions->resize(sample.size());
  for (size_t i = 0; i < order.size(); ++i) {
    (*keys)[i] = sample[order[i].index].key;
    (*positions)[i] = sample[order[i].index].position;
  }
}

void CheckPartsOrDie(int parts) {
  if (parts < 1 || parts > kMaxParts) {
    std::fprintf(stderr, "riversort: splitter: parts %d is outside 1..%d\n", parts, kMaxParts);
    std::abort();
  }
}

// ---- uniform ----

// The smallest SplitKey of K-byte keys whose zero-padded 8-byte prefix is at least `prefix`: the
// prefix's bytes, then zeros; for K < 8 its first K bytes, rounded up when the bytes cut off are
// not zero. When no K-byte key reaches the prefix, the greatest SplitKey (all-0xFF key, last rank
// and position), which every record is below.
SplitKey PrefixKey(uint64_t prefix, size_t key_size) {
  uint8_t be[8];
  PutBigEndian(prefix, 8, be);
  std::vector<uint8_t> key(key_size, 0);
  const size_t kept = std::min<size_t>(8, key_size);
  std::memcpy(key.data(), be, kept);
  SplitKey k;
  if (std::any_of(be + kept, be + 8, [](uint8_t b) { return b != 0; })) {
    size_t i = kept;
    while (i > 0 && key[i - 1] == 0xFF) key[--i] = 0;
    if (i == 0) {
      k.key = Key(std::vector<uint8_t>(key_size, 0xFF).data(), key_size);
      k.rank = UINT32_MAX;
      k.position = UINT64_MAX;
      return k;
    }
    ++key[i - 1];
  }
  k.key = Key(key.data(), key_size);
  return k;
}

std::vector<SplitKey> UniformBoundaries(int parts, size_t key_size) {
  // Part j starts at the smallest prefix p with ⌊p·P / 2^64⌋ >= j, i.e. p = ⌈j·2^64 / P⌉.
  std::vector<SplitKey> b;
  for (int j = 1; j < parts; ++j) {
    u128 p = ((u128(unsigned(j)) << 64) + unsigned(parts) - 1) / unsigned(parts);
    b.push_back(PrefixKey(uint64_t(p), key_size));
  }
  return b;
}

class UniformSplitter final : public Splitter {
 public:
  UniformSplitter(int parts, const RecordShape& shape)
      : Splitter(parts, UniformBoundaries(parts, shape.key_size), shape) {}
  const char* name() const override { return "uniform"; }
  void Route(const uint8_t* records, uint64_t count, uint32_t /*rank*/, uint64_t /*first_position*/,
             uint16_t* dest) const override {
    WithKeyPrefix(shape(), [&](const auto& prefix) {
      const u128 p = unsigned(parts());
      const auto size = prefix.record_size();
      for (uint64_t i = 0; i < count; ++i) {
        dest[i] = uint16_t((u128(prefix(records + i * size).hi) * p) >> 64);
      }
    });
  }
};

// ---- sample ----

class SampleSplitter final : public Splitter {
 public:
  SampleSplitter(int parts, std::vector<SplitKey> boundaries, const RecordShape& shape)
      : Splitter(parts, std::move(boundaries), shape) {
    for (const SplitKey& b : this->boundaries()) {
      const KeyWords w = LoadPadded(b.key);
      prefix_.push_back(w.hi);
      suffix_.push_back(w.lo);
      rank_.push_back(b.rank);
      position_.push_back(b.position);
    }
  }
  const char* name() const override { return "sample"; }

  void Route(const uint8_t* records, uint64_t count, uint32_t rank, uint64_t first_position,
             uint16_t* dest) const override {
    WithKeyPrefix(shape(),
                  [&](const auto& prefix) { RouteRecords(prefix, records, count, rank, first_position, dest); });
  }

 private:
  template <class Prefix>
  void RouteRecords(const Prefix& prefix, const uint8_t* records, uint64_t count, uint32_t rank,
                    uint64_t first_position, uint16_t* dest) const {
    const size_t m = prefix_.size();
    const auto size = prefix.record_size();
    if (m == 0) {
      std::fill_n(dest, count, uint16_t(0));
      return;
    }
    const uint64_t* const prefixes = prefix_.data();
    for (uint64_t i = 0; i < count; ++i) {
      const uint8_t* record = records + i * size;
      const KeyWords key = prefix(record);
      const uint64_t p = key.hi;
      // Boundaries whose first 8 key bytes are below the record's: a binary search whose steps
      // depend on m only, each a conditional move. A search that branches on the keys guesses
      // a random key's way wrong half the time at every step (with it, routing and copying took
      // 9.1 ns per 64-byte record into 2 parts; with this search and PartitionSink's blocks 4.7:
      // docs/partition.md#routing-and-copying-what-a-record-costs). Only a boundary with the
      // record's own first 8 bytes needs the whole compare: rare for keys of any spread, every
      // record for all-equal keys (as before).
      size_t below = 0;
      for (size_t n = m; n > 1;) {
        const size_t half = n / 2;
        below = prefixes[below + half - 1] < p ? below + half : below;
        n -= half;
      }
      below += prefixes[below] < p ? 1 : 0;
      if (prefixes[std::min(below, m - 1)] == p) [[unlikely]] {
        below = UpperBound(record, key, rank, first_position + i, below);
      }
      dest[i] = uint16_t(below);
    }
  }

  // The boundaries <= the record (upper bound) in the whole order (key, then rank and position),
  // given that the first `from` boundaries' prefixes are below the record's.
  size_t UpperBound(const uint8_t* record, KeyWords key, uint32_t rank, uint64_t pos, size_t from) const {
    // Bytes of the key past its first 10: compared only when those are equal to a boundary's.
    const size_t rest_at = shape().key_offset + kKeySize;
    const size_t rest = shape().key_size > kKeySize ? shape().key_size - kKeySize : 0;
    const uint64_t p = key.hi;
    const uint16_t q = key.lo;
    size_t lo = from, n = prefix_.size() - from;
    while (n > 0) {
      const size_t half = n / 2, mid = lo + half;
      bool le;
      if (prefix_[mid] != p) {
        le = prefix_[mid] < p;
      } else if (suffix_[mid] != q) {
        le = suffix_[mid] < q;
      } else {
        const int c = rest == 0 ? 0 : std::memcmp(boundaries()[mid].key.data() + kKeySize, record + rest_at, rest);
        le = c != 0 ? c < 0 : rank_[mid] < rank || (rank_[mid] == rank && position_[mid] <= pos);
      }
      if (le) {
        lo = mid + 1;
        n -= half + 1;
      } else {
        n = half;
      }
    }
    return lo;
  }

  // The boundaries split into columns: the search touches prefixes almost only.
  std::vector<uint64_t> prefix_;
  std::vector<uint16_t> suffix_;
  std::vector<uint32_t> rank_;
  std::vector<uint64_t> position_;
};

// Each rank's header for the checks, which name ranks: parts (u32), local_records (u64), sample
// count (u64), little-endian. 20 bytes per rank; the sample itself goes through parallel selection.
constexpr size_t kHeaderBytes = 4 + 8 + 8;

template <typename T>
void PutLe(std::string* out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out->push_back(char(uint8_t(v >> (8 * i))));
}

template <typename T>
T GetLe(const char* p) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= T(uint8_t(p[i])) << (8 * i);
  return v;
}

std::string EncodeHeader(uint64_t samples, uint64_t local_records, int parts) {
  std::string out;
  PutLe<uint32_t>(&out, uint32_t(parts));
  PutLe<uint64_t>(&out, local_records);
  PutLe<uint64_t>(&out, samples);
  return out;
}

struct Contribution {
  int parts = 0;
  uint64_t records = 0;
  uint64_t samples = 0;
};

Status Decode(const std::string& bytes, int sender, Contribution* c) {
  if (bytes.size() != kHeaderBytes) {
    return Status::Error("sample splitter: rank " + std::to_string(sender) + " sent a malformed header");
  }
  c->parts = int(GetLe<uint32_t>(bytes.data()));
  c->records = GetLe<uint64_t>(bytes.data() + 4);
  c->samples = GetLe<uint64_t>(bytes.data() + 12);
  return Status::Ok();
}

}  // namespace

SplitKey MakeSplitKey(const uint8_t* record, uint32_t rank, uint64_t position, const RecordShape& shape) {
  return SplitKey{Key::Of(record, shape), rank, position};
}

int Splitter::Destination(const SplitKey& key) const {
  return int(std::upper_bound(boundaries_.begin(), boundaries_.end(), key) - boundaries_.begin());
}

std::unique_ptr<Splitter> MakeUniformSplitter(int parts, const RecordShape& shape) {
  CheckPartsOrDie(parts);
  return std::make_unique<UniformSplitter>(parts, shape);
}

Result<std::unique_ptr<Splitter>> MakeSampleSplitter(Comm& comm, const std::vector<SplitKey>& local_sample,
                                                     uint64_t local_records, int parts,
                                                     const std::vector<uint64_t>& shares, const RecordShape& shape) {
  // Everybody takes part in the gather even with bad arguments, so every rank sees the same
  // headers and returns the same verdict.
  const std::vector<std::string> all = comm.AllGather(EncodeHeader(local_sample.size(), local_records, parts));
  std::vector<Contribution> from(all.size());
  for (int r = 0; r < int(all.size()); ++r) RS_RETURN_IF_ERROR(Decode(all[size_t(r)], r, &from[size_t(r)]));
  uint64_t total_samples = 0;
  for (int r = 0; r < int(from.size()); ++r) {
    const Contribution& c = from[size_t(r)];
    total_samples += c.samples;
    if (c.parts < 1 || c.parts > kMaxParts) {
      return Status::Error("sample splitter: rank " + std::to_string(r) + " asked for " + std::to_string(c.parts) +
                           " parts; allowed 1 .. " + std::to_string(kMaxParts));
    }
    if (c.parts != from[0].parts) {
      return Status::Error("sample splitter: rank 0 asked for " + std::to_string(from[0].parts) + " parts but rank " +
                           std::to_string(r) + " for " + std::to_string(c.parts));
    }
    if (c.parts > 1 && c.records > 0 && c.samples == 0) {
      return Status::Error("sample splitter: rank " + std::to_string(r) + " holds " + std::to_string(c.records) +
                           " records but sent an empty sample");
    }
    if (c.records == 0 && c.samples > 0) {
      return Status::Error("sample splitter: rank " + std::to_string(r) + " sent " + std::to_string(c.samples) +
                           " samples of an empty partition");
    }
  }
  if (parts == 1 || total_samples == 0) {
    return std::unique_ptr<Splitter>(std::make_unique<SampleSplitter>(parts, std::vector<SplitKey>{}, shape));
  }

  // The boundaries are the exact quantiles of the union of the samples, found by parallel
  // selection without moving the sample (docs/partition.md): boundary j is the sample of global
  // rank ⌊j·s/P⌋ in SplitKey order. Selection orders by (key, holder rank, index in the holder's
  // sorted sample), which is SplitKey order when every rank's sample is its own records.
  Status mine;
  for (const SplitKey& k : local_sample) {
    if (k.rank != uint32_t(comm.rank())) {
      mine = Status::Error("sample splitter: a sample of records from rank " + std::to_string(k.rank) +
                           " (each rank samples its own records)");
      break;
    }
  }
  RS_RETURN_IF_ERROR(AgreeOnStatus(comm, mine));
  // The sample in SplitKey order (all of one rank: key, then position), as a copy of its keys and
  // positions: two copies of the sample at the peak, the caller's and this one
  // (docs/scale.md#splitters-docspartitionmd).
  std::vector<Key> keys;
  std::vector<uint64_t> positions;
  SortLocalSample(local_sample, &keys, &positions);
  KeyArraySortedKeys view(keys.data(), keys.size(), shape.key_size);
  SelectOptions options;
  options.parts = parts;
  options.shares = shares;
  options.tag = [&positions](uint64_t index) { return positions[index]; };
  Result<Selection> selected = SelectBoundaries(comm, view, options);
  if (!selected.ok()) return selected.status();
  std::vector<SplitKey> boundaries;
  boundaries.reserve(selected->boundaries.size());
  for (const BoundaryElement& e : selected->boundaries) boundaries.push_back({e.key, e.rank, e.tag});
  return std::unique_ptr<Splitter>(std::make_unique<SampleSplitter>(parts, std::move(boundaries), shape));
}

std::unique_ptr<Splitter> MakeSplitterFromBoundaries(int parts, std::vector<SplitKey> boundaries,
                                                     const RecordShape& shape) {
  return std::make_unique<SampleSplitter>(parts, std::move(boundaries), shape);
}

Result<std::unique_ptr<Splitter>> MakeSampleSplitter(Comm& comm, const std::vector<SplitKey>& local_sample, int parts,
                                                     const RecordShape& shape) {
  return MakeSampleSplitter(comm, local_sample, local_sample.size(), parts, {}, shape);
}

double Imbalance(std::span<const uint64_t> records_per_part) {
  uint64_t total = 0, max = 0;
  for (uint64_t c : records_per_part) {
    total += c;
    max = std::max(max, c);
  }
  if (total == 0) return 1.0;
  return double(max) * double(records_per_part.size()) / double(total);
}

}  // namespace rs::partition
