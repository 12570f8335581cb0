// partition/splitter.cpp — the uniform and sample splitters: boundaries and routing.
//
// Route() reads a key as an 8-byte big-endian prefix and a 2-byte suffix, so comparing a record
// with a boundary is two integer compares; rank and position are looked at only when the whole
// key equals the boundary's key.
#include "partition/splitter.hpp"

#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>

#include "core/record.hpp"
#include "core/uint128.hpp"

namespace rs::partition {

namespace {

inline uint64_t LoadPrefix(const uint8_t* key) { return LoadKeyWords(key).hi; }
inline uint16_t LoadSuffix(const uint8_t* key) { return LoadKeyWords(key).lo; }

void CheckPartsOrDie(int parts) {
  if (parts < 1 || parts > kMaxParts) {
    std::fprintf(stderr, "riversort: splitter: parts %d is outside 1..%d\n", parts, kMaxParts);
    std::abort();
  }
}

// ---- uniform ----

// The smallest SplitKey whose 8-byte prefix is `prefix`.
SplitKey PrefixKey(uint64_t prefix) {
  SplitKey k;
  uint64_t be = __builtin_bswap64(prefix);
  std::memcpy(k.key.data(), &be, 8);
  return k;
}

std::vector<SplitKey> UniformBoundaries(int parts) {
  // Part j starts at the smallest prefix p with ⌊p·P / 2^64⌋ >= j, i.e. p = ⌈j·2^64 / P⌉.
  std::vector<SplitKey> b;
  for (int j = 1; j < parts; ++j) {
    u128 p = ((u128(unsigned(j)) << 64) + unsigned(parts) - 1) / unsigned(parts);
    b.push_back(PrefixKey(uint64_t(p)));
  }
  return b;
}

class UniformSplitter final : public Splitter {
 public:
  explicit UniformSplitter(int parts) : Splitter(parts, UniformBoundaries(parts)) {}
  const char* name() const override { return "uniform"; }
  void Route(const uint8_t* records, uint64_t count, uint32_t /*rank*/, uint64_t /*first_position*/,
             uint16_t* dest) const override {
    const u128 p = unsigned(parts());
    for (uint64_t i = 0; i < count; ++i) {
      dest[i] = uint16_t((u128(LoadPrefix(records + i * kRecordSize)) * p) >> 64);
    }
  }
};

// ---- sample ----

class SampleSplitter final : public Splitter {
 public:
  SampleSplitter(int parts, std::vector<SplitKey> boundaries) : Splitter(parts, std::move(boundaries)) {
    for (const SplitKey& b : this->boundaries()) {
      prefix_.push_back(LoadPrefix(b.key.data()));
      suffix_.push_back(LoadSuffix(b.key.data()));
      rank_.push_back(b.rank);
      position_.push_back(b.position);
    }
  }
  const char* name() const override { return "sample"; }

  void Route(const uint8_t* records, uint64_t count, uint32_t rank, uint64_t first_position,
             uint16_t* dest) const override {
    const size_t m = prefix_.size();
    for (uint64_t i = 0; i < count; ++i) {
      const uint8_t* key = records + i * kRecordSize;
      const uint64_t p = LoadPrefix(key);
      const uint16_t q = LoadSuffix(key);
      const uint64_t pos = first_position + i;
      // dest = number of boundaries <= the record (upper bound).
      size_t lo = 0, n = m;
      while (n > 0) {
        const size_t half = n / 2, mid = lo + half;
        bool le;
        if (prefix_[mid] != p) {
          le = prefix_[mid] < p;
        } else if (suffix_[mid] != q) {
          le = suffix_[mid] < q;
        } else {
          le = rank_[mid] < rank || (rank_[mid] == rank && position_[mid] <= pos);
        }
        if (le) {
          lo = mid + 1;
          n -= half + 1;
        } else {
          n = half;
        }
      }
      dest[i] = uint16_t(lo);
    }
  }

 private:
  // The boundaries split into columns: the search touches prefixes almost only.
  std::vector<uint64_t> prefix_;
  std::vector<uint16_t> suffix_;
  std::vector<uint32_t> rank_;
  std::vector<uint64_t> position_;
};

// Wire format of one rank's contribution: parts (u32), local_records (u64), sample count (u64),
// then per sample the key (10 bytes), rank (u32) and position (u64); integers little-endian.
constexpr size_t kHeaderBytes = 4 + 8 + 8;
constexpr size_t kEntryBytes = kKeySize + 4 + 8;

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

std::string Encode(const std::vector<SplitKey>& sample, uint64_t local_records, int parts) {
  std::string out;
  out.reserve(kHeaderBytes + sample.size() * kEntryBytes);
  PutLe<uint32_t>(&out, uint32_t(parts));
  PutLe<uint64_t>(&out, local_records);
  PutLe<uint64_t>(&out, sample.size());
  for (const SplitKey& k : sample) {
    out.append(reinterpret_cast<const char*>(k.key.data()), kKeySize);
    PutLe<uint32_t>(&out, k.rank);
    PutLe<uint64_t>(&out, k.position);
  }
  return out;
}

struct Contribution {
  int parts = 0;
  uint64_t records = 0;
  uint64_t samples = 0;
  const char* entries = nullptr;
};

Status Decode(const std::string& bytes, int sender, Contribution* c) {
  if (bytes.size() < kHeaderBytes) {
    return Status::Error("sample splitter: rank " + std::to_string(sender) + " sent a truncated sample");
  }
  c->parts = int(GetLe<uint32_t>(bytes.data()));
  c->records = GetLe<uint64_t>(bytes.data() + 4);
  c->samples = GetLe<uint64_t>(bytes.data() + 12);
  c->entries = bytes.data() + kHeaderBytes;
  if ((bytes.size() - kHeaderBytes) / kEntryBytes != c->samples || (bytes.size() - kHeaderBytes) % kEntryBytes != 0) {
    return Status::Error("sample splitter: rank " + std::to_string(sender) + " sent a malformed sample");
  }
  return Status::Ok();
}

}  // namespace

SplitKey MakeSplitKey(const uint8_t* record, uint32_t rank, uint64_t position) {
  SplitKey k;
  std::memcpy(k.key.data(), record, kKeySize);
  k.rank = rank;
  k.position = position;
  return k;
}

int Splitter::Destination(const SplitKey& key) const {
  return int(std::upper_bound(boundaries_.begin(), boundaries_.end(), key) - boundaries_.begin());
}

std::unique_ptr<Splitter> MakeUniformSplitter(int parts) {
  CheckPartsOrDie(parts);
  return std::make_unique<UniformSplitter>(parts);
}

Result<std::unique_ptr<Splitter>> MakeSampleSplitter(Comm& comm, const std::vector<SplitKey>& local_sample,
                                                     uint64_t local_records, int parts) {
  // Everybody takes part in the gather even with bad arguments, so every rank sees the same
  // contributions and returns the same verdict.
  const std::vector<std::string> all = comm.AllGather(Encode(local_sample, local_records, parts));
  std::vector<Contribution> from(all.size());
  for (int r = 0; r < int(all.size()); ++r) RS_RETURN_IF_ERROR(Decode(all[size_t(r)], r, &from[size_t(r)]));
  for (int r = 0; r < int(from.size()); ++r) {
    const Contribution& c = from[size_t(r)];
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
  if (parts == 1) return std::unique_ptr<Splitter>(std::make_unique<SampleSplitter>(1, std::vector<SplitKey>{}));

  // Every sample with its sender, as integers: (key prefix, key suffix and rank, position,
  // sender) sorts in SplitKey order, then by sender — a total order on distinct entries, so the
  // parallel sort's result (and every boundary) is the same on every rank.
  struct Entry {
    uint64_t prefix;
    uint64_t suffix_rank;  // key bytes 8-9 above the origin rank
    uint64_t position;
    uint32_t sender;
    bool operator<(const Entry& o) const {
      return std::tie(prefix, suffix_rank, position, sender) < std::tie(o.prefix, o.suffix_rank, o.position, o.sender);
    }
    bool SameKey(const Entry& o) const {
      return prefix == o.prefix && suffix_rank == o.suffix_rank && position == o.position;
    }
    SplitKey ToSplitKey() const {
      SplitKey k = PrefixKey(prefix);
      k.key[8] = uint8_t(suffix_rank >> 40);
      k.key[9] = uint8_t(suffix_rank >> 32);
      k.rank = uint32_t(suffix_rank);
      k.position = position;
      return k;
    }
  };
  std::vector<Entry> entries;
  uint64_t total_samples = 0;
  long double total_records = 0;
  for (const Contribution& c : from) {
    total_samples += c.samples;
    total_records += (long double)c.records;
  }
  entries.reserve(total_samples);
  for (int r = 0; r < int(from.size()); ++r) {
    const Contribution& c = from[size_t(r)];
    for (uint64_t i = 0; i < c.samples; ++i) {
      const uint8_t* e = reinterpret_cast<const uint8_t*>(c.entries + i * kEntryBytes);
      entries.push_back({LoadPrefix(e),
                         (uint64_t(LoadSuffix(e)) << 32) | GetLe<uint32_t>(c.entries + i * kEntryBytes + kKeySize),
                         GetLe<uint64_t>(c.entries + i * kEntryBytes + kKeySize + 4), uint32_t(r)});
    }
  }
  if (entries.empty()) {
    return std::unique_ptr<Splitter>(std::make_unique<SampleSplitter>(parts, std::vector<SplitKey>{}));
  }
  tbb::parallel_sort(entries.begin(), entries.end());

  // Each sample of rank r stands for N_r / n_r records (exactly 1 in a census). Boundary j is
  // the first sampled SplitKey v whose estimated count of records <= v exceeds T_j = j·N/P,
  // compared as cum·P > j·N (exact in long double for a census: integers below 2^64).
  std::vector<long double> weight(from.size(), 0);
  for (size_t r = 0; r < from.size(); ++r) {
    if (from[r].samples > 0) weight[r] = (long double)from[r].records / (long double)from[r].samples;
  }
  std::vector<SplitKey> boundaries;
  boundaries.reserve(size_t(parts - 1));
  long double cum = 0;
  int j = 1;
  for (size_t i = 0; i < entries.size() && j < parts; ++i) {
    cum += weight[entries[i].sender];
    // Copies of one record (drawn twice) count together: test after the last copy.
    if (i + 1 < entries.size() && entries[i + 1].SameKey(entries[i])) continue;
    while (j < parts && cum * parts > (long double)j * total_records) {
      boundaries.push_back(entries[i].ToSplitKey());
      ++j;
    }
  }
  // Rounding can leave the last boundaries unset only if cum ends a hair below N; they go last.
  while (int(boundaries.size()) < parts - 1) boundaries.push_back(entries.back().ToSplitKey());
  return std::unique_ptr<Splitter>(std::make_unique<SampleSplitter>(parts, std::move(boundaries)));
}

Result<std::unique_ptr<Splitter>> MakeSampleSplitter(Comm& comm, const std::vector<SplitKey>& local_sample, int parts) {
  return MakeSampleSplitter(comm, local_sample, local_sample.size(), parts);
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
