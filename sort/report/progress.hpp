// sort/report/progress.hpp — rank 0's live progress line for long sorts: phase, percent, MB/s, ETA on
// stderr (docs/architecture.md#reports). Silent until the run has lasted config::progress::kFirstAfter seconds, so
// short runs (the Datamation sort) print only their phase table; then one update per kInterval
// on a terminal (one line rewritten with '\r') or one newline-ended line per kLogInterval into a
// log. Every finished phase leaves one "100%" line once the progress is showing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

namespace rs::sort {

// What one progress line shows.
struct ProgressSnapshot {
  std::string phase;
  uint64_t done_bytes = 0;   // bytes done in the phase so far
  uint64_t total_bytes = 0;  // bytes this rank will move in the phase; 0: unknown
  double phase_s = 0;        // seconds since the phase started
  double run_s = 0;          // seconds since the Progress was created (the run)
  bool finished = false;     // the phase has ended
};

// One line, without '\r' or '\n':
//   "progress: local merge  43%  1234 MB/s  ETA 12 s  (elapsed 31 s)"
//   "progress: local merge 100%  1234 MB/s  done in 45 s  (elapsed 76 s)"     (finished)
//   "progress: overhead  12 MB  3 MB/s  (elapsed 4 s)"                        (total unknown)
//   "progress: parallel selection  done in 1 s  (elapsed 40 s)"               (no bytes counted)
// Percent is floored and stays at most 99 until the phase has finished, so "100%" means done even
// when the phase's total was an estimate. The rate is the phase's average, done / phase_s (MB =
// 10^6 bytes, as in the phase table). The ETA is the phase's remaining bytes at that rate, rounded
// up; "ETA ?" before the first byte. Elapsed is the run's, rounded down.
std::string FormatProgress(const ProgressSnapshot& s);
// Whole seconds as "12 s", "2 min 05 s" (from 100 s), "1 h 06 min" (from 100 min).
std::string FormatDuration(uint64_t seconds);

// When and how lines are printed.
struct ProgressTiming {
  double first_after_s = 0;  // nothing before the run has lasted this long
  double interval_s = 0;     // between updates
  bool terminal = false;     // rewrite one line with '\r'; else one newline-ended line per update
  // config::progress's values for a terminal or for a log.
  static ProgressTiming For(bool terminal);
};

// Whether rank 0's stderr reaches a person's terminal: config::progress::kTerminalEnv ("1" or "0")
// when set — under mpirun a rank's stderr is a pipe to mpirun even when mpirun's own stderr is a
// terminal, so launch scripts pass what they see — else isatty(2).
bool StderrIsTerminal();

// Rank 0's live progress line. Add() from any thread (one relaxed atomic add); everything else
// from the owning thread (the rank's main thread). A printing thread wakes when a line is due (it
// sleeps on a condition variable in between) and is stopped by the destructor.
class Progress {
 public:
  using Clock = std::function<double()>;  // monotonic seconds

  // enabled=false: every call is a no-op and no thread runs. out: where lines go (std::cerr in
  // the app). Terminal or log timing from StderrIsTerminal() when out is std::cerr, else log timing.
  explicit Progress(bool enabled, std::ostream& out = std::cerr);
  // Explicit timing and clock, for tests: with run_thread=false no thread starts and lines are
  // printed only by Tick() and EndPhase(), at the times `clock` returns.
  Progress(bool enabled, std::ostream& out, ProgressTiming timing, Clock clock, bool run_thread);
  // Stops the printing thread; ends a line left open on a terminal with '\n'.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // Starts a phase ("local merge") that will move total_bytes on this rank (0: unknown); ends the
  // previous phase if it is still open.
  void StartPhase(const std::string& name, uint64_t total_bytes);
  // Bytes done in the current phase; callers must not Add() across a StartPhase/EndPhase.
  void Add(uint64_t bytes) {
    if (enabled_) done_.fetch_add(bytes, std::memory_order_relaxed);
  }
  // Ends the phase: once the progress is showing, prints its "100%" line.
  void EndPhase();

  // Prints an update if one is due at the clock's time (the printing thread calls this).
  void Tick();
  // The current phase as a line would show it.
  ProgressSnapshot Snapshot() const;
  bool enabled() const { return enabled_; }

 private:
  ProgressSnapshot SnapshotLocked(double now) const;
  void PrintLocked(const ProgressSnapshot& s);
  void EndPhaseLocked();
  void Run();

  const bool enabled_;
  std::ostream& out_;
  const ProgressTiming timing_;
  const Clock clock_;
  const double start_;
  std::atomic<uint64_t> done_{0};

  mutable std::mutex mu_;  // guards everything below and the output
  std::condition_variable wake_;
  bool stop_ = false;
  bool in_phase_ = false;
  std::string phase_;
  uint64_t total_ = 0;
  double phase_start_ = 0;
  double next_due_ = 0;   // clock time of the next update
  size_t shown_len_ = 0;  // length of the line open on the terminal (0: none)
  std::thread thread_;
};

}  // namespace rs::sort
