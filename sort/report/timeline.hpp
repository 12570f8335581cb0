// sort/report/timeline.hpp — each rank's activity over time: every config::timeline interval a
// thread of its own samples the process's counters (core/activity.hpp: disk bytes read and
// written, network bytes sent and received, pool memory in use) and its CPU time. The JSON result
// carries every rank's series (docs/results.md); `scripts/plot_results.py timeline` draws them.
// Memory is bounded: past config::timeline::kMaxSamples, every other sample goes and the interval
// doubles.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "core/activity.hpp"

namespace rs::sort {

struct TimelineSample {
  double t_s = 0;    // seconds since the process started (the phase table's clock: launch is 0)
  double cpu_s = 0;  // the process's user + system CPU seconds so far
  activity::Totals totals;
};

struct TimelineSeries {
  double interval_s = 0;  // between samples (doubles each time the series is thinned)
  std::vector<TimelineSample> samples;
};

// The sampler: starts sampling when made, stops when Stop() is called or it is destroyed.
class Timeline {
 public:
  // interval_ms and max_samples: config::timeline's unless a test asks for others.
  explicit Timeline(unsigned interval_ms, size_t max_samples);
  ~Timeline();
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  // Takes a last sample, ends the thread and returns the series (later calls return it again).
  TimelineSeries Stop();

 private:
  void Run();
  void SampleLocked();

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  unsigned interval_ms_;
  size_t max_samples_;
  double launch_s_;                              // process start to start_
  std::chrono::steady_clock::time_point start_;  // the first sample
  unsigned stride_ = 1;                          // samples are taken every stride_ intervals (doubled by thinning)
  TimelineSeries series_;
  std::thread thread_;  // last: starts after everything above is set
};

}  // namespace rs::sort
