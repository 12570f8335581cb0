// tests/core/comm_test.cpp — loopback all-gather and the error agreement every job relies on.
#include "core/comm.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>

#include "core/loopback_comm.hpp"

namespace rs {
namespace {

TEST(Comm, LoopbackAllGatherInRankOrderManyRounds) {
  for (int p = 1; p <= 4; ++p) {
    std::atomic<int> bad{0};
    LoopbackGroup(p).Run([&](Comm& c) {
      for (int round = 0; round < 200; ++round) {
        auto all = c.AllGather(std::to_string(c.rank() * 1000 + round));
        for (int r = 0; r < p; ++r) {
          if (all[r] != std::to_string(r * 1000 + round)) ++bad;
        }
      }
    });
    EXPECT_EQ(bad, 0) << p << " ranks";
  }
}

TEST(Comm, AgreeOnStatusNamesLowestFailingRank) {
  std::atomic<int> wrong{0};
  LoopbackGroup(4).Run([&](Comm& c) {
    Status mine =
        c.rank() == 2 || c.rank() == 3 ? Status::Error("/d/in." + std::to_string(c.rank()) + ": bad") : Status::Ok();
    Status all = AgreeOnStatus(c, mine);
    if (all.ok() || all.message() != "rank 2: /d/in.2: bad (and 1 more ranks failed)") ++wrong;
    if (!AgreeOnStatus(c, Status::Ok()).ok()) ++wrong;
  });
  EXPECT_EQ(wrong, 0);
}

TEST(Comm, AgreeOnStatusKeepsTheCodeOnEveryRank) {
  std::atomic<int> wrong{0};
  LoopbackGroup(3).Run([&](Comm& c) {
    Status mine = c.rank() == 1 ? Status::FromErrno(ENOSPC, "/d/out.1", "write") : Status::Ok();
    Status all = AgreeOnStatus(c, mine);
    if (all.message() != "rank 1: /d/out.1: write: No space left on device") ++wrong;
    if (all.code() != StatusCode::kNoSpace) ++wrong;
    // The failing rank knows the errno and path; the others only what the line says.
    if (c.rank() == 1 && (all.sys_errno() != ENOSPC || all.path() != "/d/out.1")) ++wrong;
  });
  EXPECT_EQ(wrong, 0);
}

// Every rank gets the same answer, also where the values' sums agree but the values do not (1, 3
// against 2, 2), and at the largest value allowed (2^20).
TEST(Comm, SameOnEveryRankAgreesEverywhere) {
  std::atomic<int> wrong{0};
  LoopbackGroup(4).Run([&](Comm& c) {
    const uint64_t r = uint64_t(c.rank());
    if (!SameOnEveryRank(c, {100, 10, 0})) ++wrong;
    if (!SameOnEveryRank(c, {uint64_t(1) << 20})) ++wrong;
    if (SameOnEveryRank(c, {100, r == 3 ? 11u : 10u, 0})) ++wrong;  // one rank differs
    if (SameOnEveryRank(c, {r % 2 == 0 ? 1u : 3u})) ++wrong;        // sums equal to 2, 2, 2, 2's
    if (SameOnEveryRank(c, {r == 0 ? (uint64_t(1) << 20) : (uint64_t(1) << 20) - 1})) ++wrong;
    if (!SameOnEveryRank(c, {})) ++wrong;
  });
  EXPECT_EQ(wrong, 0);
}

TEST(Comm, LocalCommIsOneRank) {
  LocalComm c;
  EXPECT_EQ(c.size(), 1);
  EXPECT_EQ(c.AllGather("x"), std::vector<std::string>{"x"});
  Status st = AgreeOnStatus(c, Status::Error("f: reason"));
  EXPECT_EQ(st.message(), "rank 0: f: reason");
}

}  // namespace
}  // namespace rs
