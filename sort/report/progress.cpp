// sort/report/progress.cpp
#include "sort/report/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/config.hpp"

namespace rs::sort {

namespace {

double SteadyNow() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string FormatDuration(uint64_t seconds) {
  char buf[64];
  if (seconds < 100) {
    std::snprintf(buf, sizeof buf, "%llu s", static_cast<unsigned long long>(seconds));
  } else if (seconds < 100 * 60) {
    std::snprintf(buf, sizeof buf, "%llu min %02llu s", static_cast<unsigned long long>(seconds / 60),
                  static_cast<unsigned long long>(seconds % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%llu h %02llu min", static_cast<unsigned long long>(seconds / 3600),
                  static_cast<unsigned long long>(seconds / 60 % 60));
  }
  return buf;
}

std::string FormatProgress(const ProgressSnapshot& s) {
  // The rate is the phase's average, not a recent window: the host caches this disk, so writes
  // come in bursts that a window of a few seconds would turn into a rate (and an ETA) swinging
  // 2x between updates (docs/machine.md#disk), while the phase average settles within seconds. It is also
  // the number the phase table prints at the end (bytes / phase seconds), so the two agree.
  const double rate = s.phase_s > 0 ? double(s.done_bytes) / s.phase_s : 0;  // bytes per second
  char buf[64];
  std::string line = "progress: " + s.phase;
  if (s.total_bytes == 0 && s.done_bytes == 0) {
    // A phase that counts no bytes (parallel selection): just its time.
    if (s.finished) line += "  done in " + FormatDuration(uint64_t(std::llround(std::max(0.0, s.phase_s))));
    return line + "  (elapsed " + FormatDuration(uint64_t(std::max(0.0, s.run_s))) + ")";
  }
  if (s.total_bytes > 0) {
    const uint64_t pct =
        s.finished ? 100 : std::min<uint64_t>(99, uint64_t(double(s.done_bytes) * 100 / double(s.total_bytes)));
    std::snprintf(buf, sizeof buf, " %3llu%%", static_cast<unsigned long long>(pct));
  } else {
    std::snprintf(buf, sizeof buf, "  %.0f MB", double(s.done_bytes) / 1e6);
  }
  line += buf;
  std::snprintf(buf, sizeof buf, "  %.0f MB/s", rate / 1e6);
  line += buf;
  if (s.finished) {
    line += "  done in " + FormatDuration(uint64_t(std::llround(std::max(0.0, s.phase_s))));
  } else if (s.total_bytes > 0) {
    if (rate <= 0) {
      line += "  ETA ?";
    } else {
      const uint64_t left = s.total_bytes > s.done_bytes ? s.total_bytes - s.done_bytes : 0;
      line += "  ETA " + FormatDuration(uint64_t(std::ceil(double(left) / rate)));
    }
  }
  line += "  (elapsed " + FormatDuration(uint64_t(std::max(0.0, s.run_s))) + ")";
  return line;
}

ProgressTiming ProgressTiming::For(bool terminal) {
  return {config::progress::kFirstAfter, terminal ? config::progress::kInterval : config::progress::kLogInterval,
          terminal};
}

bool StderrIsTerminal() {
  if (const char* v = std::getenv(config::progress::kTerminalEnv); v != nullptr && *v != '\0') {
    return std::strcmp(v, "0") != 0;
  }
  return isatty(STDERR_FILENO) == 1;
}

Progress::Progress(bool enabled, std::ostream& out)
    : Progress(enabled, out, ProgressTiming::For(enabled && &out == &std::cerr && StderrIsTerminal()), SteadyNow,
               true) {}

Progress::Progress(bool enabled, std::ostream& out, ProgressTiming timing, Clock clock, bool run_thread)
    : enabled_(enabled), out_(out), timing_(timing), clock_(std::move(clock)), start_(enabled ? clock_() : 0) {
  next_due_ = start_ + timing_.first_after_s;
  if (enabled_ && run_thread) thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() {
  if (thread_.joinable()) {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  std::lock_guard lock(mu_);
  if (shown_len_ > 0) {
    out_ << '\n' << std::flush;
    shown_len_ = 0;
  }
}

void Progress::StartPhase(const std::string& name, uint64_t total_bytes) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  EndPhaseLocked();
  phase_ = name;
  total_ = total_bytes;
  done_.store(0, std::memory_order_relaxed);
  phase_start_ = clock_();
  in_phase_ = true;
}

void Progress::EndPhase() {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  EndPhaseLocked();
}

void Progress::EndPhaseLocked() {
  if (!in_phase_) return;
  const double now = clock_();
  if (now - start_ >= timing_.first_after_s) {
    ProgressSnapshot s = SnapshotLocked(now);
    s.finished = true;
    PrintLocked(s);
  }
  in_phase_ = false;
}

void Progress::Tick() {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  const double now = clock_();
  if (now < next_due_) return;
  // Always moves the next update on, even between phases, so the printing thread never spins.
  next_due_ = now + timing_.interval_s;
  if (in_phase_) PrintLocked(SnapshotLocked(now));
}

ProgressSnapshot Progress::Snapshot() const {
  std::lock_guard lock(mu_);
  return SnapshotLocked(enabled_ ? clock_() : 0);
}

ProgressSnapshot Progress::SnapshotLocked(double now) const {
  ProgressSnapshot s;
  s.phase = phase_;
  s.done_bytes = done_.load(std::memory_order_relaxed);
  s.total_bytes = total_;
  s.phase_s = in_phase_ ? now - phase_start_ : 0;
  s.run_s = now - start_;
  return s;
}

void Progress::PrintLocked(const ProgressSnapshot& s) {
  const std::string line = FormatProgress(s);
  if (timing_.terminal) {
    // Rewrite the line in place; spaces cover the tail of a longer previous line.
    out_ << '\r' << line;
    if (shown_len_ > line.size()) out_ << std::string(shown_len_ - line.size(), ' ');
    if (s.finished) {
      out_ << '\n';  // a finished phase keeps its line; the next phase starts a new one
      shown_len_ = 0;
    } else {
      shown_len_ = line.size();
    }
  } else {
    out_ << line << '\n';
  }
  out_ << std::flush;
}

void Progress::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    const double wait = next_due_ - clock_();
    if (wait > 0) {
      wake_.wait_for(lock, std::chrono::duration<double>(wait));
      continue;
    }
    lock.unlock();
    Tick();
    lock.lock();
  }
}

}  // namespace rs::sort
