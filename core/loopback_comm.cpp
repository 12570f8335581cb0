// core/loopback_comm.cpp
#include "core/loopback_comm.hpp"

#include <cstdlib>
#include <thread>

namespace rs {

class LoopbackComm final : public Comm {
 public:
  LoopbackComm(LoopbackGroup* group, int rank) : group_(group), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return group_->size_; }
  bool owns_process() const override { return false; }
  std::vector<std::string> AllGather(std::string_view mine) override { return group_->AllGather(rank_, mine); }
  [[noreturn]] void Abort(int exit_code) override { std::_Exit(exit_code); }

 private:
  LoopbackGroup* group_;
  int rank_;
};

LoopbackGroup::LoopbackGroup(int size) : size_(size), slots_(size) {}

void LoopbackGroup::Run(const std::function<void(Comm&)>& body) {
  std::vector<std::thread> threads;
  threads.reserve(size_t(size_));
  for (int r = 0; r < size_; ++r) {
    threads.emplace_back([this, r, &body] {
      LoopbackComm comm(this, r);
      body(comm);
    });
  }
  for (auto& t : threads) t.join();
}

std::vector<std::string> LoopbackGroup::AllGather(int rank, std::string_view mine) {
  std::unique_lock lock(mu_);
  // Wait until the previous round has been fully read by every rank.
  cv_.wait(lock, [&] { return departed_ == 0; });
  uint64_t gen = generation_;
  slots_[rank] = std::string(mine);
  if (++arrived_ == size_) {
    result_ = slots_;
    departed_ = size_;
    arrived_ = 0;
    ++generation_;
    cv_.notify_all();
  } else {
    cv_.wait(lock, [&] { return generation_ != gen; });
  }
  std::vector<std::string> out = result_;
  if (--departed_ == 0) cv_.notify_all();
  return out;
}

}  // namespace rs
