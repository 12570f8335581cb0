// river/net/mpi_transport_base.hpp — what the MPI backends share: the communication thread, the
// queue of outgoing buffers with per-peer order and the exchange schedule, the queue of arrivals,
// and idle back-off. Internal to river/net/mpi_*.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/activity.hpp"
#include "core/blocking_queue.hpp"
#include "core/config.hpp"
#include "river/net/mpi_abort.hpp"
#include "river/net/mpi_wait.hpp"
#include "river/net/transport.hpp"

namespace rs::mpi_internal {

constexpr int kDataTag = 17;
constexpr int kCreditTag = 18;  // RMA: receiver -> sender, a slot is free again
constexpr int kNoticeTag = 19;  // RMA: sender -> receiver, a slot holds data (size 0: end)
// How long an idle communication thread sleeps before it polls MPI again, having been idle for
// `idle`: doubling from 1 us up to config::kExchangePollMicros, and past that up to 1/16 of the
// time idle, at most config::kExchangePollLongMaxMicros (core/config.hpp says what each costs).
inline std::chrono::microseconds IdleSleep(std::chrono::microseconds last, std::chrono::steady_clock::duration idle) {
  return NextPollPause(last, idle, 1, config::kExchangePollMicros, config::kExchangePollLongMaxMicros);
}

inline Status MpiError(int rc, const char* what) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  return Status::Error(std::string("MPI ") + what + ": " + std::string(text, size_t(len)));
}

class MpiTransportBase : public Transport {
 public:
  MpiTransportBase(MPI_Comm comm, MemPool* pool, const TransportOptions& options)
      : pool_(pool), options_(options), sends_(options.max_sends_in_flight), arrivals_(pool->count() + 1) {
    // Errors on our communicator come back as return codes (checked at every call) instead of
    // MPI's default abort: a failed send or receive becomes this transport's status, one line.
    // Duplicated without blocking, waited for as every collective is (mpi_wait.hpp): the ranks
    // arrive here when each has finished what came before, some long after others.
    MPI_Request dup = MPI_REQUEST_NULL;
    if (MPI_Comm_idup(comm, &comm_, &dup) != MPI_SUCCESS || WaitCollective(&dup, "Comm_idup", [comm] {
                                                              int r = 0;
                                                              MPI_Comm_rank(comm, &r);
                                                              return r;
                                                            }()) != MPI_SUCCESS) {
      comm_ = MPI_COMM_NULL;
      Fail(Status::Error("MPI Comm_dup failed"));
      MPI_Comm_rank(comm, &rank_);
      MPI_Comm_size(comm, &size_);
    } else {
      MPI_Comm_rank(comm_, &rank_);
      MPI_Comm_size(comm_, &size_);
      Check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "Comm_set_errhandler");
    }
    if (options_.schedule == ExchangeSchedule::kRestricted) {
      options_.max_sends_in_flight = 1;
      options_.posted_receives = 1;
    }
  }
  ~MpiTransportBase() override = default;  // derived classes join the thread, then free comm_

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void Send(int peer, Buffer buffer) override {
    if (buffer.size() == 0) return;
    if (peer == rank_) {  // to ourselves: straight to our own receiver (not network traffic)
      Count(&stats_.bytes_sent, &stats_.buffers_sent, buffer.size());
      Count(&stats_.bytes_received, &stats_.buffers_received, buffer.size());
      (void)arrivals_.Push(Received{rank_, std::move(buffer)});
      return;
    }
    (void)sends_.Push(Outgoing{peer, std::move(buffer)});
    Ring();
  }

  void FinishSending() override {
    sends_.Close();
    Ring();
  }

  std::optional<Received> Receive() override { return arrivals_.Pop(); }

  Status status() const override {
    std::lock_guard lock(mu_);
    return status_;
  }
  TransportStats stats() const override {
    std::lock_guard lock(mu_);
    TransportStats s = stats_;
    s.idle_turns = idle_turns_.load(std::memory_order_relaxed);
    s.sending_turns = sending_turns_.load(std::memory_order_relaxed);
    s.sending_long_sleeps = sending_long_sleeps_.load(std::memory_order_relaxed);
    return s;
  }

 protected:
  struct Outgoing {
    int peer;
    Buffer buffer;
  };

  // Returns once the communication thread owns MPI: from then on an abort asked for on any other
  // thread (the main thread included) is served there, never by a second thread calling MPI.
  void Start() {
    thread_ = std::thread([this] { Run(); });
    owned_.wait(false, std::memory_order_acquire);
  }
  void Stop() {
    if (thread_.joinable()) thread_.join();
    mpi_internal::TakeMpiOwnership();   // the caller (main thread) makes MPI calls again
    mpi_internal::ServeAbortRequest();  // an abort asked for as the thread ended is served here
    if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
  }

  // One round of MPI progress; returns whether anything happened.
  virtual bool Progress() = 0;
  // True when every send is done and every peer's end has arrived.
  virtual bool Done() const = 0;
  // True while one of this rank's sends is queued or under way: MPI moves it only when polled
  // (Open MPI's shared-memory and TCP transports have no progress of their own), so the thread
  // keeps its short sleeps (where sending_rule_ says so). (A receive under way is invisible until
  // it completes: a peer's transfer into an idle rank waits for that rank's polls. Ranks of an
  // exchange send too, so this keeps them polling often while data moves.)
  virtual bool Sending() const = 0;
  virtual void Shutdown() {}
  // Whether Sending() keeps the sleeps short. A backend turns it off where receivers alone move
  // large messages (mpi_single_copy.hpp): there the sender's polls only notice completions, and
  // a rank whose sends waited on a slower-polling peer polled every 50 us all through the
  // exchange, for nothing (twopass over 2 ranks with CMA without it: 0.950 x the core-seconds
  // per GB at 4 GB, 0.953 x at 16 GB; docs/terabyte.md#cpu-per-byte-who-moves-a-message-2026-12-06).
  bool sending_rule_ = true;

  // False (and the transport failed) when an MPI call did not succeed.
  bool Check(int rc, const char* what) {
    if (rc == MPI_SUCCESS) return true;
    Fail(MpiError(rc, what));
    return false;
  }
  void Fail(const Status& st) {
    std::lock_guard lock(mu_);
    status_.Update(st);
    failed_ = true;
  }
  void Count(uint64_t* bytes, uint64_t* buffers, uint64_t n) {
    std::lock_guard lock(mu_);
    *bytes += n;
    *buffers += 1;
  }
  // Also counted process-wide, for the timeline and the per-phase bytes (core/activity.hpp).
  void CountSent(uint64_t n) {
    Count(&stats_.bytes_sent, &stats_.buffers_sent, n);
    activity::NetSent(n);
  }
  void CountReceived(uint64_t n) {
    Count(&stats_.bytes_received, &stats_.buffers_received, n);
    activity::NetReceived(n);
  }
  void Deliver(int from, Buffer b) {
    Heard(from);
    CountReceived(b.size());
    (void)arrivals_.Push(Received{from, std::move(b)});
  }

  // Something arrived from `from` (data, an end, a credit): it and the link to it are alive.
  void Heard(int from) {
    if (from >= 0 && from < size_) heard_[size_t(from)] = std::chrono::steady_clock::now();
  }
  // `from` has finished sending to this rank: silence from it is no longer suspicious.
  void Ended(int from) {
    Heard(from);
    if (from >= 0 && from < size_) ended_[size_t(from)] = true;
  }

  // Takes queued sends into `pending_` (per-peer FIFOs); notes when sending has finished.
  void PullSends() {
    Outgoing o;
    while (true) {
      auto r = sends_.TryPop(&o);
      if (r == BlockingQueue<Outgoing>::TryResult::kItem) {
        pending_[size_t(o.peer)].push_back(std::move(o.buffer));
        ++pending_count_;
      } else {
        if (r == BlockingQueue<Outgoing>::TryResult::kClosed) sending_finished_ = true;
        return;
      }
    }
  }
  // The next peer to send to: free schedule takes any with data; restricted rotates partners
  // rank+1, rank+2, ... and sends one buffer to each in turn. `ready(p)` may veto a peer (RMA:
  // no free slot there yet). -1 when no peer can be served.
  template <typename Ready>
  int NextPeer(Ready ready) {
    return NextInRotation(rank_, size_, &rotation_, [&](int p) { return !pending_[size_t(p)].empty() && ready(p); });
  }

  // The bell: other threads' news for the idle communication thread (a send queued, sending
  // finished), so that it need not poll often to notice them.
  void Ring() {
    {
      std::lock_guard lock(bell_mu_);
      rung_ = true;
    }
    bell_.notify_one();
  }
  void WaitForBell(std::chrono::microseconds at_most) {
    std::unique_lock lock(bell_mu_);
    bell_.wait_for(lock, at_most, [&] { return rung_; });
    rung_ = false;
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1;
  MemPool* pool_;
  TransportOptions options_;
  std::vector<std::deque<Buffer>> pending_;
  size_t pending_count_ = 0;
  int rotation_ = 0;
  bool sending_finished_ = false;
  bool failed_ = false;

 private:
  void Run() {
    mpi_internal::TakeMpiOwnership();  // from here until Stop(), only this thread calls MPI
    owned_.store(true, std::memory_order_release);
    owned_.notify_one();
    pending_.resize(size_t(size_));
    heard_.assign(size_t(size_), std::chrono::steady_clock::now());
    ended_.assign(size_t(size_), false);
    auto sleep = std::chrono::microseconds(1);
    auto last_progress = std::chrono::steady_clock::now();
    auto idle_since = last_progress;  // Watch() moves last_progress on for its own reasons: not this
    dry_since_ = last_progress;
    while (!failed_ && !Done()) {
      mpi_internal::ServeAbortRequest();  // another thread's fatal error ends the job from here
      if (Progress()) {
        sleep = std::chrono::microseconds(1);
        last_progress = idle_since = std::chrono::steady_clock::now();
      } else {
        const auto now = std::chrono::steady_clock::now();
        Watch(now, &last_progress);  // idle turns only: off the busy path
        const bool sending = sending_rule_ && Sending();
        if (sending) idle_since = now;
        // A buffer queued to send rings the bell and ends the sleep at once; what only MPI can
        // tell (an arrival, a peer's part of a transfer) waits for the next poll.
        sleep = IdleSleep(sleep, now - idle_since);
        idle_turns_.fetch_add(1, std::memory_order_relaxed);
        if (sending) {
          sending_turns_.fetch_add(1, std::memory_order_relaxed);
          if (sleep > std::chrono::microseconds(config::kExchangePollMicros))
            sending_long_sleeps_.fetch_add(1, std::memory_order_relaxed);
        }
        WaitForBell(sleep);
      }
    }
    // An MPI call failed: the peers are still in the exchange waiting for this rank's data or its
    // end, and cannot learn of the failure from a collective. Say it and end the job from here,
    // the thread that owns MPI.
    if (failed_) EndJob("rank " + std::to_string(rank_) + ": " + status().message());
    Shutdown();
    arrivals_.Close();
    sends_.Close();
  }

  // The one stall watchdog of an exchange, on the thread that may end the job by MPI's rules.
  // Two ways an exchange stops for good:
  // - nothing moves for stall_timeout while the receive pool has room: a peer is gone or its
  //   link is cut (TCP would retry for many minutes);
  // - the receive pool stays empty for dry_pool_timeout while nothing arrives, and its consumer
  //   keeps everything (onepass): the pool can never refill, so this rank's data outgrew its memory.
  // A pool emptied by a consumer that gives buffers back (twopass writing a run) is neither.
  void Watch(std::chrono::steady_clock::time_point now, std::chrono::steady_clock::time_point* last_progress) {
    const bool dry = pool_->available() == 0;
    if (dry) *last_progress = now;  // a dry pool is this rank's own consumer, not a silent peer
    if (options_.stall_timeout.count() > 0 && now - *last_progress > options_.stall_timeout) Stalled();
    if (options_.dry_pool_timeout.count() == 0) return;
    const uint64_t received = stats().buffers_received;
    if (!dry || received != dry_received_) {
      dry_since_ = now;
      dry_received_ = received;
    } else if (now - dry_since_ > options_.dry_pool_timeout) {
      EndJob("rank " + std::to_string(rank_) + ": " + options_.dry_pool_line);
    }
  }

  // Names the peer not heard from for longest among those still sending, and ends the whole job:
  // collectives with a lost peer would hang.
  [[noreturn]] void Stalled() {
    int suspect = -1;
    for (int p = 0; p < size_; ++p) {
      if (p == rank_ || ended_[size_t(p)]) continue;
      if (suspect < 0 || heard_[size_t(p)] < heard_[size_t(suspect)]) suspect = p;
    }
    const auto secs = std::chrono::duration_cast<std::chrono::seconds>(options_.stall_timeout).count();
    std::string line = "rank " + std::to_string(rank_) + ": the exchange made no progress for " + std::to_string(secs) +
                       " s (--net-timeout)";
    if (suspect >= 0) line += "; nothing from rank " + std::to_string(suspect) + ": is it or its link down?";
    EndJob(line);
  }

  [[noreturn]] static void EndJob(const std::string& line) {
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
    mpi_internal::EndJob(1);  // on this (the owning) thread: MPI_Abort
  }

  BlockingQueue<Outgoing> sends_;
  BlockingQueue<Received> arrivals_;
  std::vector<std::chrono::steady_clock::time_point> heard_;  // comm thread only
  std::vector<bool> ended_;                                   // comm thread only
  std::atomic<bool> owned_{false};                            // the comm thread owns MPI (Start waits for it)
  std::atomic<uint64_t> idle_turns_{0};                       // written by the comm thread (stats())
  std::atomic<uint64_t> sending_turns_{0};                    // the same
  std::atomic<uint64_t> sending_long_sleeps_{0};              // the same
  std::chrono::steady_clock::time_point dry_since_{};         // comm thread only
  uint64_t dry_received_ = 0;                                 // comm thread only
  std::thread thread_;
  mutable std::mutex mu_;
  std::mutex bell_mu_;
  std::condition_variable bell_;
  bool rung_ = false;
  Status status_;
  TransportStats stats_;
};

}  // namespace rs::mpi_internal
