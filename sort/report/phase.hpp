// sort/report/phase.hpp — one phase of a sort, named once: entering it passes its fault point
// (RS_FAULT, core/fault_point.hpp) and starts rank 0's progress line for it; End() laps the phase
// clock with the bytes the phase moved. The progress line stays on the phase until the next one
// starts (so its "100%" line counts the wait for slower ranks, as the phase table does), and the
// sort's last phase ends with Finish(), which also closes the line. A phase left by an error
// return is not reported (the sort failed). Main thread of a rank; Add() from any thread.
#pragma once

#include <cstdint>
#include <string>

#include "sort/report/phase_clock.hpp"
#include "sort/report/progress.hpp"

namespace rs::sort {

class Phase {
 public:
  // expected_bytes: what this rank will move in the phase, for the progress line (0: unknown).
  Phase(PhaseClock& clock, Progress* progress, std::string name, uint64_t expected_bytes);
  Phase(const Phase&) = delete;
  Phase& operator=(const Phase&) = delete;

  // Bytes done so far, for the progress line.
  void Add(uint64_t bytes) const {
    if (progress_ != nullptr) progress_->Add(bytes);
  }
  // A resumed sort kept all of this phase's work ("skipped") or part of it ("resumed").
  void MarkSkipped() { resume_ = "skipped"; }
  void MarkResumed() { resume_ = "resumed"; }
  // The phase is over: its time (since the previous phase ended) and bytes go to the clock.
  void End(uint64_t bytes);
  // The sort's last phase is over: End(), and the progress line's last "100%" line.
  void Finish(uint64_t bytes);

 private:
  PhaseClock& clock_;
  Progress* progress_;
  std::string name_;
  std::string resume_;
  bool ended_ = false;
};

}  // namespace rs::sort
