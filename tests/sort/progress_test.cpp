// tests/sort/progress_test.cpp — the progress line: formatting (percent, rate, ETA, durations),
// timing against a fake clock (silent before the first-after delay, one update per interval,
// terminal '\r' rewrites vs log lines, 100% at the end of a phase), disabled progress printing
// nothing, concurrent Add(), and the real printing thread started and stopped promptly.
#include "sort/report/progress.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <mutex>
#include <sstream>
#include <streambuf>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"

namespace rs::sort {
namespace {

ProgressSnapshot Snap(const std::string& phase, uint64_t done, uint64_t total, double phase_s, double run_s) {
  ProgressSnapshot s;
  s.phase = phase;
  s.done_bytes = done;
  s.total_bytes = total;
  s.phase_s = phase_s;
  s.run_s = run_s;
  return s;
}

TEST(FormatProgress, ShowsPercentPhaseRateEtaAndElapsed) {
  // 430 MB of 1000 MB in 10 s: 43 MB/s, 570 MB left -> 13.26 s, rounded up.
  EXPECT_EQ(FormatProgress(Snap("local merge", 430'000'000, 1'000'000'000, 10, 31.7)),
            "progress: local merge  43%  43 MB/s  ETA 14 s  (elapsed 31 s)");
  // The example line of the design: 1234 MB/s, 12 s left.
  EXPECT_EQ(FormatProgress(Snap("merge", 12'340'000'000, 26'531'000'000, 10, 31)),
            "progress: merge  46%  1234 MB/s  ETA 12 s  (elapsed 31 s)");
}

TEST(FormatProgress, PercentIsFlooredAndReaches100OnlyWhenFinished) {
  EXPECT_NE(FormatProgress(Snap("sort", 999, 1000, 1, 5)).find(" 99%"), std::string::npos);
  EXPECT_NE(FormatProgress(Snap("sort", 1, 1000, 1, 5)).find("   0%"), std::string::npos);
  // All bytes counted (or more than the estimate) but not ended: 99%, nothing left to wait for.
  EXPECT_EQ(FormatProgress(Snap("sort", 1500, 1000, 1, 5)), "progress: sort  99%  0 MB/s  ETA 0 s  (elapsed 5 s)");
  ProgressSnapshot done = Snap("local sort", 2'000'000'000, 2'000'000'000, 4, 9);
  done.finished = true;
  EXPECT_EQ(FormatProgress(done), "progress: local sort 100%  500 MB/s  done in 4 s  (elapsed 9 s)");
  // A phase that ended below its estimate is still done.
  done.done_bytes = 1'000'000'000;
  EXPECT_EQ(FormatProgress(done), "progress: local sort 100%  250 MB/s  done in 4 s  (elapsed 9 s)");
}

TEST(FormatProgress, UnknownEtaAndUnknownTotal) {
  EXPECT_EQ(FormatProgress(Snap("merge", 0, 1000, 2, 3)), "progress: merge   0%  0 MB/s  ETA ?  (elapsed 3 s)");
  EXPECT_EQ(FormatProgress(Snap("merge", 5'000'000, 1000, 0, 3)), "progress: merge  99%  0 MB/s  ETA ?  (elapsed 3 s)");
  EXPECT_EQ(FormatProgress(Snap("overhead", 12'000'000, 0, 4, 4)), "progress: overhead  12 MB  3 MB/s  (elapsed 4 s)");
  // A phase that counts no bytes shows only its time.
  ProgressSnapshot selection = Snap("parallel selection", 0, 0, 1.4, 40);
  EXPECT_EQ(FormatProgress(selection), "progress: parallel selection  (elapsed 40 s)");
  selection.finished = true;
  EXPECT_EQ(FormatProgress(selection), "progress: parallel selection  done in 1 s  (elapsed 40 s)");
}

TEST(FormatProgress, LongDurations) {
  EXPECT_EQ(FormatDuration(0), "0 s");
  EXPECT_EQ(FormatDuration(99), "99 s");
  EXPECT_EQ(FormatDuration(100), "1 min 40 s");
  EXPECT_EQ(FormatDuration(125), "2 min 05 s");
  EXPECT_EQ(FormatDuration(5999), "99 min 59 s");
  EXPECT_EQ(FormatDuration(6000), "1 h 40 min");
  EXPECT_EQ(FormatDuration(3 * 3600 + 6 * 60 + 59), "3 h 06 min");
  // 1 TB left at 100 MB/s: the ETA of a slow terabyte phase, 10,000 s.
  EXPECT_EQ(FormatProgress(Snap("parallel merge", 100'000'000'000, 1'100'000'000'000, 1000, 1200)),
            "progress: parallel merge   9%  100 MB/s  ETA 2 h 46 min  (elapsed 20 min 00 s)");
}

// A clock the test moves by hand.
struct FakeClock {
  double now = 100;  // not 0: the progress must measure from its own start
  Progress::Clock fn() {
    return [this] { return now; };
  }
};

ProgressTiming Log(double first = 3, double interval = 5) { return {first, interval, false}; }
ProgressTiming Terminal(double first = 3, double interval = 1) { return {first, interval, true}; }

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> v;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

TEST(Progress, SilentBeforeTheFirstAfterDelayThenOneLinePerInterval) {
  FakeClock clock;
  std::ostringstream out;
  {
    Progress p(true, out, Log(3, 5), clock.fn(), false);
    p.StartPhase("read & distribute", 1'000'000'000);
    p.Add(100'000'000);
    clock.now += 1;
    p.Tick();
    clock.now += 1.75;  // 2.75 s into the run
    p.Tick();
    EXPECT_EQ(out.str(), "");
    clock.now += 0.25;  // 3 s
    p.Add(200'000'000);
    p.Tick();
    EXPECT_EQ(out.str(), "progress: read & distribute  30%  100 MB/s  ETA 7 s  (elapsed 3 s)\n");
    clock.now += 4.5;  // not yet the next log interval
    p.Tick();
    EXPECT_EQ(Lines(out.str()).size(), 1u);
    clock.now += 0.5;  // 8 s: the next line
    p.Add(500'000'000);
    p.Tick();
    auto lines = Lines(out.str());
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1], "progress: read & distribute  80%  100 MB/s  ETA 2 s  (elapsed 8 s)");
    p.Tick();  // same instant: nothing new
    EXPECT_EQ(Lines(out.str()).size(), 2u);
  }
  EXPECT_EQ(out.str().find('\r'), std::string::npos) << "a log gets no carriage returns";
}

TEST(Progress, EndPhasePrints100PercentOnceShowing) {
  FakeClock clock;
  std::ostringstream out;
  Progress p(true, out, Log(), clock.fn(), false);
  // Short phases before the first-after delay leave no trace.
  p.StartPhase("overhead", 0);
  clock.now += 0.5;
  p.EndPhase();
  p.StartPhase("local sort", 4'000'000'000);
  p.Add(1'000'000'000);
  clock.now += 2;
  p.Tick();
  EXPECT_EQ(out.str(), "");
  clock.now += 2;  // 4.5 s into the run, 4 s into the phase
  p.Tick();
  p.Add(3'000'000'000);
  clock.now += 4;
  p.EndPhase();
  auto lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "progress: local sort  25%  250 MB/s  ETA 12 s  (elapsed 4 s)");
  EXPECT_EQ(lines[1], "progress: local sort 100%  500 MB/s  done in 8 s  (elapsed 8 s)");
  // Between phases nothing is printed; the next phase starts from zero.
  clock.now += 10;
  p.Tick();
  EXPECT_EQ(Lines(out.str()).size(), 2u);
  p.StartPhase("local merge", 1000);
  EXPECT_EQ(p.Snapshot().done_bytes, 0u);
  EXPECT_EQ(p.Snapshot().phase, "local merge");
  // StartPhase ends an open phase: its 100% line comes first.
  p.Add(10);
  clock.now += 1;
  p.StartPhase("parallel selection", 0);
  lines = Lines(out.str());
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2].rfind("progress: local merge 100%", 0), 0u) << lines[2];
}

TEST(Progress, TerminalRewritesOneLineAndEndsItCleanly) {
  FakeClock clock;
  std::ostringstream out;
  {
    Progress p(true, out, Terminal(3, 1), clock.fn(), false);
    p.StartPhase("merge", 100'000'000'000);
    p.Add(12'000'000'000);
    clock.now += 3;
    p.Tick();
    EXPECT_EQ(out.str(), "\rprogress: merge  12%  4000 MB/s  ETA 22 s  (elapsed 3 s)");
    clock.now += 0.5;
    p.Tick();  // within the interval
    clock.now += 0.5;
    p.Tick();
    EXPECT_EQ(out.str(),
              "\rprogress: merge  12%  4000 MB/s  ETA 22 s  (elapsed 3 s)"
              "\rprogress: merge  12%  3000 MB/s  ETA 30 s  (elapsed 4 s)");
    const size_t before = out.str().size();
    clock.now = 100 + 0.5;  // a clock that went back must not print or wrap
    p.Tick();
    EXPECT_EQ(out.str().size(), before);
  }
  // The destructor ends the open line, and no line is ever newline-terminated mid-phase.
  const std::string s = out.str();
  ASSERT_FALSE(s.empty());
  EXPECT_EQ(s.back(), '\n');
  EXPECT_EQ(s.find('\n'), s.size() - 1);
}

TEST(Progress, TerminalPadsAShorterLineAndKeepsFinishedPhases) {
  FakeClock clock;
  std::ostringstream out;
  Progress p(true, out, Terminal(0, 1), clock.fn(), false);
  p.StartPhase("parallel selection", 1'000'000'000'000);
  p.Add(1);
  clock.now += 1;
  p.Tick();
  const std::string first = out.str().substr(1);
  p.EndPhase();
  p.StartPhase("merge", 10);
  p.Add(9);
  clock.now += 1;
  p.Tick();
  const std::string s = out.str();
  // Line 1: the live line, then its 100% version padded to cover it and kept with '\n'.
  const size_t nl = s.find('\n');
  ASSERT_NE(nl, std::string::npos);
  const std::string finished = s.substr(first.size() + 2, nl - first.size() - 2);
  EXPECT_EQ(finished.size(), first.size());
  EXPECT_EQ(finished.rfind("progress: parallel selection 100%", 0), 0u) << finished;
  EXPECT_EQ(s.substr(nl + 1), "\rprogress: merge  90%  0 MB/s  ETA 1 s  (elapsed 2 s)");
}

TEST(Progress, DisabledPrintsNothingAndCountsNothing) {
  FakeClock clock;
  std::ostringstream out;
  {
    Progress p(false, out, Log(0, 0), clock.fn(), true);
    EXPECT_FALSE(p.enabled());
    p.StartPhase("merge", 100);
    p.Add(50);
    clock.now += 100;
    p.Tick();
    EXPECT_EQ(p.Snapshot().done_bytes, 0u);
    p.EndPhase();
  }
  Progress q(false, out);  // the app's constructor: no thread either
  q.StartPhase("merge", 100);
  q.Add(100);
  q.EndPhase();
  EXPECT_EQ(out.str(), "");
}

TEST(Progress, AddFromManyThreadsIsExact) {
  FakeClock clock;
  std::ostringstream out;
  Progress p(true, out, Log(1e9, 1), clock.fn(), false);
  p.StartPhase("read & distribute", 4 * 100000 * 100);
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&p] {
      for (int i = 0; i < 100000; ++i) p.Add(100);
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(p.Snapshot().done_bytes, 4u * 100000 * 100);
}

// An ostream buffer the test may read while the printing thread writes to it.
class SyncBuf : public std::streambuf {
 public:
  std::string str() {
    std::lock_guard lock(mu_);
    return s_;
  }

 protected:
  int_type overflow(int_type c) override {
    std::lock_guard lock(mu_);
    if (c != traits_type::eof()) s_.push_back(char(c));
    return c;
  }
  std::streamsize xsputn(const char* p, std::streamsize n) override {
    std::lock_guard lock(mu_);
    s_.append(p, size_t(n));
    return n;
  }

 private:
  std::mutex mu_;
  std::string s_;
};

double RealNow() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

TEST(Progress, PrintingThreadPrintsAndStopsPromptly) {
  SyncBuf buf;
  std::ostream out(&buf);
  {
    // Real clock: first line after 20 ms, then every 10 ms.
    Progress p(true, out, ProgressTiming{0.02, 0.01, false}, RealNow, true);
    p.StartPhase("local merge", 1000);
    p.Add(500);
    // Wait (up to 10 s on a loaded machine) for the thread's second line.
    for (int i = 0; i < 1000 && Lines(buf.str()).size() < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    p.EndPhase();
  }
  auto lines = Lines(buf.str());
  ASSERT_GE(lines.size(), 3u) << buf.str();
  EXPECT_EQ(lines[0].rfind("progress: local merge  50%", 0), 0u) << lines[0];
  EXPECT_EQ(lines.back().rfind("progress: local merge 100%", 0), 0u) << lines.back();
}

TEST(Progress, ThreadStaysSilentOnShortRunsAndDoesNotDelayTheEnd) {
  std::ostringstream out;
  const auto t0 = std::chrono::steady_clock::now();
  {
    // The app's timing (3 s before anything, 5 s between lines) on a 50 ms run.
    Progress p(true, out, ProgressTiming::For(false), RealNow, true);
    p.StartPhase("read & distribute", 1000);
    p.Add(1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    p.EndPhase();
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(out.str(), "");
  EXPECT_LT(s, 1.0) << "the destructor must wake the printing thread, not wait for its next line";
}

TEST(Progress, TimingComesFromConfig) {
  const ProgressTiming term = ProgressTiming::For(true), log = ProgressTiming::For(false);
  EXPECT_TRUE(term.terminal);
  EXPECT_FALSE(log.terminal);
  EXPECT_EQ(term.first_after_s, config::progress::kFirstAfter);
  EXPECT_EQ(term.interval_s, config::progress::kInterval);
  EXPECT_EQ(log.interval_s, config::progress::kLogInterval);
  EXPECT_GT(config::progress::kFirstAfter, 0.3) << "the Datamation sort must stay silent";
}

TEST(Progress, TerminalEnvironmentOverridesIsatty) {
  ASSERT_EQ(setenv(config::progress::kTerminalEnv, "1", 1), 0);
  EXPECT_TRUE(StderrIsTerminal());
  ASSERT_EQ(setenv(config::progress::kTerminalEnv, "0", 1), 0);
  EXPECT_FALSE(StderrIsTerminal());
  ASSERT_EQ(unsetenv(config::progress::kTerminalEnv), 0);
}

}  // namespace
}  // namespace rs::sort
