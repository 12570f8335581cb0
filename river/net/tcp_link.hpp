// river/net/tcp_link.hpp — the few TCP operations the liveness ring needs (river/net/liveness.hpp),
// each bounded by a deadline: a ring that cannot link up must give up in seconds, not after TCP's
// minutes of SYN retries. Plain POSIX sockets, no MPI: the ring must keep working while MPI blocks.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.hpp"
#include "core/unique_fd.hpp"

namespace rs::tcp {

using Clock = std::chrono::steady_clock;

using rs::UniqueFd;

// A listening socket on every IPv4 interface, on a port the kernel picks.
struct Listener {
  UniqueFd fd;
  uint16_t port = 0;
};
Result<Listener> ListenOnAnyPort();

// This host's IPv4 addresses as dotted quads: the non-loopback ones first, then 127.0.0.1.
std::vector<std::string> LocalIPv4Addresses();

// What names this host's network stack: the kernel's boot id and the network namespace. Two ranks
// with the same key reach each other over loopback; namespace "hosts" on one kernel (the cluster
// tests) share the boot id but not the loopback, hence the namespace in the key.
std::string NetworkStackKey();

// Connects to the first of `addresses` that answers on `port` before `deadline`; the socket is
// non-blocking, with TCP_NODELAY (a heartbeat is one byte and must not wait for company).
Result<UniqueFd> ConnectWithin(const std::vector<std::string>& addresses, uint16_t port, Clock::time_point deadline);

// Accepts one connection before `deadline`; the socket is non-blocking.
Result<UniqueFd> AcceptWithin(int listen_fd, Clock::time_point deadline);

// Sends or receives exactly `n` bytes on a non-blocking socket before `deadline`.
Status SendWithin(int fd, const void* data, size_t n, Clock::time_point deadline);
Status ReceiveWithin(int fd, void* data, size_t n, Clock::time_point deadline);

}  // namespace rs::tcp
