// river/net/liveness.hpp — the liveness ring: a watchdog, independent of MPI, that ends the job
// when a rank stops answering in any phase of any command (docs/reliability.md, "No rank waits
// forever"). MPI collectives have no timeout, so a frozen rank (SIGSTOP, a cut link, a paused VM)
// would otherwise hang every other rank in its next collective for good.
//
// Each rank links to its successor (rank+1 mod P) and from its predecessor over plain TCP; a thread
// sends a one-byte heartbeat to the successor every period and watches the predecessor. Silence for
// the timeout: one line naming the predecessor, the registered temporaries removed, and _exit(1),
// which makes mpirun end the job. The predecessor's connection closing without its goodbye (it was
// killed by a signal, or its host went down): one line at once, the same ending; that line is the
// user's only word of a killed rank under `mpirun -q`. An orderly exit says goodbye first.
// Per rank: two sockets, one thread, one 5-byte message per period; the only O(P) cost is the one
// AllGather of addresses when the ring starts.
//
// A job can also stop while every rank is alive: every rank waiting in a collective that will
// never complete (a connection MPI lost, a message it dropped, ranks in different collectives).
// Each message carries the length of the run of ranks, ending at the sender, that have each waited
// in one collective for the timeout or longer; a rank that has waited so long itself and hears
// that the P − 1 ranks before it have too ends the job, with one line. A rank that stops working
// outside a collective while alive (its main thread stuck) is not caught: its peers wait, and it
// never joins them (docs/reliability.md).
#pragma once

#include <chrono>
#include <memory>

#include "core/comm.hpp"

namespace rs {

struct LivenessOptions {
  std::chrono::seconds timeout{0};  // silence that ends the job; 0: no watchdog
  std::chrono::milliseconds heartbeat{0};
  std::chrono::milliseconds connect_timeout{0};
  std::chrono::milliseconds abrupt_grace{0};
};

// The options for `--net-timeout seconds` with the periods of core/config.hpp.
LivenessOptions LivenessFor(unsigned timeout_seconds);

class LivenessRing;

// Owns the running ring; destroying it says goodbye to the successor and stops the thread.
class LivenessGuard {
 public:
  LivenessGuard() = default;
  explicit LivenessGuard(std::unique_ptr<LivenessRing> ring);
  ~LivenessGuard();
  LivenessGuard(LivenessGuard&&) noexcept;
  LivenessGuard& operator=(LivenessGuard&&) noexcept;
  bool running() const { return ring_ != nullptr; }

 private:
  std::unique_ptr<LivenessRing> ring_;
};

// Collective (one AllGather, on the thread that talks to `comm`): links the ring and starts its
// thread. No ring with one rank or a zero timeout. A ring that cannot link up within the connect
// timeout on every rank is dropped on every rank, with one notice on rank 0: the job runs on, but
// hangs outside an exchange will not be detected.
LivenessGuard StartLivenessRing(Comm& comm, const LivenessOptions& options);

// Marks this rank's main thread as waiting in a collective (`what`, a string literal) for as long
// as it lives: the ring's stall check reads it. MpiComm makes one per collective.
class CollectiveWaitMark {
 public:
  explicit CollectiveWaitMark(const char* what);
  ~CollectiveWaitMark();
  CollectiveWaitMark(const CollectiveWaitMark&) = delete;
  CollectiveWaitMark& operator=(const CollectiveWaitMark&) = delete;
};

// Says goodbye on the running ring, if any, so the successor does not report this rank as ended
// abruptly: for a rank about to end the job itself (Comm::Abort, a transport's stall watchdog).
// Any thread; returns within a fraction of a second even if the ring's thread cannot answer.
void LeaveLivenessRing();

}  // namespace rs
