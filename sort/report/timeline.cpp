// sort/report/timeline.cpp
#include "sort/report/timeline.hpp"

#include <algorithm>
#include <chrono>

#include "sort/report/phase_clock.hpp"

namespace rs::sort {

Timeline::Timeline(unsigned interval_ms, size_t max_samples)
    : interval_ms_(interval_ms == 0 ? 1 : interval_ms),
      max_samples_(max_samples < 2 ? 2 : max_samples),
      launch_s_(std::max(0.0, PhaseClock::SinceProcessStart())),
      start_(std::chrono::steady_clock::now()) {
  series_.interval_s = double(interval_ms_) / 1000;
  {
    std::lock_guard lock(mu_);
    SampleLocked();  // the start: launch and init are the first interval
  }
  thread_ = std::thread([this] { Run(); });
}

Timeline::~Timeline() { (void)Stop(); }

TimelineSeries Timeline::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!stop_) {
      stop_ = true;
      cv_.notify_all();
    }
  }
  if (thread_.joinable()) {
    thread_.join();
    std::lock_guard lock(mu_);
    SampleLocked();  // the end, wherever it falls between two ticks
  }
  std::lock_guard lock(mu_);
  return series_;
}

void Timeline::Run() {
  // Ticks on a fixed grid from the start, so that a slow sample does not shift the rest.
  uint64_t tick = 0;
  std::unique_lock lock(mu_);
  while (true) {
    tick += stride_;
    const auto due = start_ + std::chrono::milliseconds(uint64_t(interval_ms_) * tick);
    if (cv_.wait_until(lock, due, [&] { return stop_; })) return;
    SampleLocked();
  }
}

void Timeline::SampleLocked() {
  // Seconds since launch: /proc's start time (10 ms ticks) once, then the steady clock.
  const double t = launch_s_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  series_.samples.push_back({t, PhaseClock::Cpu(), activity::Now()});
  if (series_.samples.size() < max_samples_) return;
  // Full: keep every other sample (the first stays: the series still starts at the start) and
  // sample half as often from now on. Counters are totals, so nothing is lost but resolution.
  std::vector<TimelineSample> kept;
  kept.reserve(max_samples_ / 2 + 2);
  for (size_t i = 0; i < series_.samples.size(); i += 2) kept.push_back(series_.samples[i]);
  // ... and the last one stays too (it may be the end that Stop() took).
  if (series_.samples.size() % 2 == 0) kept.push_back(series_.samples.back());
  series_.samples = std::move(kept);
  stride_ *= 2;
  series_.interval_s *= 2;
}

}  // namespace rs::sort
