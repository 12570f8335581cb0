// tests/distributed/loopback_distributed_test.cpp — the distributed cases on 1..4 in-process ranks.
#include <gtest/gtest.h>

#include "core/loopback_comm.hpp"
#include "river/net/loopback_transport.hpp"
#include "tests/distributed/distributed_cases.hpp"

namespace rs::test {
namespace {

void OnRanks(void (*body)(Comm&)) {
  for (int p = 1; p <= 4; ++p) {
    SCOPED_TRACE("loopback ranks: " + std::to_string(p));
    LoopbackGroup(p).Run(body);
  }
}

TEST(LoopbackDistributed, PartitionedGenMatchesSingleFile) { OnRanks(PartitionedGenMatchesSingleFile); }
TEST(LoopbackDistributed, DistributedValidateMatchesSingleFile) { OnRanks(DistributedValidateMatchesSingleFile); }
TEST(LoopbackDistributed, ManifestCheckCatchesLostRecord) { OnRanks(ManifestCheckCatchesLostRecord); }
TEST(LoopbackDistributed, MissingPartitionNamesTheRank) { OnRanks(MissingPartitionNamesTheRank); }

TEST(LoopbackDistributed, TransportDeliversEverything) {
  for (int p = 1; p <= 4; ++p) {
    SCOPED_TRACE("loopback ranks: " + std::to_string(p));
    LoopbackNetwork net(p, 8);
    LoopbackGroup(p).Run([&](Comm& comm) {
      // Buffers from other ranks are copied into this rank's receive pool, as over a network:
      // a rank must never hold buffers of a peer's pool, which goes away when that peer is done.
      auto pool = MemPool::Create(64 * 1024, 6);
      auto recv_pool = MemPool::Create(64 * 1024, 6);
      net.SetReceivePool(comm.rank(), recv_pool->get());
      comm.AllGather("");  // every receive pool is set before anyone sends
      TransportDeliversEverything(comm, net.Endpoint(comm.rank()), **pool);
    });
  }
}

// Each algorithm over 1..4 loopback ranks.
void SortOverLoopback(const std::string& algo) {
  for (int p = 1; p <= 4; ++p) {
    SCOPED_TRACE(algo + ", loopback ranks: " + std::to_string(p));
    std::vector<std::unique_ptr<LoopbackNetwork>> nets;
    for (int run = 0; run < 16; ++run) nets.push_back(std::make_unique<LoopbackNetwork>(p, 64));
    LoopbackGroup(p).Run([&](Comm& comm) {
      auto maker = [&](int run) -> sort::TransportMaker {
        return [&, run](MemPool* pool, const TransportOptions&) -> Result<std::unique_ptr<Transport>> {
          return nets[size_t(run)]->Attach(comm.rank(), pool);
        };
      };
      SortsEverything(comm, maker, algo, TransportKind::kMpi, ExchangeSchedule::kFree);
    });
  }
}

TEST(LoopbackDistributed, OnepassSortsEverything) { SortOverLoopback("onepass"); }
TEST(LoopbackDistributed, TwopassSortsEverything) { SortOverLoopback("twopass"); }
TEST(LoopbackDistributed, ThreepassSortsEverything) { SortOverLoopback("threepass"); }

}  // namespace
}  // namespace rs::test
