// sort/report/phase_clock.hpp — wall and CPU time of a run's phases on one rank, in the shape of the
// Compaq sort's time breakdown. CPU time is the whole process's (all threads), so utilization =
// cpu / (wall * cores). Used by the main thread of a rank.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "core/activity.hpp"

namespace rs::sort {

struct PhaseTime {
  std::string name;
  double wall_s = 0;
  double cpu_s = 0;
  uint64_t bytes = 0;  // bytes this phase moved (read, sent, sorted, written)
  // A resumed sort (sort/resume/): "skipped" (its work was kept whole), "resumed" (part of it
  // was kept), empty when it ran whole.
  std::string resume;
  // What the process read and wrote on disk and sent and received over the network during the
  // phase (core/activity.hpp): the phase table judges from these what bound the phase.
  activity::Totals io;
};

class PhaseClock {
 public:
  PhaseClock() : wall0_(Now()), cpu0_(Cpu()), io0_(activity::Now()) {}
  // Ends the current phase under `name` and starts the next one.
  void Lap(const std::string& name, uint64_t bytes, const std::string& resume = {}) {
    double w = Now(), c = Cpu();
    const activity::Totals io = activity::Now();
    phases_.push_back({name, w - wall0_, c - cpu0_, bytes, resume, io.Since(io0_)});
    wall0_ = w;
    cpu0_ = c;
    io0_ = io;
  }
  // Adds a phase measured elsewhere (e.g. launch overhead before this clock existed).
  void Add(PhaseTime p) { phases_.push_back(std::move(p)); }
  const std::vector<PhaseTime>& phases() const { return phases_; }

  static double Now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  static double Cpu() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
  }
  // A clock whose first phase is "overhead": launch and init, from process start to now.
  static PhaseClock FromLaunch() {
    PhaseClock c;
    c.launch_s_ = std::max(0.0, SinceProcessStart());
    c.Add({"overhead", c.launch_s_, Cpu(), 0, {}, c.io0_});  // what launch and init did
    return c;
  }
  double launch_s() const { return launch_s_; }  // the overhead phase (FromLaunch), else 0
  // Seconds since this process started (from /proc/self/stat; 10 ms resolution), or -1.
  static double SinceProcessStart();
  // The most memory this process held at once since the last ResetPeakRss: its resident set and
  // its pages of the reserved huge page pool together (io/memory_peak.hpp), or its maximum RSS
  // since it started where /proc cannot be read.
  static uint64_t PeakRss();
  // Starts a new peak from the current RSS (a process that runs several sorts, as the tests do,
  // reports and checks each one's own peak).
  static void ResetPeakRss();

 private:
  double wall0_, cpu0_;
  activity::Totals io0_;
  double launch_s_ = 0;
  std::vector<PhaseTime> phases_;
};

}  // namespace rs::sort
