// tests/sort/merge_test.cpp — the k-way merge and run formation against std::stable_sort:
// LoserTree/MergeStreams over in-memory sources (none, one, empty ones, all empty, many, 2-64 inputs,
// equal keys, keys tied on bytes 0..7, keys of all 0xff), the tree's winners step by step, RunFormer writing sorted
// runs, MergeRuns in levels, RangeSource's record ranges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/record.hpp"
#include "core/record_shape.hpp"
#include "io/file.hpp"
#include "io/open_files.hpp"
#include "river/disk_sink.hpp"
#include "sort/external/loser_tree.hpp"
#include "sort/external/range_source.hpp"
#include "sort/external/run_former.hpp"
#include "sort/external/run_merge.hpp"
#include "sort/external/stream_merger.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs::sort {
namespace {

using Bytes = std::vector<uint8_t>;

// Records with keys drawn from `distinct` values (0: any), each numbered in bytes 10..17 by
// (stream, index) so that the merge's stability shows.
Bytes MakeRecords(uint64_t count, uint32_t seed, uint32_t distinct, uint32_t stream) {
  Bytes b(count * kRecordSize, 0);
  std::mt19937_64 rng(seed);
  for (uint64_t i = 0; i < count; ++i) {
    uint8_t* r = b.data() + i * kRecordSize;
    const uint64_t k = distinct ? rng() % distinct : rng();
    for (int j = 0; j < 8; ++j) r[j] = uint8_t(k >> (8 * (7 - j)));
    r[8] = distinct ? 0 : uint8_t(rng());
    r[9] = distinct ? 0 : uint8_t(rng());
    const uint64_t tag = uint64_t(stream) << 40 | i;
    std::memcpy(r + 10, &tag, sizeof tag);
  }
  return b;
}

void SortByKey(Bytes& b) {
  const uint64_t n = b.size() / kRecordSize;
  std::vector<uint64_t> idx(n);
  for (uint64_t i = 0; i < n; ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](uint64_t x, uint64_t y) {
    return std::memcmp(&b[x * kRecordSize], &b[y * kRecordSize], kKeySize) < 0;
  });
  Bytes out(b.size());
  for (uint64_t i = 0; i < n; ++i) std::memcpy(&out[i * kRecordSize], &b[idx[i] * kRecordSize], kRecordSize);
  b.swap(out);
}

// A Source of records (of record_size bytes) held in memory, in buffers of `per_buffer` records
// from its own pool.
class MemorySource final : public Source {
 public:
  MemorySource(const Bytes& records, uint64_t per_buffer, size_t record_size = kRecordSize)
      : records_(records), bytes_(per_buffer * record_size) {
    pool_ = std::move(*MemPool::Create(bytes_, 2));
  }
  std::optional<Buffer> Get() override {
    if (at_ >= records_.size()) return std::nullopt;
    Buffer b = pool_->Get();
    const size_t n = std::min<size_t>(bytes_, records_.size() - at_);
    std::memcpy(b.data(), records_.data() + at_, n);
    b.set_size(n);
    at_ += n;
    return b;
  }
  Status status() const override { return Status::Ok(); }

 private:
  const Bytes& records_;
  size_t bytes_;  // per buffer
  size_t at_ = 0;
  std::unique_ptr<MemPool> pool_;
};

// Collects what a merge writes.
class MemorySink final : public Sink {
 public:
  void Put(Buffer b) override { out.insert(out.end(), b.data(), b.data() + b.size()); }
  Status Close() override { return Status::Ok(); }
  Bytes out;
};

// Merges the (sorted) streams and compares with a stable sort of their concatenation: equal keys
// must leave in stream order, then in their order within the stream.
void ExpectMergeMatches(std::vector<Bytes> streams, uint64_t per_buffer) {
  Bytes all;
  for (auto& s : streams) {
    SortByKey(s);
    all.insert(all.end(), s.begin(), s.end());
  }
  SortByKey(all);
  std::vector<std::unique_ptr<MemorySource>> sources;
  std::vector<Source*> inputs;
  for (const auto& s : streams) {
    sources.push_back(std::make_unique<MemorySource>(s, per_buffer));
    inputs.push_back(sources.back().get());
  }
  auto out_pool = MemPool::Create(7 * kRecordSize, 3);  // odd size: output buffers end mid-stream
  MemorySink sink;
  uint64_t observed = 0;
  auto merged =
      MergeStreams(inputs, out_pool->get(), &sink, RecordShape{}, [&](const uint8_t*, uint64_t n) { observed += n; });
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(*merged, all.size() / kRecordSize);
  EXPECT_EQ(observed, *merged);
  EXPECT_TRUE(sink.out == all) << "merge differs from a stable sort of the inputs";
}

// Records of other shapes (docs/records.md), merged, against a stable sort on the whole key. Keys
// draw their first 10 bytes (or all, when shorter) from 3 values, so that keys longer than 10 bytes
// tie on the entry's prefix and only the loser tree's tie-break on the rest orders them.
Bytes StableSortByKey(const Bytes& b, const RecordShape& shape) {
  const size_t r = shape.size, n = b.size() / r;
  std::vector<size_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(),
                   [&](size_t x, size_t y) { return shape.CompareKeys(&b[x * r], &b[y * r]) < 0; });
  Bytes out(b.size());
  for (size_t i = 0; i < n; ++i) std::memcpy(&out[i * r], &b[idx[i] * r], r);
  return out;
}

TEST(MergeStreams, OtherShapesMergeOnTheWholeKey) {
  for (const RecordShape shape : {RecordShape{128, 16, 0}, RecordShape{64, 8, 0}, RecordShape{8, 1, 7},
                                  RecordShape{100, 10, 50}, RecordShape{4096, 32, 100}, RecordShape{24, 24, 0}}) {
    SCOPED_TRACE(shape.ToString());
    std::mt19937_64 rng(shape.size);
    std::vector<Bytes> streams(7);
    Bytes all;
    for (size_t s = 0; s < streams.size(); ++s) {
      Bytes b(shape.size * (s == 3 ? 0 : 200 + 37 * s));  // one empty stream
      for (auto& byte : b) byte = uint8_t(rng());
      for (size_t i = 0; i < b.size(); i += shape.size) {
        uint8_t* key = &b[i + shape.key_offset];
        std::memset(key, 0x5A, std::min<size_t>(kKeySize, shape.key_size));
        key[std::min<size_t>(kKeySize, shape.key_size) - 1] = uint8_t(rng() % 3);
      }
      streams[s] = StableSortByKey(b, shape);
      all.insert(all.end(), streams[s].begin(), streams[s].end());
    }
    std::vector<std::unique_ptr<MemorySource>> sources;
    std::vector<Source*> inputs;
    for (const auto& s : streams) {
      sources.push_back(std::make_unique<MemorySource>(s, 5, shape.size));
      inputs.push_back(sources.back().get());
    }
    auto out_pool = MemPool::Create(7 * shape.size, 3);
    MemorySink sink;
    auto merged = MergeStreams(inputs, out_pool->get(), &sink, shape);
    ASSERT_TRUE(merged.ok()) << merged.status().message();
    EXPECT_EQ(*merged, all.size() / shape.size);
    // Stable across streams too: equal whole keys leave in stream order.
    EXPECT_TRUE(sink.out == StableSortByKey(all, shape)) << "merge differs from a stable sort on the whole key";
  }
}

TEST(MergeStreams, NoInputs) { ExpectMergeMatches({}, 4); }
TEST(MergeStreams, OneInput) { ExpectMergeMatches({MakeRecords(1000, 1, 0, 0)}, 64); }
TEST(MergeStreams, EmptyInputsAmongOthers) {
  ExpectMergeMatches({Bytes(), MakeRecords(500, 2, 0, 1), Bytes(), MakeRecords(333, 3, 0, 3), Bytes()}, 16);
}
TEST(MergeStreams, ManyInputs) {
  std::vector<Bytes> s;
  for (uint32_t i = 0; i < 37; ++i) s.push_back(MakeRecords(100 + i * 13, 10 + i, 0, i));
  ExpectMergeMatches(s, 9);
}
TEST(MergeStreams, EqualKeysStable) {
  std::vector<Bytes> s;
  for (uint32_t i = 0; i < 5; ++i) s.push_back(MakeRecords(400, 20 + i, 3, i));
  ExpectMergeMatches(s, 32);
}
TEST(MergeStreams, AllOnesKeysAreNotEnd) {  // the largest key must not look like an exhausted input
  std::vector<Bytes> s;
  for (uint32_t i = 0; i < 3; ++i) {
    Bytes b = MakeRecords(50, 30 + i, 0, i);
    for (uint64_t r = 0; r < 50; r += 2) std::memset(&b[r * kRecordSize], 0xff, kKeySize);
    s.push_back(b);
  }
  ExpectMergeMatches(s, 8);
}

TEST(MergeStreams, AllInputsEmpty) {  // the tree starts done, with no input as its winner
  ExpectMergeMatches({Bytes()}, 4);
  ExpectMergeMatches({Bytes(), Bytes(), Bytes()}, 4);
}
TEST(MergeStreams, PowerOfTwoInputs) {  // full trees: every leaf at the same depth
  for (uint32_t k : {2u, 4u, 8u, 64u}) {
    std::vector<Bytes> s;
    for (uint32_t i = 0; i < k; ++i) s.push_back(MakeRecords(40 + i * 7, 100 + k + i, 0, i));
    ExpectMergeMatches(s, 5);
  }
}
// Keys that tie on bytes 0..7 are ordered by bytes 8..9 (the tree's second word), also under a
// prefix of eight 0xff bytes, which only kExhausted's all-ones bytes 8..9 may follow.
TEST(MergeStreams, SharedPrefixOrdersByLastKeyBytes) {
  for (const uint8_t prefix : {uint8_t(0x5a), uint8_t(0xff)}) {
    std::vector<Bytes> s;
    for (uint32_t i = 0; i < 6; ++i) {
      Bytes b = MakeRecords(120, 40 + i, 0, i);
      for (uint64_t r = 0; r < 120; ++r) {
        uint8_t* key = &b[r * kRecordSize];
        std::memset(key, prefix, 8);
        if (r % 5 == 0) key[8] = key[9] = 0xff;  // some all-0xff keys among them when prefix is 0xff
      }
      s.push_back(b);
    }
    ExpectMergeMatches(s, 7);
  }
}
TEST(LoserTree, EmptyInputsAreDoneWithAValidWinner) {
  // (No inputs at all: MergeStreams.NoInputs.)
  const LoserTree empty({LoserTree::kExhausted, LoserTree::kExhausted, LoserTree::kExhausted});
  EXPECT_TRUE(empty.done());
  EXPECT_LT(empty.winner(), 3u);
}
TEST(LoserTree, ReplacingTheWinnerReplaysItsPath) {
  uint8_t a[kRecordSize] = {}, b[kRecordSize] = {}, c[kRecordSize] = {};
  a[0] = 3;
  b[0] = 1;
  c[0] = 2;
  LoserTree tree({LoserTree::MakeKey(a, 0), LoserTree::MakeKey(b, 1), LoserTree::MakeKey(c, 2)});
  EXPECT_EQ(tree.winner(), 1u);
  tree.ReplaceWinner(LoserTree::kExhausted);
  EXPECT_EQ(tree.winner(), 2u);
  tree.ReplaceWinner(LoserTree::MakeKey(a, 2));  // ties with input 0's key: the lower input first
  EXPECT_EQ(tree.winner(), 0u);
  tree.ReplaceWinner(LoserTree::kExhausted);
  EXPECT_EQ(tree.winner(), 2u);
  EXPECT_FALSE(tree.done());
  tree.ReplaceWinner(LoserTree::kExhausted);
  EXPECT_TRUE(tree.done());
}

// Forms runs of at most `run_records` from `records` records (fed in odd buffers of 777 records,
// so runs are cut mid-buffer), checks their count, merges them with `fan_in`, checks that the
// output is the input in key order with every run removed, and returns the merge's levels.
int FormAndMerge(uint64_t records, uint64_t run_records, size_t fan_in) {
  test::TempDir dir;
  Bytes data = MakeRecords(records, 7, 1000, 0);
  DiskOptions disk;
  disk.transfer_size = 102400;
  disk.queue_depth = 2;
  TempFiles temp({dir.path()}, 0);
  std::vector<std::string> notices;
  auto former = RunFormer::Create({disk, RecordShape{}, run_records, &temp, "run", 2, 0, 0, {}}, &notices);
  EXPECT_TRUE(former.ok()) << former.status().message();
  if (!former.ok()) return -1;
  auto pool = MemPool::Create(disk.transfer_size, 64);
  for (size_t at = 0; at < data.size(); at += 777 * kRecordSize) {
    Buffer b = (*pool)->Get();
    const size_t n = std::min<size_t>(777 * kRecordSize, data.size() - at);
    std::memcpy(b.data(), data.data() + at, n);
    b.set_size(n);
    (*former)->Put(std::move(b));
  }
  auto runs = (*former)->Close();
  EXPECT_TRUE(runs.ok()) << runs.status().message();
  if (!runs.ok()) return -1;
  // Buffers of up to 777 records, as many to a run as fit in run_records.
  const uint64_t per_run = run_records / 777 * 777;
  EXPECT_EQ(runs->size(), (records + per_run - 1) / per_run);
  for (const auto& r : *runs) EXPECT_LE(r.records, run_records);

  auto out_pool = MemPool::Create(disk.transfer_size, 4);
  MemorySink sink;
  RunMergeOptions mo;
  mo.disk = disk;
  mo.fan_in = fan_in;
  mo.temp = &temp;
  mo.out_pool = out_pool->get();
  auto merged = MergeRuns(std::move(*runs), mo, &sink);
  EXPECT_TRUE(merged.ok()) << merged.status().message();
  if (!merged.ok()) return -1;
  EXPECT_EQ(merged->records, records);
  // Levels merge the smallest runs first, so equal keys need not keep their input order: the
  // output must be in key order and hold exactly the input's records.
  EXPECT_EQ(sink.out.size(), data.size());
  for (size_t r = 1; r < sink.out.size() / kRecordSize; ++r) {
    if (std::memcmp(&sink.out[(r - 1) * kRecordSize], &sink.out[r * kRecordSize], kKeySize) > 0) {
      ADD_FAILURE() << "out of order at record " << r;
      break;
    }
  }
  auto whole = [](const Bytes& b) {
    std::vector<std::string> v;
    for (size_t r = 0; r < b.size(); r += kRecordSize)
      v.emplace_back(b.begin() + long(r), b.begin() + long(r + kRecordSize));
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_TRUE(whole(sink.out) == whole(data)) << "records lost, duplicated or changed";
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "runs left behind";
  return merged->levels;
}

// RunFormer forms sorted runs of at most run_records; MergeRuns in levels (fan-in 2 and 3) gives
// the sorted whole, removes every run, and reports its levels.
TEST(RunFormerAndMerge, RunsThenLevels) {
  for (size_t fan_in : {size_t(2), size_t(3), size_t(64)}) {
    SCOPED_TRACE("fan-in " + std::to_string(fan_in));
    const int levels = FormAndMerge(20011, 3000, fan_in);  // 9 runs
    if (fan_in < 9)
      EXPECT_GE(levels, 2);  // more runs than the fan-in: merged in levels
    else
      EXPECT_EQ(levels, 1);
  }
}

// The widest merge the plan allows (16 GB over 2 ranks under 256 MiB: up to 175 runs per rank):
// 250 runs, each its own stream (files, ring, I/O thread), merged at once in one level.
TEST(RunFormerAndMerge, WidestMergeInOneLevel) {
  ASSERT_GE(config::external::kMaxFanIn, 250u);
  RaiseOpenFileLimit();  // as riversort does at start: 250 runs hold about 500 descriptors
  EXPECT_EQ(FormAndMerge(250 * 777, 777, config::external::kMaxFanIn), 1);
}

// Partly filled buffers (each sender's last to a receiver; with many ranks, most of what a rank
// receives when the data is small) are packed into the room the last one left, and a run never
// holds more than run_buffers buffers: from a pool of 2 runs' buffers and one more, Put never
// waits for a buffer that the runs hold (32 ranks hung here before), runs stay dense, and every
// record comes out once.
TEST(RunFormer, PartlyFilledBuffersNeitherStarveThePoolNorThinTheRuns) {
  test::TempDir dir;
  DiskOptions disk;
  disk.transfer_size = 102400;
  disk.queue_depth = 2;
  TempFiles temp({dir.path()}, 0);
  std::vector<std::string> notices;
  const size_t run_buffers = 2, per_buffer = 40;  // 4,000-byte buffers of 40 records
  auto former =
      RunFormer::Create({disk, RecordShape{}, run_buffers * per_buffer, &temp, "run", 2, run_buffers, 0, {}}, &notices);
  ASSERT_TRUE(former.ok()) << former.status().message();
  auto pool = MemPool::Create(per_buffer * kRecordSize, 2 * run_buffers + 1);
  Bytes data = MakeRecords(3001, 5, 1000, 0);
  size_t at = 0;
  for (int i = 0; at < data.size(); ++i) {
    auto b = (*pool)->TryGet();  // a buffer the runs still hold would never come: fail, not hang
    ASSERT_TRUE(b.has_value()) << "the pool ran dry at buffer " << i;
    const size_t n = std::min<size_t>((1 + i % 7) * kRecordSize, data.size() - at);  // 1-7 records each
    std::memcpy(b->data(), data.data() + at, n);
    b->set_size(n);
    at += n;
    (*former)->Put(std::move(*b));
  }
  auto runs = (*former)->Close();
  ASSERT_TRUE(runs.ok()) << runs.status().message();
  uint64_t records = 0;
  for (const auto& r : *runs) {
    EXPECT_LE(r.records, run_buffers * per_buffer);
    records += r.records;
  }
  EXPECT_EQ(records, 3001u);
  // Packed: every run but the last is at least half full (runs end on whole incoming buffers).
  for (size_t i = 0; i + 1 < runs->size(); ++i) EXPECT_GE((*runs)[i].records, per_buffer) << "run " << i;
  for (const auto& r : *runs) temp.Remove(r.members);
}

// RangeSource delivers exactly records [first, first + count) of a file, whatever the alignment.
TEST(RangeSource, AnyRange) {
  test::TempDir dir;
  const Bytes data = MakeRecords(5000, 9, 0, 0);
  const std::string path = dir.File("f");
  test::WriteFile(path, std::string(data.begin(), data.end()));
  DiskOptions disk;
  disk.transfer_size = 102400;
  for (auto [first, count] : std::vector<std::pair<uint64_t, uint64_t>>{
           {0, 5000}, {0, 0}, {1, 1}, {41, 1024}, {1023, 2}, {1024, 3976}, {4999, 1}, {777, 3333}}) {
    auto src = RangeSource::Open({path}, disk, RecordShape{}, 2, first, count, nullptr);
    ASSERT_TRUE(src.ok()) << src.status().message();
    Bytes got;
    while (auto b = (*src)->Get()) {
      EXPECT_EQ(b->size() % kRecordSize, 0u);
      got.insert(got.end(), b->data(), b->data() + b->size());
    }
    EXPECT_TRUE((*src)->status().ok());
    EXPECT_TRUE(got ==
                Bytes(data.begin() + long(first * kRecordSize), data.begin() + long((first + count) * kRecordSize)))
        << first << "+" << count;
  }
  // A range past the end of the file is an error, not a short result.
  auto past = RangeSource::Open({path}, disk, RecordShape{}, 2, 4990, 20, nullptr);
  ASSERT_TRUE(past.ok());
  while ((*past)->Get()) {
  }
  EXPECT_FALSE((*past)->status().ok());
}

}  // namespace
}  // namespace rs::sort
