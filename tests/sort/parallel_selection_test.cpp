// tests/sort/parallel_selection_test.cpp — exact parallel selection against a brute-force global
// (key, rank, position) order on 1..7 loopback ranks (random, duplicated and equal keys; uneven,
// empty and tiny ranks), its rounds and its errors; FileSortedKeys against MemorySortedKeys (plain
// and striped files, block edges) and its errors (truncated file, wrong index).
#include "partition/parallel_selection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <compare>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/loopback_comm.hpp"
#include "core/uint128.hpp"
#include "partition/sorted_keys.hpp"
#include "sort/selection/file_sorted_keys.hpp"
#include "tests/support/stripe_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs::partition {
namespace {

using sort::FileSortedKeys;

using Records = std::vector<uint8_t>;
using KeyBytes = std::array<uint8_t, kKeySize>;

// gensort's records: the tests below were written for them (other shapes: tests/cli/shape_test.sh).
const RecordShape kShape{};
Key KeyOf(const uint8_t* record) { return Key::Of(record, kShape); }
Key MakeKey(const KeyBytes& b) { return Key(b.data(), b.size()); }
// Ten bytes of `fill`, the last one `last`.
Key Filled(uint8_t fill, uint8_t last) {
  KeyBytes b;
  b.fill(fill);
  b.back() = last;
  return MakeKey(b);
}
const Key kZeroKey = Filled(0, 0);
const Key kTopKey = Filled(0xFF, 0xFF);

enum class Keys { kUniform, kThreeValues, kTenValues, kAllEqual };

Key RandomKey(Keys keys, std::mt19937_64& rng) {
  KeyBytes key;
  key.fill(0x5A);  // the duplicated keys share a long prefix, so compares reach the last byte
  switch (keys) {
    case Keys::kUniform:
      for (auto& byte : key) byte = uint8_t(rng());
      break;
    case Keys::kThreeValues:
      key.back() = uint8_t(rng() % 3);
      break;
    case Keys::kTenValues:
      key.back() = uint8_t(2 * (rng() % 10) + 1);  // odd, so even bytes probe between the values
      break;
    case Keys::kAllEqual:
      break;
  }
  return MakeKey(key);
}

// `count` records sorted by key; each payload holds the record's position, as in a real work file.
Records SortedRecords(uint64_t count, Keys keys, std::mt19937_64& rng) {
  std::vector<Key> k(count);
  for (auto& key : k) key = RandomKey(keys, rng);
  std::sort(k.begin(), k.end());
  Records r(count * kRecordSize, 0);
  for (uint64_t i = 0; i < count; ++i) {
    std::memcpy(r.data() + i * kRecordSize, k[i].data(), kKeySize);
    std::memcpy(r.data() + i * kRecordSize + kKeySize, &i, sizeof i);
  }
  return r;
}

uint64_t Count(const Records& r) { return r.size() / kRecordSize; }

uint64_t Target(size_t j, uint64_t total, size_t parts) { return uint64_t(u128(j) * total / parts); }

// The answer by brute force: sort every record of every rank by (key, rank, position) and count,
// for each boundary j, how many of the k_j smallest come from each rank.
std::vector<std::vector<uint64_t>> BruteForceCuts(const std::vector<Records>& ranks) {
  struct Element {
    Key key;
    size_t rank;
    uint64_t pos;
    auto operator<=>(const Element&) const = default;
  };
  const size_t parts = ranks.size();
  std::vector<Element> all;
  for (size_t q = 0; q < parts; ++q) {
    for (uint64_t i = 0; i < Count(ranks[q]); ++i) all.push_back({KeyOf(ranks[q].data() + i * kRecordSize), q, i});
  }
  std::sort(all.begin(), all.end());
  std::vector<std::vector<uint64_t>> cuts(parts, std::vector<uint64_t>(parts + 1, 0));
  std::vector<uint64_t> taken(parts, 0);
  size_t next = 0;
  for (size_t j = 0; j <= parts; ++j) {
    for (const uint64_t k = Target(j, all.size(), parts); next < k; ++next) ++taken[all[next].rank];
    for (size_t q = 0; q < parts; ++q) cuts[q][j] = taken[q];
  }
  return cuts;
}

struct Outcome {
  std::vector<Selection> selections;  // by rank
  std::vector<Status> statuses;       // by rank
};

// Runs SelectBoundaries on one loopback rank per element of `keys` (rank q queries keys[q]).
Outcome RunSelection(const std::vector<std::unique_ptr<SortedKeys>>& keys) {
  const size_t parts = keys.size();
  Outcome out;
  out.selections.resize(parts);
  out.statuses.resize(parts);
  LoopbackGroup(int(parts)).Run([&](Comm& comm) {
    const size_t me = size_t(comm.rank());
    Result<Selection> s = SelectBoundaries(comm, *keys[me]);
    out.statuses[me] = s.status();
    if (s.ok()) out.selections[me] = std::move(*s);
  });
  return out;
}

std::vector<std::unique_ptr<SortedKeys>> InMemory(const std::vector<Records>& ranks) {
  std::vector<std::unique_ptr<SortedKeys>> keys;
  for (const Records& r : ranks) keys.push_back(std::make_unique<MemorySortedKeys>(r.data(), Count(r), kShape));
  return keys;
}

// Every rank got its row and column of the brute-force cuts in the same number of rounds (within
// the cap), and every output rank's share is exactly k_{r+1} − k_r records. Returns the rounds.
int ExpectExact(const std::vector<Records>& ranks, const Outcome& out) {
  const auto expected = BruteForceCuts(ranks);
  const size_t parts = ranks.size();
  uint64_t total = 0;
  for (const auto& r : ranks) total += Count(r);
  for (size_t r = 0; r < parts; ++r) {
    const Selection& sel = out.selections[r];
    EXPECT_TRUE(out.statuses[r].ok()) << "rank " << r << ": " << out.statuses[r].message();
    EXPECT_EQ(sel.row, expected[r]) << "rank " << r;
    EXPECT_EQ(sel.total, total) << "rank " << r;
    EXPECT_EQ(sel.rounds, out.selections[0].rounds) << "rank " << r;
    if (sel.column.size() != parts) {
      ADD_FAILURE() << "rank " << r << ": column of " << sel.column.size();
      continue;
    }
    uint64_t share = 0;
    for (size_t q = 0; q < parts; ++q) {
      EXPECT_EQ(sel.column[q].first, expected[q][r]) << "rank " << r << ", from " << q;
      EXPECT_EQ(sel.column[q].second, expected[q][r + 1]) << "rank " << r << ", from " << q;
      share += sel.column[q].second - sel.column[q].first;
    }
    EXPECT_EQ(share, Target(r + 1, total, parts) - Target(r, total, parts)) << "output rank " << r;
  }
  EXPECT_LE(out.selections[0].rounds, MaxSelectionRounds(total));
  return out.selections[0].rounds;
}

struct Case {
  const char* name;
  Keys keys;
  std::function<uint64_t(int rank, int parts, std::mt19937_64& rng)> count;
};

TEST(ParallelSelection, ExactOnAllShapes) {
  const std::vector<Case> cases = {
      {"uniform", Keys::kUniform, [](int, int, std::mt19937_64& rng) { return 200 + rng() % 100; }},
      {"three key values", Keys::kThreeValues, [](int, int, std::mt19937_64& rng) { return 200 + rng() % 100; }},
      {"all keys equal", Keys::kAllEqual, [](int, int, std::mt19937_64& rng) { return 200 + rng() % 100; }},
      {"uneven counts", Keys::kUniform, [](int q, int, std::mt19937_64&) { return uint64_t(q % 2 ? 1 + 7 * q : 900); }},
      {"uneven duplicated", Keys::kThreeValues,
       [](int q, int, std::mt19937_64&) { return 1 + 97 * uint64_t(q) * uint64_t(q); }},
      {"some ranks empty", Keys::kUniform, [](int q, int, std::mt19937_64&) { return uint64_t(q % 2 ? 0 : 300); }},
      {"some empty, duplicated", Keys::kThreeValues,
       [](int q, int, std::mt19937_64&) { return uint64_t(q % 3 ? 50 : 0); }},
      {"all ranks empty", Keys::kUniform, [](int, int, std::mt19937_64&) { return uint64_t(0); }},
      {"fewer records than ranks", Keys::kUniform, [](int q, int, std::mt19937_64&) { return uint64_t(q > 0); }},
      {"one record, last rank", Keys::kUniform, [](int q, int p, std::mt19937_64&) { return uint64_t(q == p - 1); }},
      {"equal keys, fewer than ranks", Keys::kAllEqual, [](int q, int, std::mt19937_64&) { return uint64_t(q > 0); }},
  };
  for (int parts : {1, 2, 3, 4, 5, 7}) {
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(c.name) + ", " + std::to_string(parts) + " ranks");
      std::mt19937_64 rng(uint64_t(parts) * 1000 + uint64_t(c.keys));
      std::vector<Records> ranks;
      for (int q = 0; q < parts; ++q) ranks.push_back(SortedRecords(c.count(q, parts, rng), c.keys, rng));
      ExpectExact(ranks, RunSelection(InMemory(ranks)));
    }
  }
}

// Many small random shapes: rank count, records per rank (often zero) and key spread all vary.
TEST(ParallelSelection, ExactOnRandomShapes) {
  std::mt19937_64 rng(13);
  for (int trial = 0; trial < 300; ++trial) {
    const int parts = 1 + int(rng() % 7);
    const Keys keys = Keys(rng() % 4);
    const uint64_t most = rng() % 4 == 0 ? 3 : 60;
    std::vector<Records> ranks;
    for (int q = 0; q < parts; ++q) ranks.push_back(SortedRecords(rng() % 3 == 0 ? 0 : rng() % (most + 1), keys, rng));
    SCOPED_TRACE("trial " + std::to_string(trial));
    ExpectExact(ranks, RunSelection(InMemory(ranks)));
  }
}

// The measured rounds for a million records on four ranks (reported as test properties).
TEST(ParallelSelection, MillionRecordsOnFourRanks) {
  for (Keys keys : {Keys::kUniform, Keys::kThreeValues}) {
    std::mt19937_64 rng(7);
    std::vector<Records> ranks;
    for (int q = 0; q < 4; ++q) ranks.push_back(SortedRecords(250000, keys, rng));
    const int rounds = ExpectExact(ranks, RunSelection(InMemory(ranks)));
    RecordProperty(keys == Keys::kUniform ? "rounds_uniform" : "rounds_three_values", rounds);
    EXPECT_LE(rounds, MaxSelectionRounds(1000000));
  }
}

TEST(ParallelSelection, RoundCap) {
  EXPECT_EQ(MaxSelectionRounds(0), 16);
  EXPECT_EQ(MaxSelectionRounds(1), 18);
  EXPECT_EQ(MaxSelectionRounds(1000000), 56);
  EXPECT_EQ(MaxSelectionRounds(10000000000ull), 84);
}

// Asked for, every rank gets every boundary's element (the first record of each output rank past
// the first) with the tag its holder gave it.
TEST(ParallelSelection, BoundaryElementsWithTags) {
  for (Keys shape : {Keys::kUniform, Keys::kThreeValues, Keys::kAllEqual}) {
    for (int parts : {2, 3, 5}) {
      SCOPED_TRACE(std::to_string(parts) + " ranks, keys " + std::to_string(int(shape)));
      std::mt19937_64 rng(uint64_t(parts) * 31 + uint64_t(shape));
      std::vector<Records> ranks;
      for (int q = 0; q < parts; ++q) ranks.push_back(SortedRecords(q == 1 ? 0 : 100 + rng() % 200, shape, rng));
      const auto keys = InMemory(ranks);
      std::vector<Selection> got(static_cast<size_t>(parts));
      LoopbackGroup(parts).Run([&](Comm& comm) {
        const size_t me = size_t(comm.rank());
        SelectOptions options;
        options.tag = [me](uint64_t index) { return me * 1000000 + index * 3; };
        auto s = SelectBoundaries(comm, *keys[me], options);
        EXPECT_TRUE(s.ok()) << s.status().message();
        if (s.ok()) got[me] = std::move(*s);
      });
      for (int r = 0; r < parts; ++r) {
        const Selection& sel = got[size_t(r)];
        ASSERT_EQ(sel.boundaries.size(), size_t(parts - 1)) << "rank " << r;
        for (int j = 1; j < parts; ++j) {
          // Output rank j's first record: the first non-empty range of its column, in rank order.
          const BoundaryElement& e = sel.boundaries[size_t(j - 1)];
          const Selection& owner_view = got[size_t(j)];
          uint32_t q = 0;
          while (q < uint32_t(parts) && owner_view.column[q].first == owner_view.column[q].second) ++q;
          ASSERT_LT(q, uint32_t(parts));
          // Among the non-empty ranges the smallest first element starts the part: the ranks'
          // first elements in (key, rank) order.
          Key best = KeyOf(ranks[q].data() + owner_view.column[q].first * kRecordSize);
          uint32_t best_rank = q;
          for (uint32_t o = q + 1; o < uint32_t(parts); ++o) {
            if (owner_view.column[o].first == owner_view.column[o].second) continue;
            const Key k = KeyOf(ranks[o].data() + owner_view.column[o].first * kRecordSize);
            if (k < best) best = k, best_rank = o;
          }
          EXPECT_EQ(e.key, best) << "boundary " << j;
          EXPECT_EQ(e.rank, best_rank) << "boundary " << j;
          EXPECT_EQ(e.index, owner_view.column[best_rank].first) << "boundary " << j;
          EXPECT_EQ(e.tag, uint64_t(best_rank) * 1000000 + e.index * 3) << "boundary " << j;
        }
      }
    }
  }
}

// Memory keys whose queries fail once `healthy` of them have succeeded, like a disk going bad.
class FailingKeys final : public SortedKeys {
 public:
  FailingKeys(const Records& r, int healthy)
      : SortedKeys(kKeySize), inner_(r.data(), Count(r), kShape), healthy_(healthy) {}
  uint64_t size() const override { return inner_.size(); }

 protected:
  Result<Key> ReadKey(uint64_t i) override {
    if (healthy_-- <= 0) return Status::Error("/d/work.1: read: Input/output error");
    return inner_.KeyAt(i);
  }
  Result<uint64_t> Search(const Key& key, uint64_t lo, uint64_t hi, bool upper) override {
    if (healthy_-- <= 0) return Status::Error("/d/work.1: read: Input/output error");
    return upper ? inner_.UpperBound(key, lo, hi) : inner_.LowerBound(key, lo, hi);
  }

 private:
  MemorySortedKeys inner_;
  int healthy_;
};

TEST(ParallelSelection, FailedQueryOnOneRankFailsEveryRankAlike) {
  std::mt19937_64 rng(3);
  std::vector<Records> ranks;
  for (int q = 0; q < 3; ++q) ranks.push_back(SortedRecords(1000, Keys::kUniform, rng));
  for (int healthy : {0, 1, 10}) {  // in round 0, in the first counting round, a few rounds later
    SCOPED_TRACE("healthy queries: " + std::to_string(healthy));
    std::vector<std::unique_ptr<SortedKeys>> keys = InMemory(ranks);
    keys[1] = std::make_unique<FailingKeys>(ranks[1], healthy);
    Outcome out = RunSelection(keys);
    for (const Status& st : out.statuses) EXPECT_EQ(st.message(), "rank 1: /d/work.1: read: Input/output error");
  }
}

// Keys of different lengths on different ranks (different --key-size) fail every rank alike, also
// when one rank's length is the mean of the others' (9, 10, 11), instead of reaching reductions
// whose element sizes differ.
TEST(ParallelSelection, KeysOfDifferentLengthsFailEveryRankAlike) {
  for (const std::vector<uint32_t>& sizes : {std::vector<uint32_t>{9, 10, 11}, std::vector<uint32_t>{10, 10, 8}}) {
    std::vector<std::vector<Key>> held(sizes.size());
    std::vector<std::unique_ptr<SortedKeys>> keys;
    for (size_t q = 0; q < sizes.size(); ++q) {
      const std::vector<uint8_t> bytes(sizes[q], uint8_t(q));
      held[q].assign(3, Key(bytes.data(), bytes.size()));
      keys.push_back(std::make_unique<KeyArraySortedKeys>(held[q].data(), held[q].size(), sizes[q]));
    }
    Outcome out = RunSelection(keys);
    for (size_t q = 0; q < sizes.size(); ++q) {
      EXPECT_FALSE(out.statuses[q].ok()) << "rank " << q;
      EXPECT_NE(out.statuses[q].message().find("the ranks' keys differ in length"), std::string::npos)
          << out.statuses[q].message();
    }
  }
}

sort::KeyIndex IndexOf(const Records& r, uint64_t stride) {
  sort::KeyIndex index(kKeySize);
  for (uint64_t i = 0; i < Count(r); i += stride) index.Add(r.data() + i * kRecordSize);
  return index;
}

std::unique_ptr<FileSortedKeys> OpenKeys(const std::vector<std::string>& members, uint64_t unit, const Records& r,
                                         uint64_t stride) {
  auto keys = FileSortedKeys::Open(members, unit, kShape, IndexOf(r, stride), stride);
  EXPECT_TRUE(keys.ok()) << keys.status().message();
  return keys.ok() ? std::move(*keys) : nullptr;
}

void WriteRecords(const std::vector<std::string>& members, uint64_t unit, const Records& r) {
  test::WriteStriped(members, unit, std::string(r.begin(), r.end()));
}

// Probe keys for ten-value records: every value (odd last byte), every gap between and around
// them (even last byte), and the extremes.
std::vector<Key> Probes() {
  std::vector<Key> probes;
  for (int last = 0; last <= 21; ++last) {
    probes.push_back(Filled(0x5A, uint8_t(last)));
  }
  probes.push_back(kZeroKey);
  probes.push_back(kTopKey);
  return probes;
}

// Every position and every range [lo, hi) with every probe: the file answers like memory.
void ExpectSameAnswersEverywhere(SortedKeys& file, SortedKeys& memory) {
  ASSERT_EQ(file.size(), memory.size());
  for (uint64_t i = 0; i < memory.size(); ++i) {
    auto a = file.KeyAt(i);
    ASSERT_TRUE(a.ok()) << a.status().message();
    EXPECT_EQ(*a, *memory.KeyAt(i)) << "position " << i;
  }
  for (const Key& key : Probes()) {
    for (uint64_t lo = 0; lo <= memory.size(); ++lo) {
      for (uint64_t hi = lo; hi <= memory.size(); ++hi) {
        auto lower = file.LowerBound(key, lo, hi);
        auto upper = file.UpperBound(key, lo, hi);
        ASSERT_TRUE(lower.ok() && upper.ok()) << lower.status().message() << upper.status().message();
        ASSERT_EQ(*lower, *memory.LowerBound(key, lo, hi)) << "[" << lo << ", " << hi << ")";
        ASSERT_EQ(*upper, *memory.UpperBound(key, lo, hi)) << "[" << lo << ", " << hi << ")";
      }
    }
  }
}

TEST(FileSortedKeys, AnswersLikeMemoryAtEveryBlockEdge) {
  test::TempDir dir;
  std::mt19937_64 rng(11);
  // 7-record blocks; 60 and 63 records end with a partial and a whole block.
  for (uint64_t count : {0, 1, 7, 60, 63}) {
    for (int members : {1, 2}) {
      SCOPED_TRACE(std::to_string(count) + " records, " + std::to_string(members) + " members");
      const Records r = SortedRecords(count, Keys::kTenValues, rng);
      const auto paths = test::StripeMembers(dir.path(), members, "work." + std::to_string(count));
      WriteRecords(paths, 256, r);  // records straddle 256-byte stripe units
      auto file = OpenKeys(paths, 256, r, 7);
      ASSERT_NE(file, nullptr);
      MemorySortedKeys memory(r.data(), count, kShape);
      ExpectSameAnswersEverywhere(*file, memory);
    }
  }
}

TEST(FileSortedKeys, AnswersLikeMemoryWithTheDefaultStride) {
  test::TempDir dir;
  std::mt19937_64 rng(5);
  for (Keys keys : {Keys::kUniform, Keys::kTenValues}) {
    const Records r = SortedRecords(5000, keys, rng);
    const auto paths = test::StripeMembers(dir.path(), 2, "work." + std::to_string(int(keys)));
    WriteRecords(paths, 4096, r);
    auto file = FileSortedKeys::Open(paths, 4096, kShape, IndexOf(r, config::external::kKeyIndexStride));
    ASSERT_TRUE(file.ok()) << file.status().message();
    MemorySortedKeys memory(r.data(), Count(r), kShape);
    for (int n = 0; n < 20000; ++n) {
      const uint64_t a = rng() % 5001, b = rng() % 5001;
      const uint64_t lo = std::min(a, b), hi = std::max(a, b);
      const Key key = n % 2 ? KeyOf(r.data() + rng() % 5000 * kRecordSize) : RandomKey(keys, rng);
      ASSERT_EQ(*(*file)->LowerBound(key, lo, hi), *memory.LowerBound(key, lo, hi));
      ASSERT_EQ(*(*file)->UpperBound(key, lo, hi), *memory.UpperBound(key, lo, hi));
      ASSERT_EQ(*(*file)->KeyAt(lo % 5000), *memory.KeyAt(lo % 5000));
    }
  }
}

TEST(FileSortedKeys, SelectionOverFilesIsExact) {
  test::TempDir dir;
  std::mt19937_64 rng(9);
  std::vector<Records> ranks;
  for (int q = 0; q < 3; ++q) ranks.push_back(SortedRecords(400 + 150 * uint64_t(q), Keys::kThreeValues, rng));
  std::vector<std::unique_ptr<SortedKeys>> keys;
  for (int q = 0; q < 3; ++q) {
    const auto paths = test::StripeMembers(dir.path(), 2, "work." + std::to_string(q));
    WriteRecords(paths, 1000, ranks[size_t(q)]);
    keys.push_back(OpenKeys(paths, 1000, ranks[size_t(q)], 16));
    ASSERT_NE(keys.back(), nullptr);
  }
  Outcome out = RunSelection(keys);
  ExpectExact(ranks, out);
}

TEST(FileSortedKeys, TruncatedFileFailsWithItsPath) {
  test::TempDir dir;
  std::mt19937_64 rng(1);
  const Records r = SortedRecords(100, Keys::kUniform, rng);
  const std::string path = dir.File("work.0");
  WriteRecords({path}, 0, r);
  auto keys = OpenKeys({path}, 0, r, 8);
  ASSERT_NE(keys, nullptr);
  std::filesystem::resize_file(path, 50 * kRecordSize);  // after the index was built
  auto key = keys->KeyAt(99);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message().rfind(path + ": ", 0), 0u) << key.status().message();
  auto bound = keys->LowerBound(kTopKey, 0, 100);  // the last block decides it
  ASSERT_FALSE(bound.ok());
  EXPECT_EQ(bound.status().message().rfind(path + ": ", 0), 0u) << bound.status().message();
  EXPECT_EQ(*keys->KeyAt(96), KeyOf(r.data() + 96 * kRecordSize));  // from the index: no read
}

TEST(FileSortedKeys, RefusesWrongIndexAndBadSize) {
  test::TempDir dir;
  std::mt19937_64 rng(2);
  const Records r = SortedRecords(100, Keys::kUniform, rng);
  const std::string path = dir.File("work.0");
  WriteRecords({path}, 0, r);

  auto short_index =
      FileSortedKeys::Open({path}, 0, kShape, sort::KeyIndex(kKeySize, std::vector<uint8_t>(3 * kKeySize)), 8);
  ASSERT_FALSE(short_index.ok());
  EXPECT_EQ(short_index.status().message(), path + ": key index has 3 entries, but 100 records need 13 (one per 8)");

  std::vector<uint8_t> stale = IndexOf(r, 8).bytes();
  std::fill_n(stale.begin() + 2 * kKeySize, kKeySize, 0);
  auto keys = FileSortedKeys::Open({path}, 0, kShape, sort::KeyIndex(kKeySize, stale), 8);
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  auto key = (*keys)->KeyAt(17);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message(),
            path + ": the key of record 16 differs from its key index (file changed since the index was built?)");

  test::WriteFile(path, std::string(150, 'x'));
  auto odd = FileSortedKeys::Open({path}, 0, kShape, IndexOf(r, 8), 8);
  ASSERT_FALSE(odd.ok());
  EXPECT_EQ(odd.status().message(), path + ": size 150 is not a multiple of 100 bytes");

  auto missing = FileSortedKeys::Open({dir.File("nope")}, 0, kShape, sort::KeyIndex(kKeySize), 8);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir.File("nope")), std::string::npos);
}

TEST(SortedKeys, RefusesOutOfRangeQueries) {
  std::mt19937_64 rng(4);
  const Records r = SortedRecords(10, Keys::kUniform, rng);
  MemorySortedKeys keys(r.data(), 10, kShape);
  EXPECT_FALSE(keys.KeyAt(10).ok());
  EXPECT_FALSE(keys.LowerBound(kZeroKey, 5, 4).ok());
  EXPECT_FALSE(keys.UpperBound(kZeroKey, 0, 11).ok());
  EXPECT_EQ(*keys.LowerBound(kZeroKey, 3, 3), 3u);
}

}  // namespace
}  // namespace rs::partition
