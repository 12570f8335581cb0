// river/net/liveness.cpp — linking the ring, and the thread that keeps it.
#include "river/net/liveness.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/signal_cleanup.hpp"
#include "river/net/tcp_link.hpp"

namespace rs {

using tcp::Clock;
using tcp::UniqueFd;

namespace {

// Every message is 5 bytes: its kind, then the run of ranks ending at the sender that have each
// waited in a collective for the timeout or longer (little-endian u32). A heartbeat also goes at
// once when that run changes, so it reaches the successor without waiting for the period.
constexpr char kHeartbeat = 'h';
constexpr char kGoodbye = 'g';
constexpr size_t kMessageSize = 5;
// The connector's first 16 bytes: magic, its rank, and the nonce the acceptor published, so a
// stray connection (a port scanner, another job's rank) is turned away instead of watched.
constexpr char kMagic[4] = {'R', 'S', 'L', 'V'};
constexpr size_t kHelloSize = 16;

// What a rank publishes in the ring's one AllGather, as text: "KEY PORT NONCE ADDR...".
struct Contact {
  std::string key;  // tcp::NetworkStackKey(); "-" when unknown
  uint16_t port = 0;
  uint64_t nonce = 0;
  std::vector<std::string> addresses;
};

std::string Encode(const Contact& c) {
  std::string s = (c.key.empty() ? "-" : c.key) + " " + std::to_string(c.port) + " " + std::to_string(c.nonce);
  for (const auto& a : c.addresses) s += " " + a;
  return s;
}

bool Decode(const std::string& text, Contact* c) {
  std::istringstream in(text);
  unsigned port = 0;
  if (!(in >> c->key >> port >> c->nonce) || port == 0 || port > 65535) return false;
  if (c->key == "-") c->key.clear();
  c->port = uint16_t(port);
  for (std::string a; in >> a;) c->addresses.push_back(a);
  return true;
}

// Where to reach `peer` from here: loopback when both share a network stack (the fast, always
// present path); otherwise its real addresses, and loopback only as a last resort when nothing
// proves the hosts differ. A wrong guess is caught by the hello's nonce.
std::vector<std::string> RouteTo(const Contact& me, const Contact& peer) {
  if (!me.key.empty() && me.key == peer.key) return {"127.0.0.1"};
  std::vector<std::string> out;
  for (const auto& a : peer.addresses) {
    const bool loopback = a.rfind("127.", 0) == 0;
    if (!loopback || me.key.empty() || peer.key.empty()) out.push_back(a);
  }
  return out;
}

void PutU32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
void PutU64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}
uint32_t GetU32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(p[i]) << (8 * i);
  return v;
}
uint64_t GetU64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

// Accepts connections until one carries the predecessor's hello.
Result<UniqueFd> AcceptPredecessor(int listen_fd, int pred, uint64_t my_nonce, Clock::time_point deadline) {
  while (true) {
    auto fd = tcp::AcceptWithin(listen_fd, deadline);
    if (!fd.ok()) return fd.status();
    uint8_t hello[kHelloSize];
    if (!tcp::ReceiveWithin(fd->get(), hello, sizeof hello, deadline).ok()) continue;
    if (std::memcmp(hello, kMagic, 4) == 0 && GetU32(hello + 4) == uint32_t(pred) && GetU64(hello + 8) == my_nonce)
      return std::move(*fd);
  }
}

int64_t MillisUntil(Clock::time_point t) {
  return std::max<int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(t - Clock::now()).count());
}

// The main thread's wait in a collective (CollectiveWaitMark): since when (steady clock, ns; 0
// when not waiting) and in what.
std::atomic<int64_t> g_wait_since_ns{0};
std::atomic<const char*> g_wait_what{nullptr};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

}  // namespace

LivenessOptions LivenessFor(unsigned timeout_seconds) {
  LivenessOptions o;
  o.timeout = std::chrono::seconds(timeout_seconds);
  // At least three heartbeats per timeout (config.hpp), never slower than the configured period.
  o.heartbeat = std::min(std::chrono::milliseconds(config::kHeartbeatMillis),
                         std::chrono::duration_cast<std::chrono::milliseconds>(o.timeout) / 3);
  o.connect_timeout = std::chrono::milliseconds(config::kRingConnectMillis);
  o.abrupt_grace = std::chrono::milliseconds(config::kAbruptEndGraceMillis);
  return o;
}

class LivenessRing {
 public:
  LivenessRing(int rank, int size, const LivenessOptions& options, UniqueFd pred, UniqueFd succ, UniqueFd wake)
      : rank_(rank),
        size_(size),
        pred_rank_((rank + size - 1) % size),
        options_(options),
        pred_(std::move(pred)),
        succ_(std::move(succ)),
        wake_(std::move(wake)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~LivenessRing() {
    Leave();
    thread_.join();
  }
  LivenessRing(const LivenessRing&) = delete;
  LivenessRing& operator=(const LivenessRing&) = delete;

  // Asks the thread to say goodbye and stop; waits a little for it, never long: an ending job must
  // not wait on its watchdog.
  // Makes the thread take a turn now (a long collective wait ended: its run must drop to 0 at once).
  void Wake() {
    const uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof one);
  }

  void Leave() {
    leave_.store(true, std::memory_order_release);
    const uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof one);
    const auto give_up = Clock::now() + std::chrono::milliseconds(250);
    while (!left_.load(std::memory_order_acquire) && Clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

 private:
  void Send(char kind, uint32_t run = 0) {
    // Non-blocking and unchecked: a successor that is gone or frozen is its own successor's news.
    uint8_t m[kMessageSize] = {uint8_t(kind)};
    PutU32(m + 1, run);
    if (succ_.valid()) (void)::send(succ_.get(), m, sizeof m, MSG_NOSIGNAL | MSG_DONTWAIT);
  }

  // Ends the whole job from this thread: MPI_Abort is not ours to call here (MPI is
  // THREAD_SERIALIZED and the main or communication thread may be inside MPI), and a rank that
  // exits non-zero without MPI_Finalize makes mpirun end every other rank.
  [[noreturn]] void EndJob(const std::string& line) {
    const std::string text = line + "\n";
    (void)!::write(STDERR_FILENO, text.data(), text.size());  // one write: one whole line
    Send(kGoodbye);           // this rank's end is news already told; its successor need not report it
    RemoveRegisteredFiles();  // _exit runs no destructors
    ::_exit(1);
  }

  void Run() {
    const auto timeout = options_.timeout;
    // Turns come at least every heartbeat period (at most a third of the timeout).
    const auto frozen_gap = std::chrono::duration_cast<std::chrono::milliseconds>(timeout) / 2;
    auto now = Clock::now();
    auto last_heard = now, next_beat = now, last_turn = now;
    bool watching = true;  // the predecessor has not said goodbye
    bool closed = false;   // its connection ended without a goodbye
    Clock::time_point closed_at;
    const std::string me = "rank " + std::to_string(rank_) + ": rank " + std::to_string(pred_rank_);
    uint32_t run_in = 0, run_sent = 0;  // the predecessor's run of long waits, and the last this rank sent
    std::string received;               // bytes of a message not yet whole
    while (true) {
      now = Clock::now();
      // A turn far later than asked for means this process was frozen itself (SIGSTOP, a paused
      // VM, a starved CPU): the predecessor's silence over that gap is not its fault.
      if (now - last_turn > frozen_gap) last_heard = now;
      last_turn = now;
      // The stall check: this rank's own wait, and the run of long waits it extends.
      const int64_t since = g_wait_since_ns.load(std::memory_order_acquire);
      const auto waited = std::chrono::nanoseconds(since != 0 ? NowNs() - since : 0);
      const bool long_wait = since != 0 && waited >= timeout;
      const uint32_t run = long_wait ? std::min<uint32_t>(run_in + 1, uint32_t(size_)) : 0;
      if (long_wait && run_in + 1 >= uint32_t(size_)) {
        const char* what = g_wait_what.load(std::memory_order_acquire);
        EndJob("rank " + std::to_string(rank_) + ": every rank has waited in a collective for " +
               std::to_string(timeout.count()) + " s or more (--net-timeout), all alive: the job is stuck (rank " +
               std::to_string(rank_) + " in MPI " + (what != nullptr ? what : "?") + ")");
      }
      if (now >= next_beat || run != run_sent) {
        Send(kHeartbeat, run);
        run_sent = run;
        next_beat = now + options_.heartbeat;
      }
      if (closed && now - closed_at >= options_.abrupt_grace)
        EndJob(me + " ended abruptly (killed by a signal, or its host went down)");
      if (watching && !closed && now - last_heard >= timeout)
        EndJob(me + " has not answered for " + std::to_string(timeout.count()) +
               " s (--net-timeout); is it or its link down?");

      auto until = next_beat;
      if (watching && !closed) until = std::min(until, last_heard + timeout);
      if (since != 0 && !long_wait) {  // a turn when this rank's wait becomes long
        until = std::min(until, now + std::chrono::duration_cast<Clock::duration>(timeout - waited));
      }
      if (closed) until = std::min(until, closed_at + options_.abrupt_grace);
      pollfd fds[2] = {{wake_.get(), POLLIN, 0}, {watching && !closed ? pred_.get() : -1, POLLIN, 0}};
      if (::poll(fds, 2, int(std::min<int64_t>(MillisUntil(until), 60000))) < 0) continue;  // EINTR
      if (fds[0].revents != 0) {
        uint64_t n = 0;
        (void)!::read(wake_.get(), &n, sizeof n);
        if (leave_.load(std::memory_order_acquire)) {
          Send(kGoodbye);
          left_.store(true, std::memory_order_release);
          return;
        }
      }
      if (fds[1].revents != 0) {
        char buf[256];
        const ssize_t k = ::recv(pred_.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (k > 0) {
          last_heard = Clock::now();
          received.append(buf, size_t(k));
          size_t at = 0;
          for (; received.size() - at >= kMessageSize && watching; at += kMessageSize) {
            const auto* m = reinterpret_cast<const uint8_t*>(received.data() + at);
            run_in = GetU32(m + 1);
            if (m[0] == uint8_t(kGoodbye)) {
              watching = false;  // it left in order; nothing more to watch
              run_in = 0;
              pred_.Reset();
            }
          }
          received.erase(0, std::min(at, received.size()));
        } else if (k == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          closed = true;
          closed_at = Clock::now();
          pred_.Reset();
        }
      }
    }
  }

  const int rank_, size_, pred_rank_;
  const LivenessOptions options_;
  UniqueFd pred_, succ_, wake_;  // the sockets: this thread only (wake_ is written by Leave)
  std::atomic<bool> leave_{false}, left_{false};
  std::thread thread_;
};

namespace {

// The running ring, for LeaveLivenessRing on abort paths.
std::mutex g_mu;
LivenessRing* g_ring = nullptr;

}  // namespace

LivenessGuard::LivenessGuard(std::unique_ptr<LivenessRing> ring) : ring_(std::move(ring)) {
  std::lock_guard lock(g_mu);
  g_ring = ring_.get();
}

LivenessGuard::~LivenessGuard() {
  if (!ring_) return;
  {
    std::lock_guard lock(g_mu);
    if (g_ring == ring_.get()) g_ring = nullptr;
  }
  ring_.reset();
}

LivenessGuard::LivenessGuard(LivenessGuard&& o) noexcept : ring_(std::move(o.ring_)) {}

LivenessGuard& LivenessGuard::operator=(LivenessGuard&& o) noexcept {
  if (this != &o) {
    LivenessGuard gone(std::move(*this));
    ring_ = std::move(o.ring_);
  }
  return *this;
}

CollectiveWaitMark::CollectiveWaitMark(const char* what) {
  g_wait_what.store(what, std::memory_order_release);
  g_wait_since_ns.store(NowNs(), std::memory_order_release);
}

CollectiveWaitMark::~CollectiveWaitMark() {
  const int64_t since = g_wait_since_ns.exchange(0, std::memory_order_acq_rel);
  // A wait long enough to have joined a run of long waits: tell the successor at once that it ended.
  if (since != 0 && NowNs() - since >= int64_t(config::kHeartbeatMillis) * 1'000'000 / 4) {
    std::lock_guard lock(g_mu);
    if (g_ring != nullptr) g_ring->Wake();
  }
}

void LeaveLivenessRing() {
  std::lock_guard lock(g_mu);
  if (g_ring != nullptr) g_ring->Leave();
}

LivenessGuard StartLivenessRing(Comm& comm, const LivenessOptions& options) {
  const int rank = comm.rank(), size = comm.size();
  if (size < 2 || options.timeout.count() == 0) return {};

  // Listen before publishing, so a successor's connect lands in the backlog even before this rank
  // gets round to accepting: every rank connects first, then accepts, and none waits on another.
  Status st;
  Contact me;
  me.key = tcp::NetworkStackKey();
  me.nonce = std::random_device{}() * uint64_t(0x100000001) ^ std::random_device{}();
  me.addresses = tcp::LocalIPv4Addresses();
  auto listener = tcp::ListenOnAnyPort();
  if (listener.ok())
    me.port = listener->port;
  else
    st = listener.status();
  // Every rank arrives here right after launch: a rank that waits --net-timeout for the others
  // means MPI could not connect them (at 64 hosts on 2 cores, lost SYNs: docs/scale.md), and no
  // ring is up yet to end the job.
  comm.SetWaitLimit(std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout),
                    "the ranks did not all reach the job's first collective within " +
                        std::to_string(options.timeout.count()) +
                        " s (--net-timeout): MPI could not connect them, or a rank did not start");
  const std::vector<std::string> all = comm.AllGather(listener.ok() ? Encode(me) : std::string());
  comm.SetWaitLimit(std::chrono::milliseconds(0), {});

  const int succ_rank = (rank + 1) % size, pred_rank = (rank + size - 1) % size;
  const auto deadline = Clock::now() + options.connect_timeout;
  UniqueFd succ, pred;
  Contact peer;
  if (st.ok() && !Decode(all[size_t(succ_rank)], &peer))
    st = Status::Error("rank " + std::to_string(succ_rank) + " has no ring address");
  if (st.ok()) {
    auto fd = tcp::ConnectWithin(RouteTo(me, peer), peer.port, deadline);
    if (fd.ok())
      succ = std::move(*fd);
    else
      st = fd.status().WithContext("connecting to rank " + std::to_string(succ_rank));
  }
  if (st.ok()) {
    uint8_t hello[kHelloSize];
    std::memcpy(hello, kMagic, 4);
    PutU32(hello + 4, uint32_t(rank));
    PutU64(hello + 8, peer.nonce);
    st = tcp::SendWithin(succ.get(), hello, sizeof hello, deadline);
  }
  if (st.ok()) {
    auto fd = AcceptPredecessor(listener->fd.get(), pred_rank, me.nonce, deadline);
    if (fd.ok())
      pred = std::move(*fd);
    else
      st = fd.status().WithContext("waiting for rank " + std::to_string(pred_rank));
  }
  UniqueFd wake;
  if (st.ok()) {
    wake = UniqueFd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake.valid()) st = Status::FromErrno(errno, "liveness ring", "eventfd");
  }
  // All ranks run the ring or none: a rank whose predecessor never linked would have nothing to
  // watch, and "hangs will not be detected" must then be true of the whole job.
  const Status agreed = AgreeOnStatus(comm, st);
  if (!agreed.ok()) {
    if (rank == 0)
      std::cerr << "riversort: notice: the liveness ring could not link up (" << agreed.message()
                << "); a rank that hangs outside an exchange will not be detected\n";
    return {};
  }
  return LivenessGuard(
      std::make_unique<LivenessRing>(rank, size, options, std::move(pred), std::move(succ), std::move(wake)));
}

}  // namespace rs
