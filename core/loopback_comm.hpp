// core/loopback_comm.hpp — N ranks as N threads of one process, for tests of collective code.
// LoopbackGroup::Run starts one thread per rank, each with its own Comm, and joins them.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/comm.hpp"

namespace rs {

class LoopbackGroup {
 public:
  explicit LoopbackGroup(int size);
  // Runs body(comm) on `size` threads, one per rank; returns when all have returned.
  void Run(const std::function<void(Comm&)>& body);

 private:
  friend class LoopbackComm;
  std::vector<std::string> AllGather(int rank, std::string_view mine);

  int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> slots_;
  std::vector<std::string> result_;
  int arrived_ = 0;
  int departed_ = 0;
  uint64_t generation_ = 0;
};

}  // namespace rs
