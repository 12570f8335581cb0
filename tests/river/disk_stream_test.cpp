// tests/river/disk_stream_test.cpp — DiskSink then DiskSource round trips over striped files:
// many (K, U, size), both engines, O_DIRECT and buffered; bytes must come back identical.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "river/disk_sink.hpp"
#include "river/disk_source.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs {
namespace {

std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = char(rng());
  return s;
}

std::vector<std::string> Members(const test::TempDir& dir, int k, const std::string& name) {
  return test::StripeMembers(dir.path(), k, name);
}

// Writes `data` through a DiskSink in buffers of `opt.transfer_size`, reads it back through a
// DiskSource, and returns what was read.
std::string RoundTrip(const std::vector<std::string>& members, const DiskOptions& opt, const std::string& data) {
  auto pool = MemPool::Create(opt.transfer_size, 4);
  EXPECT_TRUE(pool.ok());
  std::vector<std::string> notices;
  {
    auto sink = DiskSink::Create(members, opt, pool->get(), data.size(), &notices);
    EXPECT_TRUE(sink.ok()) << sink.status().message();
    if (!sink.ok()) return "";
    for (size_t off = 0; off < data.size(); off += opt.transfer_size) {
      Buffer b = (*pool)->Get();
      size_t n = std::min<size_t>(opt.transfer_size, data.size() - off);
      std::memcpy(b.data(), data.data() + off, n);
      b.set_size(n);
      (*sink)->Put(std::move(b));
    }
    Status st = (*sink)->Close();
    EXPECT_TRUE(st.ok()) << st.message();
  }
  auto src = DiskSource::Open(members, opt, pool->get(), &notices);
  EXPECT_TRUE(src.ok()) << src.status().message();
  if (!src.ok()) return "";
  EXPECT_EQ((*src)->size(), data.size());
  std::string got;
  while (auto b = (*src)->Get()) {
    EXPECT_EQ(b->offset(), got.size());
    got.append(reinterpret_cast<const char*>(b->data()), b->size());
  }
  EXPECT_TRUE((*src)->status().ok()) << (*src)->status().message();
  return got;
}

TEST(DiskStream, StripedRoundTrips) {
  test::TempDir dir;
  int n = 0;
  for (EngineKind engine : {EngineKind::kUring, EngineKind::kThreads}) {
    for (bool direct : {true, false}) {
      for (int k : {1, 2, 3}) {
        for (uint64_t unit : {uint64_t(4096), uint64_t(65536), uint64_t(1) << 20}) {
          for (size_t size : {size_t(0), size_t(1), size_t(4095), size_t(4096), size_t(100000), size_t(1) << 20,
                              (size_t(3) << 20) + 12345}) {
            DiskOptions opt;
            opt.engine = engine;
            opt.direct = direct;
            opt.stripe_unit = unit;
            opt.transfer_size = 256 * 1024;
            opt.queue_depth = 4;
            std::string name = "f";
            name += std::to_string(n++);
            std::string data = Pattern(size, uint32_t(n));
            std::string got = RoundTrip(Members(dir, k, name), opt, data);
            ASSERT_TRUE(got == data) << EngineName(engine) << " direct=" << direct << " K=" << k << " U=" << unit
                                     << " size=" << size << " got " << got.size() << " bytes";
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace rs
