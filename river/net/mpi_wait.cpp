// river/net/mpi_wait.cpp
#include "river/net/mpi_wait.hpp"

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <thread>

#include "core/config.hpp"
#include "river/net/liveness.hpp"
#include "river/net/mpi_abort.hpp"

namespace rs::mpi_internal {

int WaitCollective(MPI_Request* request, const char* what, int rank, std::chrono::milliseconds limit,
                   const std::string& limit_line) {
  const CollectiveWaitMark mark(what);
  const auto started = std::chrono::steady_clock::now();
  const auto spin_until = started + std::chrono::microseconds(config::kCollectiveSpinMicros);
  auto pause = std::chrono::microseconds(0);
  for (;;) {
    int done = 0;
    const int rc = MPI_Test(request, &done, MPI_STATUS_IGNORE);
    if (rc != MPI_SUCCESS || done) return rc;
    ServeAbortRequest();
    const auto now = std::chrono::steady_clock::now();
    if (now < spin_until) {
      std::this_thread::yield();
      continue;
    }
    if (limit.count() > 0 && now - started > limit) {
      std::cerr << "rank " << rank << ": " << limit_line << '\n';
      EndJob(1);
    }
    pause =
        NextPollPause(pause, now - started, 16, config::kCollectivePollMaxMicros, config::kCollectivePollLongMaxMicros);
    std::this_thread::sleep_for(pause);
  }
}

}  // namespace rs::mpi_internal
