// tests/tune/iobench_test.cpp — a tiny iobench sweep end to end: a row per point with positive
// MB/s, CSV and JSON with the right rows, a best per direction, no test files left behind (also
// when a point fails), and bad knob values refused with a line naming the flag.
#include "tune/iobench.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "tests/support/temp_dir.hpp"
#include "tune/iobench_report.hpp"

namespace rs::tune {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> MakeDirs(const test::TempDir& dir, int n) {
  std::vector<std::string> dirs;
  for (int i = 0; i < n; ++i) {
    std::string d = dir.path();
    d += "/d";
    d += std::to_string(i);
    fs::create_directories(d);
    dirs.push_back(d);
  }
  return dirs;
}

size_t Entries(const std::string& dir) {
  return size_t(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

IobenchConfig Tiny(const std::vector<std::string>& dirs) {
  IobenchConfig c;
  c.dirs = dirs;
  c.file_size = uint64_t(8) << 20;
  c.transfer_sizes = {uint64_t(256) << 10, uint64_t(1) << 20};
  c.queue_depths = {1, 4};
  c.stripes = {1, 2};
  c.engines = {EngineKind::kUring, EngineKind::kThreads};
  c.rws = {Rw::kRead, Rw::kWrite};
  c.stripe_unit = uint64_t(256) << 10;  // so that K = 2 really splits every transfer
  return c;
}

TEST(Iobench, TinySweepReportsEveryPoint) {
  test::TempDir tmp;
  auto dirs = MakeDirs(tmp, 2);
  IobenchConfig c = Tiny(dirs);
  std::vector<std::string> progress;
  auto r = RunIobench(c, [&](const std::string& line) { progress.push_back(line); });
  ASSERT_TRUE(r.ok()) << r.status().message();
  constexpr size_t kRows = 2 * 2 * 2 * 2 * 2;  // T x QD x K x engine x rw
  ASSERT_EQ(r->rows.size(), kRows);
  EXPECT_EQ(progress.size(), kRows);  // one line per measured point
  std::set<std::tuple<std::string, std::string, int, uint64_t, unsigned>> seen;
  for (const auto& row : r->rows) {
    EXPECT_GT(row.mbps, 0);
    EXPECT_GT(row.seconds, 0);
    EXPECT_GE(row.cpu_s_per_gb, 0);
    EXPECT_EQ(row.bytes, c.file_size);
    EXPECT_EQ(row.run_seconds.size(), 1u);
    EXPECT_TRUE(row.engine == "uring" || row.engine == "threads") << row.engine;
    seen.insert({RwName(row.rw), row.engine, row.stripes, row.transfer_size, row.queue_depth});
  }
  EXPECT_EQ(seen.size(), kRows);  // every point once

  // The best per direction is that direction's highest MB/s.
  ASSERT_GE(r->best_read, 0);
  ASSERT_GE(r->best_write, 0);
  const IobenchRow& br = r->rows[size_t(r->best_read)];
  const IobenchRow& bw = r->rows[size_t(r->best_write)];
  EXPECT_EQ(br.rw, Rw::kRead);
  EXPECT_EQ(bw.rw, Rw::kWrite);
  for (const auto& row : r->rows) EXPECT_LE(row.mbps, (row.rw == Rw::kRead ? br : bw).mbps);

  // Nothing left in the test directories.
  for (const auto& d : dirs) EXPECT_EQ(Entries(d), 0u) << d;

  // CSV and JSON on disk.
  std::string out = tmp.File("results");
  RunInfo info = CurrentRunInfo();
  auto paths = WriteResults(*r, info, out);
  ASSERT_TRUE(paths.ok()) << paths.status().message();
  EXPECT_NE(paths->csv.find("/iobench-" + info.host + "-"), std::string::npos);
  std::istringstream csv(test::ReadFile(paths->csv));
  std::string line;
  ASSERT_TRUE(std::getline(csv, line));
  EXPECT_EQ(line, "rw,engine,stripes,stripe_unit,transfer_size,queue_depth,bytes,seconds,MBps,cpu_s_per_GB");
  size_t lines = 0;
  while (std::getline(csv, line)) {
    ++lines;
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), 9) << line;
  }
  EXPECT_EQ(lines, kRows);
  auto j = nlohmann::json::parse(test::ReadFile(paths->json));
  EXPECT_EQ(j["kind"], "iobench");
  EXPECT_EQ(j["rows"].size(), kRows);
  EXPECT_EQ(j["config"]["file_size"], c.file_size);
  EXPECT_EQ(j["best"]["read"]["MBps"], br.mbps);
  EXPECT_EQ(j["best"]["write"]["setting"], DescribeBest(bw));
  // A second write in the same second does not overwrite the first.
  auto again = WriteResults(*r, info, out);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->csv, paths->csv);
  EXPECT_EQ(Entries(out), 4u);
}

TEST(Iobench, ReadOnlyAndRunsGiveMedians) {
  test::TempDir tmp;
  IobenchConfig c;
  c.dirs = MakeDirs(tmp, 1);
  c.file_size = uint64_t(4) << 20;
  c.transfer_sizes = {uint64_t(1) << 20};
  c.queue_depths = {2, 2};  // duplicates are measured once
  c.engines = {EngineKind::kUring};
  c.rws = {Rw::kRead};
  c.runs = 3;
  auto r = RunIobench(c, nullptr);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0].rw, Rw::kRead);
  EXPECT_EQ(r->rows[0].run_seconds.size(), 3u);
  EXPECT_EQ(r->best_write, -1);
  EXPECT_EQ(r->best_read, 0);
  EXPECT_EQ(Entries(c.dirs[0]), 0u);
  EXPECT_EQ(ToJson(*r, CurrentRunInfo()).find("\"write\": {"), std::string::npos);
}

TEST(Iobench, FailedPointLeavesNoTestFiles) {
  test::TempDir tmp;
  auto dirs = MakeDirs(tmp, 2);
  // A directory where member 1 must go: member 0 is published, member 1's rename fails.
  fs::create_directories(dirs[1] + "/" + kIobenchFileName);
  IobenchConfig c = Tiny(dirs);
  c.stripes = {2};
  auto r = RunIobench(c, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(dirs[1]), std::string::npos) << r.status().message();
  EXPECT_EQ(Entries(dirs[0]), 0u);
  EXPECT_EQ(Entries(dirs[1]), 1u);  // only the directory that was there
}

TEST(Iobench, BadKnobsNameTheirFlag) {
  test::TempDir tmp;
  auto dirs = MakeDirs(tmp, 2);
  struct Case {
    std::string want;
    std::function<void(IobenchConfig*)> edit;
  };
  const std::vector<Case> cases = {
      {"--dir: give at least one", [](IobenchConfig* c) { c->dirs.clear(); }},
      {"--dir ", [&](IobenchConfig* c) { c->dirs = {tmp.File("nope")}; }},
      {"given twice",
       [&](IobenchConfig* c) {
         c->dirs = {dirs[0], dirs[0] + "/."};
       }},
      {"--size 0: allowed 4K .. 1T", [](IobenchConfig* c) { c->file_size = 0; }},
      {"bytes free", [](IobenchConfig* c) { c->file_size = uint64_t(1) << 40; }},
      {"--transfer-size 5000: with O_DIRECT it must be a multiple of 4096",
       [](IobenchConfig* c) {
         c->transfer_sizes = {uint64_t(1) << 20, 5000};
       }},
      {"--transfer-size 0: allowed", [](IobenchConfig* c) { c->transfer_sizes = {0}; }},
      {"--transfer-size: give at least one", [](IobenchConfig* c) { c->transfer_sizes.clear(); }},
      {"--queue-depth 0: allowed 1 .. 4096",
       [](IobenchConfig* c) {
         c->queue_depths = {4, 0};
       }},
      {"--queue-depth 4097: allowed 1 .. 4096", [](IobenchConfig* c) { c->queue_depths = {4097}; }},
      {"--stripes 3: allowed 1 .. 2 (the number of --dir)",
       [](IobenchConfig* c) {
         c->stripes = {1, 3};
       }},
      {"--stripes 0: allowed 1 .. 2", [](IobenchConfig* c) { c->stripes = {0}; }},
      {"--io-engine auto: allowed uring, threads", [](IobenchConfig* c) { c->engines = {EngineKind::kAuto}; }},
      {"--rw: give at least one", [](IobenchConfig* c) { c->rws.clear(); }},
      {"--stripe-unit 5000: allowed 4096 or more (a multiple of 4096 with O_DIRECT)",
       [](IobenchConfig* c) { c->stripe_unit = 5000; }},
      {"--runs 0: allowed 1 .. 100", [](IobenchConfig* c) { c->runs = 0; }},
  };
  for (const auto& k : cases) {
    IobenchConfig c = Tiny(dirs);
    k.edit(&c);
    Status st = c.Check();
    EXPECT_FALSE(st.ok()) << k.want;
    EXPECT_NE(st.message().find(k.want), std::string::npos) << "want '" << k.want << "', got: " << st.message();
    EXPECT_EQ(st.message().find('\n'), std::string::npos) << st.message();
    auto r = RunIobench(c, nullptr);
    EXPECT_FALSE(r.ok());
  }
  // Without O_DIRECT transfer sizes need not be whole blocks.
  IobenchConfig buffered = Tiny(dirs);
  buffered.direct = false;
  buffered.transfer_sizes = {5000};
  EXPECT_TRUE(buffered.Check().ok()) << buffered.Check().message();
  for (const auto& d : dirs) EXPECT_EQ(Entries(d), 0u);
}

TEST(Iobench, Formats) {
  EXPECT_EQ(FormatSize(uint64_t(2) << 20), "2M");
  EXPECT_EQ(FormatSize(uint64_t(512) << 10), "512K");
  EXPECT_EQ(FormatSize(uint64_t(1) << 30), "1G");
  EXPECT_EQ(FormatSize(1000), "1000");
  IobenchRow row;
  row.transfer_size = uint64_t(2) << 20;
  row.queue_depth = 32;
  row.engine = "uring";
  row.stripes = 1;
  row.mbps = 2890.2;
  EXPECT_EQ(DescribeBest(row), "2M x QD32, uring, 1 stripe: 2890 MB/s");
  row.stripes = 2;
  row.stripe_unit = uint64_t(1) << 20;
  EXPECT_EQ(DescribeBest(row), "2M x QD32, uring, 2 stripes (unit 1M): 2890 MB/s");
}

}  // namespace
}  // namespace rs::tune
