// tests/distributed/loopback_distributed_test.cpp — the distributed cases on 1..4 in-process ranks.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

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
TEST(LoopbackDistributed, CollectivesMatchTheirDefinitions) { OnRanks(CollectivesMatchTheirDefinitions); }

// The schedule is the loopback transport's to honour (there is no transport kind here: the
// loopback is its own backend). Attach gives each endpoint the options the caller would give MPI.
class LoopbackSchedule : public ::testing::TestWithParam<ExchangeSchedule> {};

std::string ScheduleName(const ::testing::TestParamInfo<ExchangeSchedule>& info) {
  return info.param == ExchangeSchedule::kRestricted ? "Restricted" : "Free";
}

// Under kRestricted, what the network saw of every rank: one send and one receive at a time.
void ExpectRestricted(const LoopbackNetwork& net, int p, const std::string& what) {
  for (int r = 0; r < p; ++r) {
    const LoopbackNetwork::Observed o = net.Observe(r);
    EXPECT_LE(o.max_concurrent_sends, 1) << what << ": rank " << r << " sent to several peers at once";
    EXPECT_LE(o.max_concurrent_receives, 1) << what << ": rank " << r << " took in several copies at once";
  }
}

TEST_P(LoopbackSchedule, TransportDeliversEverything) {
  const ExchangeSchedule schedule = GetParam();
  for (int p = 1; p <= 4; ++p) {
    SCOPED_TRACE("loopback ranks: " + std::to_string(p));
    LoopbackNetwork net(p, 8);
    LoopbackGroup(p).Run([&](Comm& comm) {
      // Buffers from other ranks are copied into this rank's receive pool, as over a network:
      // a rank must never hold buffers of a peer's pool, which goes away when that peer is done.
      // Two receive buffers per rank: senders to one rank contend for them.
      auto pool = MemPool::Create(64 * 1024, 6);
      auto recv_pool = MemPool::Create(64 * 1024, 2);
      TransportOptions opt;
      opt.schedule = schedule;
      auto t = net.Attach(comm.rank(), recv_pool->get(), opt);
      comm.AllGather("");  // every receive pool is set before anyone sends
      TransportDeliversEverything(comm, *t, **pool);
    });
    if (schedule == ExchangeSchedule::kRestricted) ExpectRestricted(net, p, "all-to-all");
    for (int r = 0; r < p; ++r) {
      // Everyone but the last rank sent 40 buffers to each peer (TransportDeliversEverything).
      const size_t want = r == p - 1 && p > 1 ? 0 : size_t(40) * size_t(p - 1);
      EXPECT_EQ(net.Observe(r).partners.size(), want) << "rank " << r;
    }
  }
}

// Restricted: the partners come in rotation (rank+1, rank+2, ...) among those with data queued,
// whatever order Send was called in; free: in Send order. Made deterministic by holding every
// delivery back until all sends are queued (the peers' receive pools are set only then).
TEST_P(LoopbackSchedule, PartnersInRotationWhenRestricted) {
  const ExchangeSchedule schedule = GetParam();
  const int p = 4;
  LoopbackNetwork net(p, 16);
  auto send_pool = MemPool::Create(4096, 16);
  std::vector<std::unique_ptr<MemPool>> recv(static_cast<size_t>(p));
  for (auto& r : recv) r = std::move(*MemPool::Create(4096, 16));
  TransportOptions opt;
  opt.schedule = schedule;
  std::vector<std::unique_ptr<Transport>> t(static_cast<size_t>(p));
  // Rank 1 sends to 2 first (its first partner in rotation, however much is queued when its
  // sending thread looks), then to 3, 3, 3, itself, 2, 0, 0, 0.
  t[1] = net.Attach(1, nullptr, opt);
  const std::vector<int> order = {2, 3, 3, 3, 1, 2, 0, 0, 0};
  std::thread sender([&] {
    for (int peer : order) {
      Buffer b = (*send_pool)->Get();
      b.set_size(100);
      t[1]->Send(peer, std::move(b));
    }
    t[1]->FinishSending();
  });
  if (schedule == ExchangeSchedule::kRestricted) {
    sender.join();  // everything queued; the sending thread waits for rank 2's receive pool
  }
  for (int r : {0, 2, 3}) t[size_t(r)] = net.Attach(r, recv[size_t(r)].get(), opt);
  net.SetReceivePool(1, recv[1].get());
  if (sender.joinable()) sender.join();
  for (int r : {0, 2, 3}) t[size_t(r)]->FinishSending();
  std::vector<int> got(static_cast<size_t>(p), 0);
  for (int r = 0; r < p; ++r) {
    while (auto m = t[size_t(r)]->Receive()) got[size_t(r)] += m->from == 1;
  }
  EXPECT_EQ(got, (std::vector<int>{3, 1, 2, 3}));
  // Restricted: 2, then the rotation 3, 0, (1 is itself), 2, 3, 0, ... skipping emptied queues.
  const std::vector<int> want = schedule == ExchangeSchedule::kRestricted ? std::vector<int>{2, 3, 0, 2, 3, 0, 3, 0}
                                                                          : std::vector<int>{2, 3, 3, 3, 2, 0, 0, 0};
  EXPECT_EQ(net.Observe(1).partners, want);
}

INSTANTIATE_TEST_SUITE_P(Schedules, LoopbackSchedule,
                         ::testing::Values(ExchangeSchedule::kFree, ExchangeSchedule::kRestricted), ScheduleName);

// Each algorithm over 1..4 loopback ranks, under each schedule; restricted runs are checked for
// one send and one receive at a time on every rank.
void SortOverLoopback(const std::string& algo, ExchangeSchedule schedule) {
  for (int p = 1; p <= 4; ++p) {
    SCOPED_TRACE(algo + ", loopback ranks: " + std::to_string(p));
    std::vector<std::unique_ptr<LoopbackNetwork>> nets;
    for (int run = 0; run < 16; ++run) nets.push_back(std::make_unique<LoopbackNetwork>(p, 64));
    LoopbackGroup(p).Run([&](Comm& comm) {
      auto maker = [&](int run) -> sort::TransportMaker {
        return [&, run](MemPool* pool, const TransportOptions& options) -> Result<std::unique_ptr<Transport>> {
          return nets[size_t(run)]->Attach(comm.rank(), pool, options);
        };
      };
      SortsEverythingOverLoopback(comm, maker, algo, schedule);
    });
    if (schedule == ExchangeSchedule::kRestricted) {
      for (size_t run = 0; run < nets.size(); ++run)
        ExpectRestricted(*nets[run], p, algo + " sort " + std::to_string(run));
    }
  }
}

TEST(LoopbackDistributed, OnepassSortsEverything) { SortOverLoopback("onepass", ExchangeSchedule::kFree); }
TEST(LoopbackDistributed, TwopassSortsEverything) { SortOverLoopback("twopass", ExchangeSchedule::kFree); }
TEST(LoopbackDistributed, ThreepassSortsEverything) { SortOverLoopback("threepass", ExchangeSchedule::kFree); }
TEST(LoopbackDistributed, OnepassSortsEverythingRestricted) {
  SortOverLoopback("onepass", ExchangeSchedule::kRestricted);
}
TEST(LoopbackDistributed, TwopassSortsEverythingRestricted) {
  SortOverLoopback("twopass", ExchangeSchedule::kRestricted);
}
TEST(LoopbackDistributed, ThreepassSortsEverythingRestricted) {
  SortOverLoopback("threepass", ExchangeSchedule::kRestricted);
}

}  // namespace
}  // namespace rs::test
