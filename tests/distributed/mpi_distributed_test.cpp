// tests/distributed/mpi_distributed_test.cpp — the distributed cases on MPI_COMM_WORLD; ctest
// runs this binary under mpirun -np 1..4. Every rank runs every test in the same order.
#include <gtest/gtest.h>

#include "river/net/mpi_comm.hpp"
#include "river/net/mpi_transport.hpp"
#include "tests/distributed/distributed_cases.hpp"

namespace rs::test {
namespace {

Comm* g_comm = nullptr;

TEST(MpiDistributed, PartitionedGenMatchesSingleFile) { PartitionedGenMatchesSingleFile(*g_comm); }
TEST(MpiDistributed, DistributedValidateMatchesSingleFile) { DistributedValidateMatchesSingleFile(*g_comm); }
TEST(MpiDistributed, ManifestCheckCatchesLostRecord) { ManifestCheckCatchesLostRecord(*g_comm); }
TEST(MpiDistributed, MissingPartitionNamesTheRank) { MissingPartitionNamesTheRank(*g_comm); }

// Both MPI backends, both schedules. Small receive pools and few sends in flight make the flow
// control work; the transport is destroyed before the next collective (MPI_THREAD_SERIALIZED).
void ExchangeWith(TransportKind kind, ExchangeSchedule schedule) {
  auto send_pool = MemPool::Create(64 * 1024, 6);
  auto recv_pool = MemPool::Create(64 * 1024, 6);
  TransportOptions opt;
  opt.schedule = schedule;
  opt.max_sends_in_flight = 3;
  opt.posted_receives = 3;
  {
    auto t = MakeTransport(*g_comm, kind, recv_pool->get(), opt);
    ASSERT_TRUE(t.ok()) << t.status().message();
    TransportDeliversEverything(*g_comm, **t, **send_pool);
  }
  g_comm->AllGather("");  // everyone done before the pools go away
}

void SortWith(const std::string& algo, TransportKind kind, ExchangeSchedule schedule) {
  SortsEverything(*g_comm, [](int) { return sort::TransportMaker(); }, algo, kind, schedule);
}
TEST(MpiDistributed, OnepassMpiFree) { SortWith("onepass", TransportKind::kMpi, ExchangeSchedule::kFree); }
TEST(MpiDistributed, OnepassMpiRestricted) { SortWith("onepass", TransportKind::kMpi, ExchangeSchedule::kRestricted); }
TEST(MpiDistributed, OnepassRmaFree) { SortWith("onepass", TransportKind::kRma, ExchangeSchedule::kFree); }
TEST(MpiDistributed, OnepassRmaRestricted) { SortWith("onepass", TransportKind::kRma, ExchangeSchedule::kRestricted); }
TEST(MpiDistributed, TwopassMpiFree) { SortWith("twopass", TransportKind::kMpi, ExchangeSchedule::kFree); }
TEST(MpiDistributed, TwopassRmaRestricted) { SortWith("twopass", TransportKind::kRma, ExchangeSchedule::kRestricted); }
TEST(MpiDistributed, ThreepassMpiFree) { SortWith("threepass", TransportKind::kMpi, ExchangeSchedule::kFree); }
TEST(MpiDistributed, ThreepassMpiRestricted) { SortWith("threepass", TransportKind::kMpi, ExchangeSchedule::kRestricted); }
TEST(MpiDistributed, ThreepassRmaFree) { SortWith("threepass", TransportKind::kRma, ExchangeSchedule::kFree); }

TEST(MpiDistributed, TwoSidedFree) { ExchangeWith(TransportKind::kMpi, ExchangeSchedule::kFree); }
TEST(MpiDistributed, TwoSidedRestricted) { ExchangeWith(TransportKind::kMpi, ExchangeSchedule::kRestricted); }
TEST(MpiDistributed, RmaFree) { ExchangeWith(TransportKind::kRma, ExchangeSchedule::kFree); }
TEST(MpiDistributed, RmaRestricted) { ExchangeWith(TransportKind::kRma, ExchangeSchedule::kRestricted); }

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
