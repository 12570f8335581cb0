// river/net/mpi_abort.cpp
#include "river/net/mpi_abort.hpp"

#include <mpi.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "core/config.hpp"
#include "core/signal_cleanup.hpp"
#include "river/net/liveness.hpp"

namespace rs::mpi_internal {

namespace {

std::atomic<std::thread::id> g_owner{};
constexpr int kNoRequest = -1;
std::atomic<int> g_requested{kNoRequest};

[[noreturn]] void AbortHere(int exit_code) {
  RemoveRegisteredFiles();  // MPI_Abort runs no destructors: temporaries would stay behind
  LeaveLivenessRing();      // this rank's line is said; its ring successor need not report it
  MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);
}

}  // namespace

void TakeMpiOwnership() { g_owner.store(std::this_thread::get_id(), std::memory_order_release); }

void EndJob(int exit_code) {
  if (g_owner.load(std::memory_order_acquire) == std::this_thread::get_id()) AbortHere(exit_code);
  int none = kNoRequest;
  g_requested.compare_exchange_strong(none, exit_code, std::memory_order_acq_rel);  // the first asker's code
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::milliseconds(config::kAbortHandoffMs);
  while (std::chrono::steady_clock::now() < give_up) {
    // Ownership may pass to this thread meanwhile (a transport ended): then abort here.
    if (g_owner.load(std::memory_order_acquire) == std::this_thread::get_id()) AbortHere(exit_code);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  RemoveRegisteredFiles();
  LeaveLivenessRing();
  std::_Exit(exit_code);
}

void ServeAbortRequest() {
  const int code = g_requested.load(std::memory_order_acquire);
  if (code != kNoRequest) AbortHere(code);
}

}  // namespace rs::mpi_internal
