// river/net/transport.hpp — moves whole buffers between ranks (River's network edge).
// Backends: loopback (threads of one process, for tests), MPI two-sided, MPI one-sided RMA.
// Send may be called from several threads (threepass's merge asks for chunks while its server
// sends them); FinishSending once, after every Send. One receiver thread calls Receive.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/status.hpp"
#include "river/mem_pool.hpp"

namespace rs {

// How ranks take turns on the network. kFree: every rank sends to any peer whenever it has data,
// up to the in-flight bound. kRestricted: at most one long send and one posted receive per rank
// at a time, partners taken in rotation (rank+1, rank+2, ...), which avoids the incast/node
// contention the Compaq sort measured.
enum class ExchangeSchedule { kFree, kRestricted };

// Which backend carries the exchange (--transport): MPI two-sided, or MPI one-sided RMA. The
// loopback backend is not a choice: it is what a one-process Comm gets.
enum class TransportKind { kMpi, kRma };

// --transport rma: slots of the network buffer size each sender may fill at a peer before it
// needs a credit back (enough to overlap a put with the receiver's copy of the previous one).
// The window holds them for every sender: P × kRmaSlotsPerSender × net bytes per rank, which the
// memory plans count (sort/job/memory_plan.cpp, docs/scale.md#memory-per-rank).
inline constexpr size_t kRmaSlotsPerSender = 4;
// Network-buffer-sized slots the transport's window holds on each of `ranks` ranks (none for MPI).
inline size_t WindowSlots(TransportKind kind, int ranks) {
  return kind == TransportKind::kRma ? kRmaSlotsPerSender * size_t(ranks) : 0;
}

// Partners in rotation, as every backend takes them: starting after the peer served last, the
// first p of rank+1, rank+2, ... (mod size) for which ready(p) holds; `*rotation` keeps the place
// for the next turn. -1 when no peer is ready. O(size) per call: one scan per buffer sent.
template <typename Ready>
int NextInRotation(int rank, int size, int* rotation, Ready ready) {
  for (int i = 1; i <= size; ++i) {
    const int p = (rank + *rotation + i) % size;
    if (ready(p)) {
      *rotation = (p - rank + size) % size;
      return p;
    }
  }
  return -1;
}

struct TransportOptions {
  ExchangeSchedule schedule = ExchangeSchedule::kFree;
  unsigned max_sends_in_flight = 4;  // flow control: Send blocks beyond this (4 x 2 MB keeps a link busy)
  unsigned posted_receives = 4;      // receives kept posted (free schedule); each holds a pool buffer
  // MPI backends: end the job when nothing moves for this long while the exchange is unfinished
  // (a dead peer or a cut link; TCP alone would retry for many minutes). 0: wait forever.
  std::chrono::seconds stall_timeout{config::kNetTimeoutSeconds};
  // MPI backends: for a receiver that keeps every buffer it gets (onepass), a receive pool that
  // stays empty this long while nothing arrives can never refill: end the job with
  // "rank R: " + dry_pool_line. 0: off (a consumer that gives buffers back). The loopback backend
  // (tests, one process) has no watchdog: a stall there is a test that times out.
  std::chrono::seconds dry_pool_timeout{0};
  std::string dry_pool_line;
};

struct TransportStats {
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  uint64_t buffers_sent = 0;
  uint64_t buffers_received = 0;
  // MPI backends: turns in which the communication thread found nothing to do and slept
  // (mpi_transport_base.hpp's idle back-off; tests count them); of those, the turns while one of
  // the rank's sends was queued or under way, and how many of those slept longer than
  // config::kExchangePollMicros (the sending rule keeps that at 0). Where receivers alone move
  // large messages the two-sided backend has no sending rule, and so no sending turns.
  uint64_t idle_turns = 0;
  uint64_t sending_turns = 0;
  uint64_t sending_long_sleeps = 0;
};

struct Received {
  int from;
  Buffer buffer;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual const char* name() const = 0;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Sends buffer.size() bytes to peer; the buffer returns to its pool once sent. Empty buffers
  // are dropped. Blocks while max_sends_in_flight sends are outstanding. peer == rank() delivers
  // to this rank's own Receive().
  virtual void Send(int peer, Buffer buffer) = 0;
  // This rank sends nothing more (to anyone).
  virtual void FinishSending() = 0;
  // The next buffer from any rank; nullopt once every rank has finished sending and all of it
  // has been received, or after an error (status() says).
  virtual std::optional<Received> Receive() = 0;
  virtual Status status() const = 0;
  virtual TransportStats stats() const = 0;
};

}  // namespace rs
