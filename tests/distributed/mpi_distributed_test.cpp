// tests/distributed/mpi_distributed_test.cpp — the distributed cases on MPI_COMM_WORLD; ctest
// runs this binary under mpirun -np 1..4. Every rank runs every test in the same order.
#include <gtest/gtest.h>

#include "river/net/mpi_comm.hpp"
#include "tests/distributed/distributed_cases.hpp"

namespace rs::test {
namespace {

Comm* g_comm = nullptr;

TEST(MpiDistributed, PartitionedGenMatchesSingleFile) { PartitionedGenMatchesSingleFile(*g_comm); }
TEST(MpiDistributed, DistributedValidateMatchesSingleFile) { DistributedValidateMatchesSingleFile(*g_comm); }
TEST(MpiDistributed, ManifestCheckCatchesLostRecord) { ManifestCheckCatchesLostRecord(*g_comm); }
TEST(MpiDistributed, MissingPartitionNamesTheRank) { MissingPartitionNamesTheRank(*g_comm); }

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
