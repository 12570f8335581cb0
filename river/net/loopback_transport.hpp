// river/net/loopback_transport.hpp — Transport between threads of one process. LoopbackNetwork
// makes one endpoint per rank. Buffers sent to another rank are copied into that rank's receive
// pool (SetReceivePool, Attach), as a network would, so a receiver that keeps its buffers never
// holds the sender's; a Send to a rank without one yet waits until it has one. Buffers a rank
// sends to itself are handed over.
//
// The schedule (TransportOptions::schedule, given to Attach) is honoured as the MPI backends do:
//   kFree        Send copies to the peer on the calling thread (any number of senders at once).
//   kRestricted  Send queues the buffer; one sending thread per rank delivers one buffer at a
//                time (one long send), taking partners in rotation rank+1, rank+2, ... among
//                those with data queued; a rank takes in one arriving copy at a time (one posted
//                receive). Buffers to itself are handed over at once, as the MPI backends do.
// There is no transport kind here: the loopback is its own backend (name() "loopback"), whatever
// --transport says; TransportOptions' flow-control counts are not modelled.
#pragma once

#include <vector>

#include "core/blocking_queue.hpp"
#include "river/net/transport.hpp"

namespace rs {

class LoopbackNetwork {
 public:
  // queue_capacity bounds the buffers waiting at each receiver (back-pressure on senders). Under
  // kRestricted a sender's queue is handed at once to its sending thread's per-peer lists, so
  // there, as over MPI, what bounds a sender is its pool of buffers. An endpoint serves one
  // exchange: once its peers have finished, it is not reused.
  LoopbackNetwork(int ranks, size_t queue_capacity);
  ~LoopbackNetwork();
  // The endpoint of `rank` (free schedule unless Attach said otherwise); owned by the network.
  Transport& Endpoint(int rank);
  // Buffers sent to `rank` by other ranks are copied into buffers of `pool` (Get blocks while
  // it is empty: back-pressure). Senders to `rank` wait until this is called.
  void SetReceivePool(int rank, MemPool* pool);
  // A Transport for `rank` that the caller owns (it forwards to the endpoint, which the network
  // keeps), with `pool` as its receive pool and options.schedule as its schedule: what code that
  // makes its own transport expects. Call it before the endpoint sends.
  std::unique_ptr<Transport> Attach(int rank, MemPool* pool, const TransportOptions& options = {});

  // What the network saw `rank` do, for tests of the schedule.
  struct Observed {
    int max_concurrent_sends = 0;     // copies from this rank to peers in progress at once
    int max_concurrent_receives = 0;  // copies from peers into this rank in progress at once
    std::vector<int> partners;        // the peers this rank delivered to, in delivery order
  };
  Observed Observe(int rank) const;

 private:
  std::vector<std::unique_ptr<Transport>> endpoints_;
};

}  // namespace rs
