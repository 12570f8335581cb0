// river/net/loopback_transport.hpp — Transport between threads of one process. LoopbackNetwork
// makes one endpoint per rank. Buffers sent to another rank are copied into that rank's receive
// pool (SetReceivePool, Attach), as a network would, so a receiver that keeps its buffers never
// holds the sender's; a Send to a rank without one yet waits until it has one. Buffers a rank
// sends to itself are handed over.
#pragma once

#include <vector>

#include "core/blocking_queue.hpp"
#include "river/net/transport.hpp"

namespace rs {

class LoopbackNetwork {
 public:
  // queue_capacity bounds the buffers waiting at each receiver (back-pressure on senders).
  LoopbackNetwork(int ranks, size_t queue_capacity);
  ~LoopbackNetwork();
  // The endpoint of `rank`; owned by the network.
  Transport& Endpoint(int rank);
  // Buffers sent to `rank` by other ranks are copied into buffers of `pool` (Get blocks while
  // it is empty: back-pressure). Senders to `rank` wait until this is called.
  void SetReceivePool(int rank, MemPool* pool);
  // A Transport for `rank` that the caller owns (it forwards to the endpoint, which the network
  // keeps), with `pool` as its receive pool: what code that makes its own transport expects.
  std::unique_ptr<Transport> Attach(int rank, MemPool* pool);

 private:
  std::vector<std::unique_ptr<Transport>> endpoints_;
};

}  // namespace rs
