// river/net/mpi_wait.hpp — how a rank waits for a non-blocking collective: every collective
// riversort starts (MpiComm's, a transport's communicator duplicate) is waited for here, so that
// a waiting rank leaves its core to the ranks still working and the liveness ring sees the wait
// (river/net/liveness.hpp). Internal to river/net/mpi_*; on the thread that owns MPI.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

namespace rs::mpi_internal {

// The next pause of a rank's polling wait (a collective's, and the exchange's idle communication
// thread): twice the last, at least `floor_us`; at most `short_max_us` while the wait is young,
// and once it has lasted, up to 1/16 of the time waited, at most `long_max_us`. A pause that
// grows with the wait costs it at most a sixteenth in overshoot, and a long wait few wake-ups.
inline std::chrono::microseconds NextPollPause(std::chrono::microseconds last,
                                               std::chrono::steady_clock::duration waited, int64_t floor_us,
                                               int64_t short_max_us, int64_t long_max_us) {
  const int64_t cap = std::clamp<int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(waited).count() / 16,
                                          short_max_us, long_max_us);
  return std::chrono::microseconds(std::min(cap, std::max(floor_us, int64_t(last.count()) * 2)));
}

// Waits for `request` (already started): polls, yielding the core between polls for the first
// config::kCollectiveSpinMicros (most collectives complete within that, and a sleep would add its
// overshoot to every one of them), then sleeping between polls from 16 us up to
// config::kCollectivePollMaxMicros, and in a wait that has lasted long up to 1/16 of it (at most
// config::kCollectivePollLongMaxMicros): MPI's blocking calls spin, and 32-64 ranks spinning on
// this machine's 2 cores starved the ranks doing the work, then the kernel's network processing.
// Serves a pending abort while waiting, and marks the wait for the ring's stall check. With a
// limit, a wait longer than it ends the job with "rank R: <limit_line>". Returns MPI_Test's
// error code, MPI_SUCCESS once the collective is complete.
int WaitCollective(MPI_Request* request, const char* what, int rank,
                   std::chrono::milliseconds limit = std::chrono::milliseconds(0), const std::string& limit_line = {});

}  // namespace rs::mpi_internal
