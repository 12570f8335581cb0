// sort/report/phase.cpp
#include "sort/report/phase.hpp"

#include <cassert>
#include <utility>

#include "core/fault_point.hpp"

namespace rs::sort {

Phase::Phase(PhaseClock& clock, Progress* progress, std::string name, uint64_t expected_bytes)
    : clock_(clock), progress_(progress), name_(std::move(name)) {
  FaultPoint(name_);  // reliability tests: a rank lost as this phase begins
  if (progress_ != nullptr) progress_->StartPhase(name_, expected_bytes);
}

void Phase::End(uint64_t bytes) {
  assert(!ended_ && "a phase ends once");
  ended_ = true;
  clock_.Lap(name_, bytes, resume_);
}

void Phase::Finish(uint64_t bytes) {
  End(bytes);
  if (progress_ != nullptr) progress_->EndPhase();
}

}  // namespace rs::sort
