// tests/io/io_engine_test.cpp — both IoEngines (io_uring, thread pool) at depths 1, 4, 32 against
// a model of the file: random writes and reads, tags, outstanding(), end of file, bad fds.
#include "io/io_engine.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "io/aligned_buffer.hpp"
#include "io/file.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs {
namespace {

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// True when the status says the kernel refused io_uring (seccomp, old kernel), not a bug.
bool UringRefused(const Status& st) {
  return Contains(st.message(), std::strerror(EPERM)) || Contains(st.message(), std::strerror(ENOSYS)) ||
         Contains(st.message(), std::strerror(EACCES));
}

struct Op {
  IoOp op;
  uint64_t offset;
  uint32_t len;
  uint32_t seed;  // writes: the bytes written come from this seed
};

void Fill(uint8_t* p, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t v = rng();
    std::memcpy(p + i, &v, 4);
  }
  for (; i < n; ++i) p[i] = uint8_t(rng());
}

// `count` random requests inside [0, file_size), lengths 1 .. max_len (or whole multiples of
// `align` when align > 1).
std::vector<Op> RandomOps(size_t count, IoOp kind, bool mixed, uint64_t file_size, uint32_t max_len, uint32_t align,
                          uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Op> ops;
  for (size_t i = 0; i < count; ++i) {
    uint32_t len;
    switch (rng() % 4) {
      case 0:
        len = uint32_t(rng() % 16 + 1);
        break;  // tiny
      case 1:
        len = max_len;
        break;
      default:
        len = uint32_t(rng() % max_len + 1);
        break;
    }
    uint64_t offset = rng() % (file_size - len + 1);
    if (align > 1) {
      len = std::max(align, len / align * align);
      offset = offset / align * align;
    }
    IoOp op = mixed ? (rng() % 2 ? IoOp::kRead : IoOp::kWrite) : kind;
    ops.push_back({op, offset, len, uint32_t(rng())});
  }
  return ops;
}

// Runs `ops` on file index `file` with at most depth() requests in flight. Each in-flight request
// owns one slot of `slot_size` bytes of `memory`. A request that overlaps an in-flight one, where
// either writes, waits for it: the outcome is then fixed by submission order, so `model` (the
// expected file content) is updated at submission and every read is checked against it.
// Also checks that every completion carries a tag of a request in flight, exactly once, and that
// outstanding() always equals the number of requests in flight.
void Drive(IoEngine* engine, int file, const std::vector<Op>& ops, uint8_t* memory, size_t slot_size,
           std::string* model) {
  struct InFlight {
    Op op;
    size_t slot;
    std::string expect;  // reads: the model's bytes at submission
  };
  std::map<uint64_t, InFlight> inflight;
  std::vector<size_t> free_slots;
  for (size_t s = engine->depth(); s-- > 0;) free_slots.push_back(s);
  std::mt19937_64 tag_rng(ops.size());
  std::set<uint64_t> used_tags;
  std::vector<IoCompletion> done;

  auto conflicts = [&](const Op& op) {
    for (const auto& [tag, f] : inflight) {
      bool overlap = op.offset < f.op.offset + f.op.len && f.op.offset < op.offset + op.len;
      if (overlap && (op.op == IoOp::kWrite || f.op.op == IoOp::kWrite)) return true;
    }
    return false;
  };

  size_t next = 0;
  while (next < ops.size() || !inflight.empty()) {
    while (next < ops.size() && inflight.size() < engine->depth() && !conflicts(ops[next])) {
      const Op& op = ops[next++];
      ASSERT_LE(op.len, slot_size);
      size_t slot = free_slots.back();
      free_slots.pop_back();
      uint8_t* buf = memory + slot * slot_size;
      InFlight f{op, slot, {}};
      if (op.op == IoOp::kWrite) {
        Fill(buf, op.len, op.seed);
        model->replace(op.offset, op.len, reinterpret_cast<const char*>(buf), op.len);
      } else {
        std::memset(buf, 0xEE, op.len);
        f.expect = model->substr(op.offset, op.len);
      }
      uint64_t tag;
      do {
        tag = tag_rng();
      } while (!used_tags.insert(tag).second);
      inflight.emplace(tag, std::move(f));
      engine->Submit({op.op, file, buf, op.len, op.offset, tag});
      ASSERT_EQ(engine->outstanding(), inflight.size());
    }
    Status st = engine->Flush();
    ASSERT_TRUE(st.ok()) << st.message();
    done.clear();
    st = engine->Wait(&done);
    ASSERT_TRUE(st.ok()) << st.message();
    ASSERT_FALSE(done.empty()) << "Wait returned no completion with " << inflight.size() << " in flight";
    for (const auto& c : done) {
      auto it = inflight.find(c.tag);
      ASSERT_NE(it, inflight.end()) << "completion with unknown or repeated tag " << c.tag;
      const InFlight& f = it->second;
      ASSERT_EQ(c.result, int64_t(f.op.len))
          << (f.op.op == IoOp::kRead ? "read" : "write") << " of " << f.op.len << " at " << f.op.offset;
      if (f.op.op == IoOp::kRead) {
        const uint8_t* buf = memory + f.slot * slot_size;
        ASSERT_TRUE(std::memcmp(buf, f.expect.data(), f.op.len) == 0)
            << "read of " << f.op.len << " at " << f.op.offset << " differs from the model";
      }
      free_slots.push_back(f.slot);
      inflight.erase(it);
    }
    ASSERT_EQ(engine->outstanding(), inflight.size());
  }
}

// Submits `requests` (at most depth() at a time) and returns each tag's result.
std::map<uint64_t, int64_t> RunAll(IoEngine* engine, const std::vector<IoRequest>& requests) {
  std::map<uint64_t, int64_t> results;
  std::vector<IoCompletion> done;
  size_t next = 0;
  while (next < requests.size() || engine->outstanding() > 0) {
    while (next < requests.size() && engine->outstanding() < engine->depth()) engine->Submit(requests[next++]);
    Status st = engine->Flush();
    EXPECT_TRUE(st.ok()) << st.message();
    done.clear();
    st = engine->Wait(&done);
    EXPECT_TRUE(st.ok()) << st.message();
    if (!st.ok()) break;
    for (const auto& c : done) EXPECT_TRUE(results.emplace(c.tag, c.result).second) << "tag " << c.tag << " twice";
  }
  return results;
}

File OpenOrDie(const std::string& path, int flags) {
  auto f = File::Open(path, flags);
  EXPECT_TRUE(f.ok()) << f.status().message();
  return std::move(*f);
}

class IoEngineTest : public ::testing::TestWithParam<std::tuple<EngineKind, unsigned>> {
 protected:
  void SetUp() override {
    auto engine = MakeIoEngine(kind(), depth(), nullptr);
    if (!engine.ok() && kind() == EngineKind::kUring && UringRefused(engine.status())) {
      GTEST_SKIP() << "io_uring is refused on this machine: " << engine.status().message();
    }
    ASSERT_TRUE(engine.ok()) << engine.status().message();
    EXPECT_STREQ((*engine)->name(), EngineName(kind()));
    EXPECT_EQ((*engine)->depth(), depth());
  }
  EngineKind kind() const { return std::get<0>(GetParam()); }
  unsigned depth() const { return std::get<1>(GetParam()); }
  std::unique_ptr<IoEngine> NewEngine() {
    auto engine = MakeIoEngine(kind(), depth(), nullptr);
    EXPECT_TRUE(engine.ok()) << engine.status().message();
    return std::move(*engine);
  }
};

TEST_P(IoEngineTest, RandomWritesThenReadsMatchModel) {
  constexpr uint64_t kFileSize = 1 << 20;
  constexpr size_t kSlot = 64 * 1024;
  for (bool registered : {false, true}) {
    SCOPED_TRACE(registered ? "memory registered" : "memory not registered");
    test::TempDir dir;
    // Two files: requests go to index 1; index 0 must stay untouched.
    File other = OpenOrDie(dir.File("other"), O_RDWR | O_CREAT | O_TRUNC);
    File file = OpenOrDie(dir.File("data"), O_RDWR | O_CREAT | O_TRUNC);
    ASSERT_TRUE(file.Truncate(kFileSize).ok());
    auto engine = NewEngine();
    ASSERT_NE(engine, nullptr);
    auto aligned = AlignedBuffer::Allocate(depth() * kSlot);
    ASSERT_TRUE(aligned.ok()) << aligned.status().message();
    std::vector<uint8_t> plain(depth() * kSlot);
    uint8_t* memory = registered ? aligned->data() : plain.data();
    const int fds[] = {other.fd(), file.fd()};
    std::vector<iovec> regions;
    if (registered) regions.push_back({aligned->data(), aligned->size()});
    ASSERT_TRUE(engine->Register(fds, regions).ok());

    std::string model(kFileSize, '\0');
    Drive(engine.get(), 1, RandomOps(300, IoOp::kWrite, false, kFileSize, kSlot, 1, 11), memory, kSlot, &model);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(test::ReadFile(dir.File("data")) == model) << "file content differs from the model after writes";
    EXPECT_EQ(test::ReadFile(dir.File("other")), "");

    Drive(engine.get(), 1, RandomOps(300, IoOp::kRead, false, kFileSize, kSlot, 1, 12), memory, kSlot, &model);
    if (HasFatalFailure()) return;
    Drive(engine.get(), 1, RandomOps(300, IoOp::kRead, true, kFileSize, kSlot, 1, 13), memory, kSlot, &model);
    if (HasFatalFailure()) return;
    ASSERT_TRUE(test::ReadFile(dir.File("data")) == model) << "file content differs from the model after mixed I/O";
    EXPECT_EQ(engine->outstanding(), 0u);
  }
}

TEST_P(IoEngineTest, DirectAlignedWritesThenReadsMatchModel) {
  constexpr uint64_t kFileSize = 2 << 20;
  constexpr size_t kSlot = 64 * 1024;
  test::TempDir dir;
  File file = OpenOrDie(dir.File("direct"), O_RDWR | O_CREAT | O_TRUNC | O_DIRECT);
  if (file.direct_refused()) GTEST_SKIP() << dir.path() << ": the filesystem refuses O_DIRECT";
  ASSERT_TRUE(file.direct());
  ASSERT_TRUE(file.Truncate(kFileSize).ok());
  auto engine = NewEngine();
  ASSERT_NE(engine, nullptr);
  auto memory = AlignedBuffer::Allocate(depth() * kSlot);
  ASSERT_TRUE(memory.ok()) << memory.status().message();
  const int fds[] = {file.fd()};
  const iovec region{memory->data(), memory->size()};
  ASSERT_TRUE(engine->Register(fds, {&region, 1}).ok());
  std::string model(kFileSize, '\0');
  Drive(engine.get(), 0, RandomOps(120, IoOp::kWrite, false, kFileSize, kSlot, 4096, 21), memory->data(), kSlot,
        &model);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(test::ReadFile(dir.File("direct")) == model) << "file content differs from the model";
  Drive(engine.get(), 0, RandomOps(120, IoOp::kRead, true, kFileSize, kSlot, 4096, 22), memory->data(), kSlot, &model);
  if (HasFatalFailure()) return;
  ASSERT_TRUE(test::ReadFile(dir.File("direct")) == model) << "file content differs from the model";
}

TEST_P(IoEngineTest, CompletionsCarryTagsAndOutstandingCounts) {
  test::TempDir dir;
  test::WriteFile(dir.File("f"), std::string(64 * 1024, 'q'));
  File file = OpenOrDie(dir.File("f"), O_RDONLY);
  auto engine = NewEngine();
  ASSERT_NE(engine, nullptr);
  const int fds[] = {file.fd()};
  ASSERT_TRUE(engine->Register(fds, {}).ok());

  // Nothing outstanding: Wait returns at once with nothing.
  std::vector<IoCompletion> done;
  EXPECT_EQ(engine->outstanding(), 0u);
  ASSERT_TRUE(engine->Wait(&done).ok());
  EXPECT_TRUE(done.empty());

  // Tags are opaque 64-bit values, including 0 and all-ones.
  std::vector<uint64_t> tags = {0, UINT64_MAX, uint64_t(1) << 63, 7};
  for (unsigned i = 4; i < depth(); ++i) tags.push_back(0x1234567800000000ull + i);
  tags.resize(depth());
  std::vector<uint8_t> memory(depth() * 100);
  for (unsigned i = 0; i < depth(); ++i) {
    // Submit hands the request over; it counts as outstanding before Flush.
    engine->Submit({IoOp::kRead, 0, memory.data() + i * 100, 100, uint64_t(i) * 100, tags[i]});
    EXPECT_EQ(engine->outstanding(), i + 1);
  }
  ASSERT_TRUE(engine->Flush().ok());
  std::multiset<uint64_t> seen;
  while (engine->outstanding() > 0) {
    const unsigned before = engine->outstanding();
    done.clear();
    ASSERT_TRUE(engine->Wait(&done).ok());
    ASSERT_FALSE(done.empty());
    EXPECT_EQ(engine->outstanding(), before - done.size());
    for (const auto& c : done) {
      seen.insert(c.tag);
      EXPECT_EQ(c.result, 100) << "tag " << c.tag;
    }
  }
  EXPECT_EQ(seen, std::multiset<uint64_t>(tags.begin(), tags.end()));
  EXPECT_EQ(std::string(memory.begin(), memory.end()), std::string(memory.size(), 'q'));
  done.clear();
  ASSERT_TRUE(engine->Wait(&done).ok());
  EXPECT_TRUE(done.empty());
}

TEST_P(IoEngineTest, ReadPastEndOfFileIsShortNotAnError) {
  test::TempDir dir;
  std::string data(10000, '\0');
  Fill(reinterpret_cast<uint8_t*>(data.data()), data.size(), 5);
  test::WriteFile(dir.File("f"), data);
  File file = OpenOrDie(dir.File("f"), O_RDONLY);
  auto engine = NewEngine();
  ASSERT_NE(engine, nullptr);
  const int fds[] = {file.fd()};
  ASSERT_TRUE(engine->Register(fds, {}).ok());
  constexpr size_t kSlot = 16384;
  std::vector<uint8_t> memory(5 * kSlot, 0xEE);
  struct Case {
    uint64_t offset;
    uint32_t len;
    int64_t expect;
  };
  const Case cases[] = {{8000, 8192, 2000}, {0, 10000, 10000}, {9999, kSlot, 1}, {10000, 100, 0}, {50000, 4096, 0}};
  std::vector<IoRequest> requests;
  for (size_t i = 0; i < std::size(cases); ++i) {
    requests.push_back({IoOp::kRead, 0, memory.data() + i * kSlot, cases[i].len, cases[i].offset, 100 + i});
  }
  auto results = RunAll(engine.get(), requests);
  for (size_t i = 0; i < std::size(cases); ++i) {
    ASSERT_EQ(results.count(100 + i), 1u) << "no completion for read at " << cases[i].offset;
    EXPECT_EQ(results[100 + i], cases[i].expect) << "read of " << cases[i].len << " at " << cases[i].offset;
    size_t n = size_t(std::max<int64_t>(results[100 + i], 0));
    if (n == 0) continue;
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(memory.data() + i * kSlot), n),
              data.substr(cases[i].offset, n));
  }
}

TEST_P(IoEngineTest, WrongDirectionFdGivesEbadfCompletion) {
  test::TempDir dir;
  test::WriteFile(dir.File("ro"), "read only");
  File write_only = OpenOrDie(dir.File("wo"), O_WRONLY | O_CREAT | O_TRUNC);
  File read_only = OpenOrDie(dir.File("ro"), O_RDONLY);
  auto engine = NewEngine();
  ASSERT_NE(engine, nullptr);
  const int fds[] = {write_only.fd(), read_only.fd()};
  ASSERT_TRUE(engine->Register(fds, {}).ok());
  uint8_t buf[3][64] = {};
  std::memcpy(buf[2], "ok", 2);
  auto results = RunAll(
      engine.get(),
      {{IoOp::kRead, 0, buf[0], 64, 0, 1}, {IoOp::kWrite, 1, buf[1], 64, 0, 2}, {IoOp::kWrite, 0, buf[2], 2, 0, 3}});
  EXPECT_EQ(results[1], -EBADF) << "read on a write-only fd";
  EXPECT_EQ(results[2], -EBADF) << "write on a read-only fd";
  // The engine keeps working after an error completion.
  EXPECT_EQ(results[3], 2);
  EXPECT_EQ(test::ReadFile(dir.File("wo")), "ok");
  EXPECT_EQ(test::ReadFile(dir.File("ro")), "read only");
  EXPECT_EQ(engine->outstanding(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Engines, IoEngineTest,
                         ::testing::Combine(::testing::Values(EngineKind::kUring, EngineKind::kThreads),
                                            ::testing::Values(1u, 4u, 32u)),
                         [](const auto& info) {
                           std::string name = EngineName(std::get<0>(info.param));
                           name += "_depth";
                           name += std::to_string(std::get<1>(info.param));
                           return name;
                         });

TEST(MakeIoEngine, RefusesDepthZero) {
  for (EngineKind kind : {EngineKind::kAuto, EngineKind::kUring, EngineKind::kThreads}) {
    std::string notice;
    auto engine = MakeIoEngine(kind, 0, &notice);
    ASSERT_FALSE(engine.ok()) << EngineName(kind);
    EXPECT_EQ(engine.status().message(), "queue depth must be at least 1") << EngineName(kind);
  }
}

TEST(MakeIoEngine, ThreadsSayWhichEngineRuns) {
  std::string notice;
  auto engine = MakeIoEngine(EngineKind::kThreads, 4, &notice);
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  EXPECT_STREQ((*engine)->name(), "threads");
  EXPECT_EQ((*engine)->depth(), 4u);
  EXPECT_TRUE(Contains(notice, "threads")) << notice;
  // A null notice is allowed.
  EXPECT_TRUE(MakeIoEngine(EngineKind::kThreads, 2, nullptr).ok());
}

TEST(MakeIoEngine, AutoPrefersUringOrSaysWhy) {
  std::string notice;
  auto engine = MakeIoEngine(EngineKind::kAuto, 8, &notice);
  ASSERT_TRUE(engine.ok()) << engine.status().message();
  auto uring = MakeIoEngine(EngineKind::kUring, 8, nullptr);
  if (uring.ok()) {
    EXPECT_STREQ((*engine)->name(), "uring");
    EXPECT_EQ(notice, "") << "io_uring works, so there is nothing to announce";
  } else {
    EXPECT_STREQ((*engine)->name(), "threads");
    EXPECT_TRUE(Contains(notice, "io_uring refused")) << notice;
  }
  EXPECT_STREQ(EngineName(EngineKind::kAuto), "auto");
}

TEST(IoEngines, UringAndThreadsWriteTheSameFile) {
  if (auto probe = MakeIoEngine(EngineKind::kUring, 1, nullptr); !probe.ok()) {
    if (UringRefused(probe.status())) GTEST_SKIP() << "io_uring is refused: " << probe.status().message();
    FAIL() << probe.status().message();
  }
  constexpr uint64_t kFileSize = 512 * 1024;
  constexpr size_t kSlot = 32 * 1024;
  // Overlapping writes included: Drive serializes those, so the order of submission decides.
  const auto ops = RandomOps(400, IoOp::kWrite, false, kFileSize, kSlot, 1, 31);
  test::TempDir dir;
  for (unsigned depth : {1u, 4u, 32u}) {
    std::string contents[2];
    int i = 0;
    for (EngineKind kind : {EngineKind::kUring, EngineKind::kThreads}) {
      std::string path = dir.File(EngineName(kind));
      File file = OpenOrDie(path, O_RDWR | O_CREAT | O_TRUNC);
      auto engine = MakeIoEngine(kind, depth, nullptr);
      ASSERT_TRUE(engine.ok()) << engine.status().message();
      const int fds[] = {file.fd()};
      ASSERT_TRUE((*engine)->Register(fds, {}).ok());
      std::vector<uint8_t> memory(depth * kSlot);
      std::string model(kFileSize, '\0');
      Drive(engine->get(), 0, ops, memory.data(), kSlot, &model);
      if (HasFatalFailure()) return;
      contents[i] = test::ReadFile(path);
      // Writes never reach the end of this model, so compare the written prefix.
      ASSERT_LE(contents[i].size(), model.size());
      contents[i].resize(model.size(), '\0');
      ASSERT_TRUE(contents[i] == model) << EngineName(kind) << " depth " << depth << ": file differs from the model";
      ++i;
    }
    EXPECT_TRUE(contents[0] == contents[1]) << "depth " << depth;
  }
}

}  // namespace
}  // namespace rs
