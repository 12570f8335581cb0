// tests/distributed/mpi_distributed_test.cpp — the distributed cases on MPI_COMM_WORLD; ctest
// runs this binary under mpirun -np 1..4. Every rank runs every test in the same order.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <tuple>

#include "core/config.hpp"
#include "river/net/mpi_comm.hpp"
#include "river/net/mpi_single_copy.hpp"
#include "river/net/mpi_transport.hpp"
#include "river/net/mpi_transport_base.hpp"
#include "tests/distributed/distributed_cases.hpp"

namespace rs::test {
namespace {

Comm* g_comm = nullptr;

TEST(MpiDistributed, PartitionedGenMatchesSingleFile) { PartitionedGenMatchesSingleFile(*g_comm); }
TEST(MpiDistributed, DistributedValidateMatchesSingleFile) { DistributedValidateMatchesSingleFile(*g_comm); }
TEST(MpiDistributed, ManifestCheckCatchesLostRecord) { ManifestCheckCatchesLostRecord(*g_comm); }
TEST(MpiDistributed, MissingPartitionNamesTheRank) { MissingPartitionNamesTheRank(*g_comm); }
TEST(MpiDistributed, CollectivesMatchTheirDefinitions) { CollectivesMatchTheirDefinitions(*g_comm); }

// Both MPI backends, both schedules. Small receive pools and few sends in flight make the flow
// control work; the transport is destroyed before the next collective (MPI_THREAD_SERIALIZED).
void ExchangeWith(TransportKind kind, ExchangeSchedule schedule,
                  std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
  auto send_pool = MemPool::Create(64 * 1024, 6);
  auto recv_pool = MemPool::Create(64 * 1024, 6);
  TransportOptions opt;
  opt.schedule = schedule;
  opt.max_sends_in_flight = 3;
  opt.posted_receives = 3;
  {
    auto t = MakeTransport(*g_comm, kind, recv_pool->get(), opt);
    EXPECT_TRUE(t.ok()) << t.status().message();
    // The ranks whose transport exists cannot agree with this one while it runs (only its
    // thread may call MPI), and would wait for this rank forever: end the job, a failure.
    if (!t.ok()) g_comm->Abort(1);
    TransportDeliversEverything(*g_comm, **t, **send_pool, pause);
  }
  g_comm->AllGather("");  // everyone done before the pools go away
}

TEST(MpiDistributed, TwoSidedFree) { ExchangeWith(TransportKind::kMpi, ExchangeSchedule::kFree); }
TEST(MpiDistributed, TwoSidedRestricted) { ExchangeWith(TransportKind::kMpi, ExchangeSchedule::kRestricted); }
TEST(MpiDistributed, RmaFree) { ExchangeWith(TransportKind::kRma, ExchangeSchedule::kFree); }
TEST(MpiDistributed, RmaRestricted) { ExchangeWith(TransportKind::kRma, ExchangeSchedule::kRestricted); }
// Pauses of 40 ms in every sender: the communication threads sleep up to their longest between
// polls, and a queued send must wake its own at once; everything still arrives, in order.
TEST(MpiDistributed, TwoSidedAfterIdleSpells) {
  ExchangeWith(TransportKind::kMpi, ExchangeSchedule::kFree, std::chrono::milliseconds(40));
}
TEST(MpiDistributed, RmaAfterIdleSpells) {
  ExchangeWith(TransportKind::kRma, ExchangeSchedule::kFree, std::chrono::milliseconds(40));
}

// What the communication thread does while it waits (TransportStats' idle counts). With
// `receiver` < 0 every rank idles `hold` before it finishes sending, and the counts are taken just
// then (the spell alone, not the ends that follow). With `receiver` >= 0 that rank holds off
// its receives for `hold` while every other rank sends it `buffers` buffers of 64 KiB, and the
// counts are taken at the end. Returns this rank's counts and the milliseconds they cover.
struct IdleCount {
  TransportStats stats;
  double ms = 0;
  std::string name;
};
IdleCount CountIdleTurns(TransportKind kind, std::chrono::milliseconds hold, int receiver, int buffers) {
  auto send_pool = MemPool::Create(64 * 1024, 8);
  auto recv_pool = MemPool::Create(64 * 1024, 6);
  TransportOptions opt;
  opt.max_sends_in_flight = 3;
  opt.posted_receives = 3;
  IdleCount c;
  {
    auto t = MakeTransport(*g_comm, kind, recv_pool->get(), opt);
    EXPECT_TRUE(t.ok()) << t.status().message();
    if (!t.ok()) g_comm->Abort(1);
    Transport& tr = **t;
    c.name = tr.name();
    const auto start = std::chrono::steady_clock::now();
    auto since = [&] {
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    };
    const int me = g_comm->rank();
    std::thread sender([&] {
      if (receiver < 0) {
        std::this_thread::sleep_for(hold);
        c.stats = tr.stats();
        c.ms = since();
      }
      for (int i = 0; receiver >= 0 && me != receiver && i < buffers; ++i) {
        Buffer b = (*send_pool)->Get();
        b.set_size(b.capacity());
        tr.Send(receiver, std::move(b));
      }
      tr.FinishSending();
    });
    if (me == receiver) std::this_thread::sleep_for(hold);  // its pool fills; the senders wait on it
    int got = 0;
    while (auto r = tr.Receive()) ++got;
    sender.join();
    if (receiver >= 0) {
      c.stats = tr.stats();
      c.ms = since();
    }
    EXPECT_TRUE(tr.status().ok()) << tr.status().message();
    if (me == receiver) {
      EXPECT_EQ(got, buffers * (g_comm->size() - 1));
    }
  }
  g_comm->AllGather("");
  return c;
}

// A rank with nothing to do polls MPI less and less often: over a 300 ms spell, some 70 turns
// while its sleep grows to the 1 ms cap, then one per ms: about 300 here. A fixed 50 us poll
// (kExchangePollMicros) took 2,200-2,400 turns here and fails; so does a back-off that never grows.
// A loaded machine only oversleeps, which lowers the count.
TEST(MpiDistributed, IdleThreadPollsLessAsItsSpellGrows) {
  for (TransportKind kind : {TransportKind::kMpi, TransportKind::kRma}) {
    const IdleCount c = CountIdleTurns(kind, std::chrono::milliseconds(300), -1, 0);
    const double per_ms = 1000.0 / double(config::kExchangePollLongMaxMicros);
    EXPECT_LE(double(c.stats.idle_turns), c.ms * per_ms + 150) << c.name << " over " << c.ms << " ms";
    EXPECT_GE(c.stats.idle_turns, 10u) << c.name << ": the thread must keep polling";
    EXPECT_EQ(c.stats.sending_turns, 0u) << c.name << ": nothing was sent";
  }
}

// A rank whose sends wait on a peer keeps its short sleeps (MPI moves a send only when polled):
// the receiver holds its pool for 500 ms while every other rank sends it 24 buffers of 64 KiB,
// more than its pool of 6. A sender's turns in that time are sending turns, and none may sleep
// longer than kExchangePollMicros. Without the sending rule the sleeps grow as when idle (490-506
// turns in all here, most of them long).
// (The two-sided backend drops the rule where receivers alone move large messages: below.)
TEST(MpiDistributed, SendingThreadKeepsPollingOften) {
  if (g_comm->size() < 2) GTEST_SKIP() << "needs a peer";
  for (TransportKind kind : {TransportKind::kMpi, TransportKind::kRma}) {
    if (kind == TransportKind::kMpi && mpi_internal::ReceiverMovesLargeMessages()) continue;
    const IdleCount c = CountIdleTurns(kind, std::chrono::milliseconds(500), 0, 24);
    if (g_comm->rank() == 1) {
      EXPECT_GE(c.stats.sending_turns, 50u) << c.name << ": the sends were not held up (" << c.ms << " ms)";
      EXPECT_EQ(c.stats.sending_long_sleeps, 0u) << c.name << " over " << c.ms << " ms";
    }
  }
}

// Whether receivers alone move large messages is read from the launch (mpi_single_copy.hpp):
// tests/CMakeLists.txt says in RS_TEST_RECEIVER_MOVES what its mpirun flags chose — 0 for the
// tests' shared memory without single copy and for TCP, 1 for shared memory with CMA.
TEST(MpiDistributed, SingleCopyIsReadFromTheLaunch) {
  const char* expect = std::getenv("RS_TEST_RECEIVER_MOVES");
  if (expect == nullptr) GTEST_SKIP() << "launched without RS_TEST_RECEIVER_MOVES (tests/CMakeLists.txt sets it)";
  EXPECT_EQ(mpi_internal::ReceiverMovesLargeMessages(), std::string(expect) == "1")
      << "RS_TEST_RECEIVER_MOVES=" << expect;
}

// Where receivers alone move large messages, a sender whose sends wait on a peer does not keep
// short sleeps: the SendingThreadKeepsPollingOften case has no sending turns (it had 50 or more
// with the rule), and everything still arrives (CountIdleTurns checks the count at the receiver).
TEST(MpiDistributed, SingleCopySenderLeavesTheTransferToTheReceiver) {
  if (g_comm->size() < 2) GTEST_SKIP() << "needs a peer";
  if (!mpi_internal::ReceiverMovesLargeMessages()) GTEST_SKIP() << "senders move the data in this launch";
  const IdleCount c = CountIdleTurns(TransportKind::kMpi, std::chrono::milliseconds(500), 0, 24);
  if (g_comm->rank() == 1) {
    EXPECT_EQ(c.stats.sending_turns, 0u) << c.name << " over " << c.ms << " ms";
    EXPECT_GE(c.stats.idle_turns, 10u) << c.name << ": the thread must keep polling";
  }
}

// The idle communication thread's sleep (mpi_transport_base.hpp): doubles from 1 us; stays at
// most kExchangePollMicros in a short idle spell; in a long one grows to 1/16 of the spell, never
// past kExchangePollLongMaxMicros.
TEST(MpiIdleSleep, GrowsWithTheIdleSpellWithinItsBounds) {
  using std::chrono::microseconds;
  using std::chrono::milliseconds;
  EXPECT_EQ(mpi_internal::IdleSleep(microseconds(1), microseconds(10)), microseconds(2));
  EXPECT_EQ(mpi_internal::IdleSleep(microseconds(32), microseconds(100)), microseconds(config::kExchangePollMicros));
  EXPECT_EQ(mpi_internal::IdleSleep(microseconds(50), microseconds(500)), microseconds(config::kExchangePollMicros));
  EXPECT_EQ(mpi_internal::IdleSleep(microseconds(50), milliseconds(3)), microseconds(100));
  EXPECT_EQ(mpi_internal::IdleSleep(microseconds(100), milliseconds(8)), microseconds(200));
  EXPECT_EQ(mpi_internal::IdleSleep(microseconds(400), milliseconds(4)), microseconds(250));  // the spell's cap
  EXPECT_EQ(mpi_internal::IdleSleep(microseconds(800), milliseconds(100)),
            microseconds(config::kExchangePollLongMaxMicros));
  EXPECT_EQ(mpi_internal::IdleSleep(microseconds(1000), std::chrono::seconds(60)),
            microseconds(config::kExchangePollLongMaxMicros));
  // A new idle spell (the sending rule restarts it) drops a long sleep back to the short cap.
  EXPECT_EQ(mpi_internal::IdleSleep(microseconds(1000), microseconds(0)), microseconds(config::kExchangePollMicros));
  // The collectives' wait (mpi_wait.cpp) uses the same rule from a floor of 16 us.
  EXPECT_EQ(mpi_internal::NextPollPause(microseconds(0), microseconds(0), 16, 1000, 10000), microseconds(16));
  EXPECT_EQ(mpi_internal::NextPollPause(microseconds(1000), std::chrono::seconds(1), 16, 1000, 10000),
            microseconds(2000));
}

// Every algorithm x transport x schedule (12 sorts), each named like Onepass_Rma_Restricted.
using SortCase = std::tuple<std::string, TransportKind, ExchangeSchedule>;

// Record counts per case, as a fraction of the full ones, for the CI time budget. The nine cases
// this suite has always run keep their full size; the three the generated matrix added
// (Twopass_Mpi_Restricted, Twopass_Rma_Free, Threepass_Rma_Restricted) cost 14 s more at -np 4
// at full size (measured; docs/testing.md), so they run at half size: still several runs per
// rank, merges in levels and every data shape.
double ScaleFor(const std::string& algo, TransportKind kind, ExchangeSchedule schedule) {
  const bool rma = kind == TransportKind::kRma, restricted = schedule == ExchangeSchedule::kRestricted;
  const bool added = (algo == "twopass" && rma != restricted) || (algo == "threepass" && rma && restricted);
  return added ? 0.5 : 1.0;
}

class MpiSort : public ::testing::TestWithParam<SortCase> {};

TEST_P(MpiSort, SortsEverything) {
  const auto& [algo, kind, schedule] = GetParam();
  SortsEverythingOverMpi(*g_comm, algo, kind, schedule, ScaleFor(algo, kind, schedule));
}

std::string SortCaseName(const ::testing::TestParamInfo<SortCase>& info) {
  std::string algo = std::get<0>(info.param);
  algo[0] = char(std::toupper(static_cast<unsigned char>(algo[0])));
  return algo + (std::get<1>(info.param) == TransportKind::kRma ? "_Rma" : "_Mpi") +
         (std::get<2>(info.param) == ExchangeSchedule::kRestricted ? "_Restricted" : "_Free");
}

INSTANTIATE_TEST_SUITE_P(AlgoTransportSchedule, MpiSort,
                         ::testing::Combine(::testing::Values("onepass", "twopass", "threepass"),
                                            ::testing::Values(TransportKind::kMpi, TransportKind::kRma),
                                            ::testing::Values(ExchangeSchedule::kFree, ExchangeSchedule::kRestricted)),
                         SortCaseName);

}  // namespace
}  // namespace rs::test

int main(int argc, char** argv) {
  if (!rs::LaunchedByMpirun()) {
    std::fprintf(stderr, "mpi_distributed_test: run me under mpirun\n");
    return 2;
  }
  auto comm = rs::MakeWorldComm(&argc, &argv);
  rs::test::g_comm = comm.get();
  ::testing::InitGoogleTest(&argc, argv);
  int failed = RUN_ALL_TESTS();
  // Agree on the verdict so a failure on any rank fails the job.
  auto all = comm->AllGather(failed ? "1" : "0");
  for (const auto& v : all) failed |= (v == "1");
  return failed;
}
