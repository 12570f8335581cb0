// tests/sort/memory_plan_test.cpp — the budget holds at every transfer size (issue 10): a plan's
// own sums stay within the budget, a refusal names a minimum that is then accepted, pools never
// take more RSS than they hold, a pool larger than the machine is refused before it is mapped,
// and a peak RSS over the limit is an error.
#include "sort/job/memory_plan.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "core/config.hpp"
#include "core/record.hpp"
#include "io/aligned_buffer.hpp"
#include "io/mapping_cache.hpp"
#include "io/open_files.hpp"
#include "river/mem_pool.hpp"
#include "sort/external/range_source.hpp"
#include "sort/external/run_former.hpp"
#include "sort/job/sort_result.hpp"
#include "sort/report/phase_clock.hpp"
#include "sort/report/sort_report.hpp"
#include "sort/selection/parallel_merge.hpp"

namespace rs::sort {
namespace {

constexpr uint64_t kMiB = uint64_t(1) << 20;

SortInput Input(uint64_t records_per_rank, int ranks) {
  SortInput in;
  in.records = in.max_records = records_per_rank;
  in.bytes = records_per_rank * kRecordSize;
  in.total = records_per_rank * uint64_t(ranks);
  return in;
}

// "... it needs at least N MiB per rank ..." -> N MiB.
uint64_t StatedMinimum(const std::string& message) {
  const auto at = message.find("at least ");
  EXPECT_NE(at, std::string::npos) << message;
  return std::stoull(message.substr(at + 9)) * kMiB;
}

// Runs of the plan's length that `data` bytes make, and the share of the data twopass plans a rank
// for (10 % above the mean: the sample split's bound), as sort/job/memory_plan.cpp counts them.
uint64_t RunsOf(const ExternalPlan& p, uint64_t data) {
  const uint64_t run_bytes = p.run_records * kRecordSize;
  return (data + run_bytes - 1) / run_bytes;
}
uint64_t TwopassShare(const SortInput& in, int ranks) { return in.total * kRecordSize / uint64_t(ranks) * 11 / 10; }

// What the plan's pools and structures take in run formation, in the merge and (threepass) in the
// parallel merge, summed pool by pool from the sizes the sort creates them with (twopass.cpp,
// threepass.cpp, run_merge.cpp, parallel_merge.cpp), at the plan's transfer size.
struct Spent {
  uint64_t formation, merge, last;
};
Spent Sum(const ExternalPlan& p, const SortOptions& given, bool three, int ranks, uint64_t runs) {
  SortOptions opt = given;
  opt.disk.transfer_size = p.buffer_bytes;
  const DiskOptions disk = RecordDiskOptions(opt);
  const uint64_t t = p.buffer_bytes;
  const uint64_t out = MemPool::Bytes(t, disk.queue_depth + 2);
  const uint64_t book = runs * config::external::kRunBookkeepingBytes;
  const uint64_t pools = three ? MemPool::Bytes(t, p.pool_buffers)
                               : MemPool::Bytes(p.net_buffer_bytes, p.pool_buffers) +
                                     MemPool::Bytes(p.net_buffer_bytes, p.send_buffers) +
                                     MemPool::Bytes(t, disk.queue_depth + 2);
  DiskOptions merge_reads = disk;  // each merged run's reads (ExternalPlan::merge_read_bytes)
  merge_reads.transfer_size = p.merge_read_bytes;
  return {pools + out + RunFormer::OverheadBytes(disk, p.run_records) + book,
          out + book + p.fan_in * RangeSource::Bytes(merge_reads, config::external::kMergeReadsPerRun),
          three ? out + ParallelMergeBytes(disk, opt.exchange, opt.transport, ranks, p.net_buffer_bytes) : 0};
}

// docs/records.md#alignment: every buffer a plan sizes holds whole records, transfers and merge reads
// are whole blocks of lcm(R, 4096) (whole records through the page cache where that block is over
// 2 MiB), and the plan stays within its budget, for every shape of issue 16.
TEST(MemoryPlan, OtherShapesPlanWholeRecordsAndBlocks) {
  const int ranks = 4;
  for (const RecordShape shape :
       {RecordShape{64, 8, 0}, RecordShape{128, 16, 0}, RecordShape{100, 10, 50}, RecordShape{16, 16, 0},
        RecordShape{4096, 32, 100}, RecordShape{8, 1, 7}, RecordShape{4097, 20, 3}, RecordShape{65536, 8, 0}}) {
    for (const uint64_t budget : {64 * kMiB, 1024 * kMiB}) {
      SCOPED_TRACE(shape.ToString() + ", budget " + std::to_string(budget >> 20) + " MiB");
      SortOptions opt;
      opt.shape = shape;
      opt.memory = budget;
      SortInput input;
      input.records = input.max_records = (uint64_t(4) << 30) / shape.size;  // 4 GiB per rank
      input.bytes = input.records * shape.size;
      input.total = input.records * uint64_t(ranks);
      const uint64_t block = shape.Block();
      EXPECT_EQ(RecordDiskOptions(opt).direct, shape.AlignedBlock() != 0);
      for (const bool three : {false, true}) {
        auto plan = three ? PlanThreepass(opt, input, ranks) : PlanTwopass(opt, input, ranks);
        ASSERT_TRUE(plan.ok()) << plan.status().message();
        EXPECT_EQ(plan->buffer_bytes % block, 0u);
        EXPECT_EQ(plan->merge_read_bytes % block, 0u);
        EXPECT_EQ(plan->net_buffer_bytes % shape.size, 0u);
        EXPECT_GE(plan->net_buffer_bytes, shape.size);
        EXPECT_GT(plan->run_records, 0u);
        EXPECT_LE(plan->peak_bytes, budget);
      }
      const OnepassPools pools = PlanOnepass(opt, input, ranks);
      EXPECT_EQ(pools.transfer_size % block, 0u);
      EXPECT_EQ(pools.net_buffer_bytes % shape.size, 0u);
    }
  }
}

TEST(MemoryPlan, EveryTransferSizeFitsOrIsRefusedWithAMinimumThatWorks) {
  const int ranks = 2;
  const SortInput input = Input(2'500'000, ranks);  // 250 MB per rank
  for (const uint64_t t : {uint64_t(64) << 10, uint64_t(128) << 10, kMiB, 2 * kMiB, 8 * kMiB}) {
    for (const uint64_t budget : {4 * kMiB, 16 * kMiB, 64 * kMiB, 1024 * kMiB}) {
      for (const bool three : {false, true}) {
        SCOPED_TRACE(std::to_string(t) + "-byte transfers, budget " + std::to_string(budget >> 20) + " MiB, " +
                     (three ? "threepass" : "twopass"));
        SortOptions opt;
        opt.disk.transfer_size = t;
        opt.memory = budget;
        auto plan = three ? PlanThreepass(opt, input, ranks) : PlanTwopass(opt, input, ranks);
        if (!plan.ok()) {
          // Refused: the minimum it names is accepted.
          EXPECT_NE(plan.status().message().find("is too small"), std::string::npos);
          opt.memory = StatedMinimum(plan.status().message());
          ASSERT_GT(opt.memory, budget);
          plan = three ? PlanThreepass(opt, input, ranks) : PlanTwopass(opt, input, ranks);
          ASSERT_TRUE(plan.ok()) << plan.status().message();
        }
        const uint64_t data = three ? input.max_records * kRecordSize : TwopassShare(input, ranks);
        const uint64_t runs = RunsOf(*plan, data);
        const Spent s = Sum(*plan, opt, three, ranks, runs);
        EXPECT_LE(s.formation, opt.memory);
        EXPECT_LE(s.merge + (three ? ThreepassKeyIndexBytes(input.max_records, opt.shape) : 0), opt.memory);
        EXPECT_LE(s.last, opt.memory);
        EXPECT_LE(plan->buffer_bytes, RecordDiskOptions(opt).transfer_size);
        EXPECT_LE(plan->net_buffer_bytes, plan->buffer_bytes);
        EXPECT_EQ(plan->net_buffer_bytes % kRecordSize, 0u);
        EXPECT_GE(plan->fan_in, 2u);
        EXPECT_GE(plan->run_records, 1u);
      }
    }
  }
}

// The floor a plan names when refused (a budget far below any floor).
uint64_t Floor(bool three, uint64_t total_records, int ranks) {
  SortOptions opt;
  opt.memory = kMiB;
  SortInput in = Input(total_records / uint64_t(ranks), ranks);
  auto plan = three ? PlanThreepass(opt, in, ranks) : PlanTwopass(opt, in, ranks);
  EXPECT_FALSE(plan.ok());
  return plan.ok() ? 0 : StatedMinimum(plan.status().message());
}

// Issue 13: the floor does not grow with P (at most 2x from 2 to 1,024 ranks), any budget from
// 32 MiB works up to 1,024 ranks, and the default 1 GiB holds a terabyte at up to 10,000 ranks.
TEST(MemoryPlan, FloorAndBudgetsIndependentOfRanks) {
  const uint64_t terabyte = 10'000'000'000;
  for (bool three : {false, true}) {
    SCOPED_TRACE(three ? "threepass" : "twopass");
    for (uint64_t records : {uint64_t(1'000'000), uint64_t(100'000'000), terabyte}) {
      const uint64_t at2 = Floor(three, records, 2), at1024 = Floor(three, records, 1024);
      std::printf("%s floor for %llu records: %llu MiB at 2 ranks, %llu MiB at 1,024\n",
                  three ? "threepass" : "twopass", (unsigned long long)records, (unsigned long long)(at2 >> 20),
                  (unsigned long long)(at1024 >> 20));
      EXPECT_LE(at1024, 2 * at2) << records << " records";
    }
    for (int ranks : {2, 16, 128, 1024}) {
      for (uint64_t budget : {32 * kMiB, 100 * kMiB, 1024 * kMiB}) {
        SortOptions opt;
        opt.memory = budget;
        const SortInput in = Input(1'000'000'000 / uint64_t(ranks), ranks);  // 100 GB
        auto plan = three ? PlanThreepass(opt, in, ranks) : PlanTwopass(opt, in, ranks);
        EXPECT_TRUE(plan.ok()) << ranks << " ranks, " << (budget >> 20) << " MiB: " << plan.status().message();
      }
    }
    for (int ranks : {1, 2, 16, 1024, 10000}) {
      SortOptions opt;  // the default budget
      const SortInput in = Input(terabyte / uint64_t(ranks), ranks);
      auto plan = three ? PlanThreepass(opt, in, ranks) : PlanTwopass(opt, in, ranks);
      EXPECT_TRUE(plan.ok()) << ranks << " ranks: " << plan.status().message();
    }
  }
}

TEST(MemoryPlan, OnepassMemoryIndependentOfRanks) {
  // The same data per rank needs about the same memory at 1,024 ranks as at 2: the buffers that
  // circulate per destination shrink as P grows, within a quarter of the budget.
  for (uint64_t per_rank : {uint64_t(10'000), uint64_t(1'000'000), uint64_t(3'000'000)}) {
    SortOptions opt;
    const OnepassPools at2 = PlanOnepass(opt, Input(per_rank, 2), 2);
    const OnepassPools at1024 = PlanOnepass(opt, Input(per_rank, 1024), 1024);
    std::printf("onepass, %llu records per rank: floor %llu MiB at 2 ranks, %llu MiB at 1,024\n",
                (unsigned long long)per_rank, (unsigned long long)(at2.floor_bytes >> 20),
                (unsigned long long)(at1024.floor_bytes >> 20));
    EXPECT_LE(at1024.floor_bytes, 2 * at2.floor_bytes) << per_rank << " records per rank";
    for (uint64_t budget : {uint64_t(0), 64 * kMiB, 256 * kMiB, 1024 * kMiB}) {
      opt.memory = budget;
      for (int ranks : {2, 1024}) {
        const OnepassPools p = PlanOnepass(opt, Input(per_rank, ranks), ranks);
        SCOPED_TRACE(std::to_string(per_rank) + " records per rank, budget " + std::to_string(budget >> 20) + " MiB, " +
                     std::to_string(ranks) + " ranks");
        EXPECT_EQ(p.net_buffer_bytes % kRecordSize, 0u);
        EXPECT_LE(p.floor_bytes, p.bytes);
        // Within the budget whenever the floor is; what circulates besides the received records
        // within a quarter of it.
        if (budget > 0 && p.floor_bytes <= budget) {
          EXPECT_LE(p.bytes, budget);
        }
        const uint64_t kept = (p.receive_bytes + p.net_buffer_bytes - 1) / p.net_buffer_bytes;
        const uint64_t b = budget > 0 ? budget : config::external::kDefaultMemory;
        EXPECT_LE(MemPool::Bytes(p.net_buffer_bytes, p.net_buffers - kept), b / 4 + 64 * 1024);
        EXPECT_EQ(p.notice.empty(), p.net_buffer_bytes == p.transfer_size) << p.notice;
      }
    }
  }
  // Two ranks under a budget of 256 MiB and up keep transfer-size network buffers.
  SortOptions opt;
  opt.memory = 256 * kMiB;
  EXPECT_EQ(PlanOnepass(opt, Input(500'000, 2), 2).notice, "");
}

TEST(MemoryPlan, RmaWindowIsCounted) {
  // --transport rma's window (P × 4 slots of the network buffer size) is part of the plan: with a
  // given buffer size onepass's sum grows by exactly the window, and with the planned one the
  // buffers shrink with P so that the window stays within the network's quarter of the budget.
  for (int ranks : {2, 16, 1024}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    SortOptions mpi;
    mpi.memory = 1024 * kMiB;
    SortOptions rma = mpi;
    rma.transport = TransportKind::kRma;
    const SortInput in = Input(2'000'000, ranks);
    SortOptions mpi_given = mpi, rma_given = rma;
    mpi_given.net_buffer = rma_given.net_buffer = 100'000;
    const OnepassPools pm = PlanOnepass(mpi_given, in, ranks), pr = PlanOnepass(rma_given, in, ranks);
    ASSERT_EQ(pm.net_buffer_bytes, pr.net_buffer_bytes);
    EXPECT_EQ(pr.bytes, pm.bytes + uint64_t(4 * ranks) * pr.net_buffer_bytes);
    const OnepassPools om = PlanOnepass(mpi, in, ranks), orma = PlanOnepass(rma, in, ranks);
    EXPECT_LE(orma.net_buffer_bytes, om.net_buffer_bytes);
    EXPECT_LE(WindowSlots(TransportKind::kRma, ranks) * orma.net_buffer_bytes, mpi.memory / 4);
    auto tm = PlanTwopass(mpi, in, ranks), tr = PlanTwopass(rma, in, ranks);
    ASSERT_TRUE(tm.ok() && tr.ok());
    EXPECT_LE(tr->net_buffer_bytes, tm->net_buffer_bytes);
    EXPECT_LE(WindowSlots(TransportKind::kRma, ranks) * tr->net_buffer_bytes, mpi.memory / 4);
    if (ranks == 1024) {  // where the window would have been 516 MB beyond the budget
      EXPECT_LT(tr->net_buffer_bytes, tm->net_buffer_bytes);
      EXPECT_LT(orma.net_buffer_bytes, om.net_buffer_bytes);
    }
  }
  EXPECT_EQ(WindowSlots(TransportKind::kMpi, 1024), 0u);
  // With a given buffer size, the least budget twopass and threepass accept (threepass's window
  // is its parallel merge's) rises by at least the window: 4,096 slots of 100,000 bytes.
  for (bool three : {false, true}) {
    SCOPED_TRACE(three ? "threepass" : "twopass");
    const int ranks = 1024;
    const SortInput in = Input(2'000'000, ranks);
    SortOptions mpi;
    mpi.memory = kMiB;  // too small: the refusal states the floor
    mpi.net_buffer = 100'000;
    SortOptions rma = mpi;
    rma.transport = TransportKind::kRma;
    auto m = three ? PlanThreepass(mpi, in, ranks) : PlanTwopass(mpi, in, ranks);
    auto r = three ? PlanThreepass(rma, in, ranks) : PlanTwopass(rma, in, ranks);
    ASSERT_FALSE(m.ok());
    ASSERT_FALSE(r.ok());
    const uint64_t window = WindowSlots(TransportKind::kRma, ranks) * 100'000;
    EXPECT_GE(StatedMinimum(r.status().message()) + kMiB, StatedMinimum(m.status().message()) + window);
  }
}

TEST(MemoryPlan, MergeReadsShrinkToKeepOneLevel) {
  // 4 GB over 2 ranks under 256 MiB: at 2 MB merge reads the fan-in (37) is below the runs (41-45);
  // the plan reads in smaller transfers, whole record blocks and at least kMinMergeReadBytes,
  // so that one level merges them all, and the merge still fits the budget. 16 GB under 256 MiB
  // makes 128-175 runs per rank: one level needs a fan-in above 128 and reads of 300 KiB.
  RaiseOpenFileLimit();  // as riversort does at start: the plan's fan-in depends on it
  SortOptions opt;
  opt.memory = 256 * kMiB;
  for (const uint64_t per_rank : {20'000'000u, 80'000'000u})
    for (bool three : {false, true}) {
      const SortInput input = Input(per_rank, 2);
      auto plan = three ? PlanThreepass(opt, input, 2) : PlanTwopass(opt, input, 2);
      ASSERT_TRUE(plan.ok()) << plan.status().message();
      const uint64_t data = three ? input.bytes : TwopassShare(input, 2);
      const uint64_t runs = RunsOf(*plan, data);
      EXPECT_GE(plan->fan_in, runs) << (three ? "threepass " : "twopass ") << per_rank;
      EXPECT_LE(plan->fan_in, config::external::kMaxFanIn);
      EXPECT_LE(plan->merge_read_bytes, plan->buffer_bytes);
      EXPECT_GE(plan->merge_read_bytes, std::min(config::external::kMinMergeReadBytes,
                                                 plan->buffer_bytes / 2 / config::kRecordBlock * config::kRecordBlock));
      EXPECT_EQ(plan->merge_read_bytes % config::kRecordBlock, 0u);
      EXPECT_LE(Sum(*plan, opt, three, 2, runs).merge, opt.memory);
      EXPECT_LE(plan->peak_bytes, opt.memory);
      if (!three) {
        EXPECT_LT(plan->merge_read_bytes, plan->buffer_bytes);  // twopass's runs need it here
      }
    }
  const SortInput input = Input(20'000'000, 2);
  // With --fan-in given the reads stay whole and the merge goes in levels.
  opt.fan_in = 8;
  auto given = PlanTwopass(opt, input, 2);
  ASSERT_TRUE(given.ok());
  EXPECT_EQ(given->fan_in, 8u);
  EXPECT_EQ(given->merge_read_bytes, given->buffer_bytes);
  // A budget whose runs fit the fan-in anyway keeps the transfer size.
  opt.fan_in = 0;
  opt.memory = 1024 * kMiB;
  auto roomy = PlanTwopass(opt, input, 2);
  ASSERT_TRUE(roomy.ok());
  EXPECT_EQ(roomy->merge_read_bytes, roomy->buffer_bytes);
}

TEST(MemoryPlan, FanInFitsTheOpenFileLimit) {
  // Each merged run: a file per stripe member and a ring; besides, the sink's, kReservedOpenFiles
  // and a socket per rank.
  const uint64_t reserved = config::external::kReservedOpenFiles;
  EXPECT_EQ(MergeStreamCap(1, 1, 2, 1'000'000), config::external::kMaxFanIn);
  EXPECT_EQ(MergeStreamCap(1, 1, 2, 256), (256 - reserved - 2 - 2) / 2);
  EXPECT_EQ(MergeStreamCap(4, 4, 2, 1024), (1024 - reserved - 2 - 5) / 5);
  EXPECT_EQ(MergeStreamCap(4, 8, 2, 1024), (1024 - reserved - 2 - 9) / 5);  // a wider output
  EXPECT_EQ(MergeStreamCap(0, 0, 1, 256), (256 - reserved - 1 - 2) / 2);    // no dirs given: one member
  EXPECT_EQ(MergeStreamCap(1, 1, 1000, 1024), 2u);                          // never below two
  EXPECT_EQ(MergeStreamCap(1, 1, 2, 0), 2u);

  // The plan keeps within the process's limit. 16 GB over 2 ranks under 1 GiB (50 runs per rank
  // by default, a fan-in of 166 by the budget), 3 stripe members: under a soft limit of 256 the
  // limit holds 46 streams and the plan lengthens its runs to merge in one level, quietly; under
  // 128 it holds 14, more runs than that remain, and the plan says why its merge goes in levels.
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  SortOptions opt;
  opt.memory = 1024 * kMiB;
  opt.out.dirs = {"a", "b", "c"};
  const SortInput input = Input(80'000'000, 2);
  for (const rlim_t limit : {rlim_t(256), rlim_t(128)}) {
    rlimit low = saved;
    low.rlim_cur = std::min(limit, saved.rlim_cur);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
    auto plan = PlanTwopass(opt, input, 2);
    ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
    ASSERT_TRUE(plan.ok()) << plan.status().message();
    EXPECT_EQ(plan->fan_in, MergeStreamCap(3, 3, 2, low.rlim_cur));
    const uint64_t runs = RunsOf(*plan, TwopassShare(input, 2));
    const bool levels = runs > plan->fan_in;
    EXPECT_EQ(levels, low.rlim_cur == 128) << runs << " runs, fan-in " << plan->fan_in;
    EXPECT_EQ(
        plan->notice.find("open-file limit (ulimit -n " + std::to_string(low.rlim_cur) + ")") != std::string::npos,
        levels)
        << plan->notice;
  }
}

TEST(MemoryPlan, ManyRunsAreCountedByTheirBookkeeping) {
  // A terabyte per rank under a small budget: hundreds of thousands of runs, whose bookkeeping
  // alone is tens of MB; the plan either counts it within the budget or refuses.
  SortOptions opt;
  opt.disk.transfer_size = 64 << 10;
  opt.memory = 16 * kMiB;
  const SortInput input = Input(10'000'000'000, 2);
  auto plan = PlanTwopass(opt, input, 2);
  if (plan.ok()) {
    const uint64_t data = TwopassShare(input, 2);
    const uint64_t runs = RunsOf(*plan, data);
    EXPECT_LE(runs * config::external::kRunBookkeepingBytes, opt.memory);
  } else {
    EXPECT_NE(plan.status().message().find("is too small"), std::string::npos);
  }
}

TEST(MemoryPlan, OnepassWithAHugeTransferSizeIsRefusedNamingTheKnob) {
  SortOptions opt;
  opt.disk.transfer_size = uint64_t(1) << 30;
  opt.disk.queue_depth = 256;  // 258 GiB of disk buffers: more than a test machine has
  const SortInput input = Input(2'500'000, 2);
  const Status st = CheckOnepassMemory(opt, input, 2);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("--transfer-size"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find('\n'), std::string::npos);
  opt.disk.transfer_size = 2 * kMiB;
  opt.disk.queue_depth = config::kQueueDepth;
  EXPECT_TRUE(CheckOnepassMemory(opt, input, 2).ok());
}

uint64_t RssBytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  }
  return 0;
}

TEST(MemoryPlan, SmallPoolsTakeNoHugePages) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "under a sanitizer RSS holds its shadow memory";
#endif
  mapping_cache::Flush();  // fresh pages only: reused ones would not show what a fresh pool takes
  // 40 pools of 3 x 100 KiB, every byte touched: with each rounded up to a 2 MiB huge page they
  // took 80 MiB; their buffers are 12 MiB.
  std::vector<std::unique_ptr<MemPool>> pools;
  const uint64_t before = RssBytes();
  for (int i = 0; i < 40; ++i) {
    auto p = MemPool::Create(config::kRecordBlock, 3);
    ASSERT_TRUE(p.ok());
    std::vector<Buffer> held;
    for (int j = 0; j < 3; ++j) {
      held.push_back((*p)->Get());
      std::memset(held.back().data(), 1, held.back().capacity());
    }
    pools.push_back(std::move(*p));
  }
  const uint64_t grew = RssBytes() - before;
  EXPECT_LE(grew, 40 * MemPool::Bytes(config::kRecordBlock, 3) + 2 * kMiB) << grew;
}

TEST(MemoryPlan, PoolsBeyondTheMachineAreRefusedBeforeMapping) {
  auto huge = MemPool::Create(uint64_t(1) << 30, 4096);  // 4 TiB
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("--transfer-size"), std::string::npos) << huge.status().message();
  // The refused pool is not counted against later ones.
  auto small = MemPool::Create(4096, 4);
  EXPECT_TRUE(small.ok());
}

TEST(MemoryPlan, PeakRssOverTheLimitIsAnError) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "under a sanitizer the peak RSS is the sanitizer's, and is not checked";
#endif
  LocalComm comm;
  PhaseClock::ResetPeakRss();
  EXPECT_TRUE(CheckPeakRss(comm, 0).ok());  // no budget, no limit
  EXPECT_TRUE(CheckPeakRss(comm, uint64_t(1) << 40).ok());
  // Touch more than the limit of a 1 MiB budget (65 MiB and a bit).
  auto mem = AlignedBuffer::Allocate(RssLimit(kMiB) + 8 * kMiB);
  ASSERT_TRUE(mem.ok());
  std::memset(mem->data(), 1, mem->size());
  const Status st = CheckPeakRss(comm, kMiB);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("is over the limit of 66 MiB"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("nothing was published"), std::string::npos) << st.message();
  // A new sort starts a new peak: the memory above is gone (RunSort unmaps what the mapping cache
  // kept of it, then resets the peak).
  mem = AlignedBuffer::Allocate(4096);
  mapping_cache::Flush();
  PhaseClock::ResetPeakRss();
  EXPECT_TRUE(CheckPeakRss(comm, kMiB).ok()) << PhaseClock::PeakRss();
  // Where one process runs several ranks, its memory is no rank's: not checked.
  class TwoRanksHere final : public Comm {
   public:
    int rank() const override { return 0; }
    int size() const override { return 2; }
    std::vector<std::string> AllGather(std::string_view) override { return {}; }
    [[noreturn]] void Abort(int) override { std::abort(); }
    bool owns_process() const override { return false; }
  } shared;
  auto again = AlignedBuffer::Allocate(RssLimit(kMiB) + 8 * kMiB);
  ASSERT_TRUE(again.ok());
  std::memset(again->data(), 1, again->size());
  EXPECT_FALSE(CheckPeakRss(comm, kMiB).ok());
  EXPECT_TRUE(CheckPeakRss(shared, kMiB).ok());
}

}  // namespace
}  // namespace rs::sort
