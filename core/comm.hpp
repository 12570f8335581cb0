// core/comm.hpp — what a rank needs from its peers between exchanges: rank, size, the collectives
// below, abort. Implementations: LocalComm (one process), LoopbackGroup (threads, for tests),
// MpiComm (river/net/mpi_comm.hpp). Calls are collective: every rank calls them in the same order.
// Not thread-safe: one thread per rank talks to a Comm.
//
// Cost per rank (docs/scale.md): AllGather receives every contribution (Σ sizes bytes), so it is
// for contributions of a few bytes each (counts, statuses, paths); Gather gives them to one rank; anything whose size
// grows with P goes through the reductions (bytes per rank ~ the vector's length, whatever P is) or AllToAll (each rank
// receives only what is addressed to it). The base class implements the reductions and AllToAll over AllGather — right
// for in-process ranks (tests, one process); MpiComm uses MPI's own, chunked past 2 GiB.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"

namespace rs {

class Comm {
 public:
  virtual ~Comm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Every rank contributes bytes; every rank gets all contributions, indexed by rank.
  virtual std::vector<std::string> AllGather(std::string_view mine) = 0;
  // Every rank contributes bytes; `root` gets all contributions, indexed by rank, the others an
  // empty vector: for what one rank reports (the sort's per-rank table), whose size grows with P.
  virtual std::vector<std::string> Gather(std::string_view mine, int root);
  // Element-wise sum over the ranks, in place; every rank passes the same length.
  virtual void AllReduceSum(std::span<uint64_t> values);
  // Element-wise exclusive prefix sum over the ranks, in place: rank r gets Σ_{q<r} of every
  // element (rank 0 gets zeros); every rank passes the same length.
  virtual void ExScanSum(std::span<uint64_t> values);
  // Element-wise minimum over the ranks of bytes.size() / width strings of `width` bytes each,
  // compared as memcmp does, in place; every rank passes the same size, a multiple of width.
  virtual void AllReduceMinBytes(std::span<uint8_t> bytes, size_t width);
  // Personalised exchange: to[q] (to.size() == size()) goes to rank q; returns from[q], what rank
  // q addressed to this one.
  virtual std::vector<std::string> AllToAll(const std::vector<std::string>& to);
  // Until set to 0 again, a collective ends the job with "rank R: <line>" if this rank waits in it
  // longer than `limit`: for collectives every rank reaches at nearly the same time, such as the
  // liveness ring's start right after launch (other waits may be long: a rank waits there while
  // others work). MpiComm enforces it; in-process ranks cannot be lost, and ignore it.
  virtual void SetWaitLimit(std::chrono::milliseconds limit, const std::string& line) {
    (void)limit;
    (void)line;
  }
  // Ends the whole job at once; for a rank that cannot reach the next collective.
  [[noreturn]] virtual void Abort(int exit_code) = 0;
  // Whether this rank is its whole process (one rank per process, as under mpirun): only then is
  // the process's memory the rank's, and a per-rank budget checked against its RSS. The
  // in-process loopback runs its ranks as threads of a host process (a test binary) whose memory
  // is no rank's.
  virtual bool owns_process() const { return true; }
};

// Single process: rank 0 of 1.
class LocalComm final : public Comm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::vector<std::string> AllGather(std::string_view mine) override { return {std::string(mine)}; }
  [[noreturn]] void Abort(int exit_code) override;
};

// Collective: every rank returns the same Status. Ok if all ranks were ok; otherwise the
// lowest failing rank's message as "rank R: <message>", noting how many other ranks failed.
// Every rank gets that failure's code; the failing rank itself also keeps its errno and path.
// Failing ranks keep reaching collectives this way instead of exiting, so no rank hangs.
Status AgreeOnStatus(Comm& comm, const Status& local);
// AgreeOnStatus, but a failing rank gets its own Status back (the line it would have reported
// alone, without "rank R: "); the others get the agreed one. For checks of each rank's own flags
// (under MPMD they can differ), whose message should not change when every rank fails alike.
Status AgreeKeepingOwn(Comm& comm, const Status& local);

// Collective: whether every rank passed the same values (as many on every rank, each at most
// 2^20). One sum of 2 × values.size() integers, whatever P: the values are all equal exactly when
// P·ΣX² = (ΣX)² for each, and every rank computes that from the same sums, so every rank gets the
// same answer.
bool SameOnEveryRank(Comm& comm, const std::vector<uint64_t>& values);

}  // namespace rs
