// river/net/loopback_transport.hpp — Transport between threads of one process: buffers move to
// the receiver by hand-off (no copy). LoopbackNetwork makes one endpoint per rank.
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

 private:
  std::vector<std::unique_ptr<Transport>> endpoints_;
};

}  // namespace rs
