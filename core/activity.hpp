// core/activity.hpp — what this process has done so far: bytes read from and written to disk,
// sent and received over the network, and pool memory handed out. Process-wide relaxed atomic
// counters, bumped where the work completes (io/env.cpp, io/uring_engine.cpp, the transports,
// river/mem_pool.cpp) and read by the phase clock and the timeline (sort/report/), which turn
// them into per-phase bytes and MB/s over time. One add per I/O or network buffer (megabytes),
// so their cost is nothing beside the work they count.
//
// Where several ranks share one process (the in-process tests), these are the process's totals.
#pragma once

#include <atomic>
#include <cstdint>

namespace rs::activity {

struct Totals {
  uint64_t disk_read = 0;     // bytes read from files (O_DIRECT or buffered: what the process asked for)
  uint64_t disk_written = 0;  // bytes written to files
  uint64_t net_sent = 0;      // bytes handed to the network (to other ranks and to itself)
  uint64_t net_received = 0;  // bytes that arrived
  uint64_t pool_in_use = 0;   // bytes of MemPool buffers out of their pools now (not a total)

  // What happened between `earlier` and this (pool_in_use stays this one's: it is a level).
  Totals Since(const Totals& earlier) const {
    return {disk_read - earlier.disk_read, disk_written - earlier.disk_written, net_sent - earlier.net_sent,
            net_received - earlier.net_received, pool_in_use};
  }
};

namespace detail {
inline std::atomic<uint64_t> disk_read{0}, disk_written{0}, net_sent{0}, net_received{0}, pool_in_use{0};
}  // namespace detail

inline void DiskRead(uint64_t n) { detail::disk_read.fetch_add(n, std::memory_order_relaxed); }
inline void DiskWritten(uint64_t n) { detail::disk_written.fetch_add(n, std::memory_order_relaxed); }
inline void NetSent(uint64_t n) { detail::net_sent.fetch_add(n, std::memory_order_relaxed); }
inline void NetReceived(uint64_t n) { detail::net_received.fetch_add(n, std::memory_order_relaxed); }
inline void PoolTaken(uint64_t n) { detail::pool_in_use.fetch_add(n, std::memory_order_relaxed); }
inline void PoolReturned(uint64_t n) { detail::pool_in_use.fetch_sub(n, std::memory_order_relaxed); }

inline Totals Now() {
  return {detail::disk_read.load(std::memory_order_relaxed), detail::disk_written.load(std::memory_order_relaxed),
          detail::net_sent.load(std::memory_order_relaxed), detail::net_received.load(std::memory_order_relaxed),
          detail::pool_in_use.load(std::memory_order_relaxed)};
}

}  // namespace rs::activity
