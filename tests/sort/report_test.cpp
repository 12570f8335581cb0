// tests/sort/report_test.cpp — what a sort reports beyond its phase times: the activity counters
// (core/activity.hpp) counting real file I/O, the timeline sampler (samples on its interval,
// bounded by thinning, a last sample at Stop), the judgement of what bound a phase
// (sort/report/phase_bound.hpp) and the --limits file, and the table's and JSON's new parts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/activity.hpp"
#include "io/env.hpp"
#include "river/mem_pool.hpp"
#include "sort/report/phase_bound.hpp"
#include "sort/report/sort_report.hpp"
#include "sort/report/timeline.hpp"

namespace rs::sort {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/rs_report_test_" + std::to_string(getpid()) + "_" + name;
}

TEST(Activity, CountsFileReadsWritesAndPoolBuffers) {
  const std::string path = TempPath("io");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  ASSERT_GE(fd, 0);
  std::vector<char> data(12345, 'x');
  const activity::Totals before = activity::Now();
  ASSERT_EQ(Env::Posix()->Pwrite(fd, data.data(), data.size(), 0), ssize_t(data.size()));
  ASSERT_EQ(Env::Posix()->Pread(fd, data.data(), 1000, 10), 1000);
  ::close(fd);
  ::unlink(path.c_str());
  activity::Totals d = activity::Now().Since(before);
  EXPECT_EQ(d.disk_written, 12345u);
  EXPECT_EQ(d.disk_read, 1000u);

  auto pool = MemPool::Create(8192, 2);
  ASSERT_TRUE(pool.ok());
  const uint64_t level = activity::Now().pool_in_use;
  {
    Buffer b = (*pool)->Get();
    EXPECT_EQ(activity::Now().pool_in_use, level + 8192);
  }
  EXPECT_EQ(activity::Now().pool_in_use, level);
}

TEST(Timeline, SamplesOnItsIntervalWithALastSampleAtStop) {
  Timeline t(/*interval_ms=*/10, /*max_samples=*/1000);
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  activity::DiskRead(777);
  const TimelineSeries s = t.Stop();
  // 120 ms at 10 ms: the first sample, about 12 ticks (a loaded machine may skip a few), the last.
  ASSERT_GE(s.samples.size(), 6u);
  EXPECT_LE(s.samples.size(), 16u);
  EXPECT_DOUBLE_EQ(s.interval_s, 0.01);
  for (size_t i = 1; i < s.samples.size(); ++i) {
    EXPECT_GE(s.samples[i].t_s, s.samples[i - 1].t_s);
    EXPECT_GE(s.samples[i].cpu_s, s.samples[i - 1].cpu_s);
    EXPECT_GE(s.samples[i].totals.disk_read, s.samples[i - 1].totals.disk_read);
  }
  EXPECT_GE(s.samples.back().totals.disk_read - s.samples.front().totals.disk_read, 777u);
  EXPECT_GT(s.samples.back().t_s - s.samples.front().t_s, 0.1);
  // Stopped: a second Stop returns the same series, and no thread runs on.
  EXPECT_EQ(t.Stop().samples.size(), s.samples.size());
}

TEST(Timeline, StaysUnderItsBoundByThinning) {
  Timeline t(/*interval_ms=*/1, /*max_samples=*/8);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  activity::DiskWritten(4321);  // after the last tick but before Stop: only the end sample has it
  const TimelineSeries s = t.Stop();
  // Thinning keeps the last sample too: the series ends at Stop, with everything counted.
  EXPECT_GE(s.samples.back().totals.disk_written - s.samples.front().totals.disk_written, 4321u);
  EXPECT_GE(s.samples.back().t_s - s.samples.front().t_s, 0.09);
  EXPECT_LE(s.samples.size(), 8u);
  EXPECT_GE(s.samples.size(), 3u);
  // Thinned at least twice (100 ticks into 8 samples): the interval doubled as often.
  EXPECT_GE(s.interval_s, 0.004);
  for (size_t i = 1; i < s.samples.size(); ++i) EXPECT_GT(s.samples[i].t_s, s.samples[i - 1].t_s);
}

PhaseTime Phase(double wall, double cpu, uint64_t read, uint64_t written, uint64_t sent, uint64_t received) {
  PhaseTime p;
  p.name = "p";
  p.wall_s = wall;
  p.cpu_s = cpu;
  p.io = {read, written, sent, received, 0};
  return p;
}

TEST(PhaseBound, NamesTheResourceNearestItsLimitOnTheBusiestNode) {
  const MachineLimits limits{1000, 2000, 5000, "test"};
  // 900 MB read in 1 s on one node of 4 cores, little CPU: the disk's read at 90 %.
  PhaseTime read = Phase(1, 0.4, 900'000'000, 0, 0, 0);
  EXPECT_EQ(PhaseBound({{&read, "a", 4}}, 1.0, limits), "disk read 90%");
  // Two ranks on one host share its disk: 2 x 800 MB written in 1 s of a 2000 MB/s disk.
  PhaseTime write = Phase(1, 0.2, 0, 800'000'000, 0, 0);
  EXPECT_EQ(PhaseBound({{&write, "a", 4}, {&write, "a", 4}}, 1.0, limits), "disk write 80%");
  // ... but on two hosts each has its own: 40 %, below the bound fraction.
  EXPECT_EQ(PhaseBound({{&write, "a", 4}, {&write, "b", 4}}, 1.0, limits), "none: disk write 40%");
  // Read and write together: the disk's time is shared (0.4 + 0.4).
  PhaseTime both = Phase(1, 0.1, 400'000'000, 800'000'000, 0, 0);
  EXPECT_EQ(PhaseBound({{&both, "a", 4}}, 1.0, limits), "disk read+write 80%");
  // CPU: 3.6 core-seconds in 1 s on 4 cores.
  PhaseTime cpu = Phase(1, 3.6, 100'000'000, 0, 0, 0);
  EXPECT_EQ(PhaseBound({{&cpu, "a", 4}}, 1.0, limits), "cpu 90%");
  // Network: the larger of sent and received.
  PhaseTime net = Phase(1, 0.5, 0, 0, 1'000'000'000, 4'000'000'000);
  EXPECT_EQ(PhaseBound({{&net, "a", 4}}, 1.0, limits), "network 80%");
  // The slowest rank's wall is the phase's: over 2 s, the same read is at 45 %.
  EXPECT_EQ(PhaseBound({{&read, "a", 4}}, 2.0, limits), "none: disk read 45%");
  EXPECT_EQ(PhaseBound({}, 1.0, limits), "-");
}

TEST(Limits, LoadsAnIobenchResultAndRefusesOthers) {
  const std::string path = TempPath("limits.json");
  auto write = [&](const std::string& text) {
    ::unlink(path.c_str());
    std::ofstream(path) << text;
  };
  write(R"({"kind": "iobench", "best": {"read": {"MBps": 1234.5}, "write": {"MBps": 2345}}})");
  auto m = LoadLimits(path);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_DOUBLE_EQ(m->disk_read_MBps, 1234.5);
  EXPECT_DOUBLE_EQ(m->disk_write_MBps, 2345);
  EXPECT_DOUBLE_EQ(m->network_MBps, DefaultLimits().network_MBps);
  EXPECT_EQ(m->source, path);
  write(R"({"best": {"read": {"MBps": 1}}})");
  auto bad = LoadLimits(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("best.write.MBps"), std::string::npos) << bad.status().message();
  write("not json");
  EXPECT_FALSE(LoadLimits(path).ok());
  write(R"({"best": {"read": {"MBps": 0}, "write": {"MBps": 5}}})");
  EXPECT_FALSE(LoadLimits(path).ok());
  ::unlink(path.c_str());
  auto missing = LoadLimits(path);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(path), std::string::npos);
}

TEST(SortReport, TableHasTheBoundAndCoreSecondsAndJsonTheTimeline) {
  SortReport report;
  report.algo = "twopass";
  report.records = 10'000'000;  // 1 GB
  report.limits = {1000, 2000, 5000, "test"};
  RankReport r;
  r.host = "h";
  r.node_cores = 2;
  PhaseTime over = Phase(0.1, 1.5, 0, 0, 0, 0);
  over.name = "overhead";
  PhaseTime merge = Phase(1, 0.5, 950'000'000, 0, 0, 0);
  merge.name = "merge";
  r.phases = {over, merge};
  TimelineSample a, b;
  b.t_s = 0.1;
  b.cpu_s = 0.2;
  b.totals.disk_read = 5;
  r.timeline = {0.1, {a, b}};
  report.ranks = {r};
  const std::string table = report.Table();
  EXPECT_NE(table.find("bound"), std::string::npos) << table;
  EXPECT_NE(table.find("disk read 95%"), std::string::npos) << table;
  // 2.0 core-seconds for 1 GB.
  EXPECT_NE(table.find("2.00   core-seconds per GB"), std::string::npos) << table;
  const auto j = nlohmann::json::parse(report.Json());
  EXPECT_DOUBLE_EQ(j.at("core_s_per_GB").get<double>(), 2.0);
  EXPECT_EQ(j.at("limits").at("source"), "test");
  const auto& tl = j.at("per_rank").at(0).at("timeline");
  EXPECT_EQ(tl.at("t_s").size(), 2u);
  EXPECT_EQ(tl.at("disk_read").at(1), 5);
  EXPECT_EQ(j.at("per_rank").at(0).at("phases").at(1).at("io").at("disk_read"), 950'000'000u);
  EXPECT_EQ(j.at("per_rank").at(0).at("host"), "h");
}

}  // namespace
}  // namespace rs::sort
