// river/net/loopback_transport.cpp
#include "river/net/loopback_transport.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "core/activity.hpp"

namespace rs {

namespace {

struct Message {
  int from;
  Buffer buffer;  // empty: the sender finished
};

// Counts what is in progress at once and keeps the highest count seen.
class Gauge {
 public:
  void Enter() {
    int now = ++now_;
    int max = max_.load();
    while (now > max && !max_.compare_exchange_weak(max, now)) {
    }
  }
  void Leave() { --now_; }
  int max() const { return max_.load(); }

 private:
  std::atomic<int> now_{0}, max_{0};
};

class LoopbackTransport final : public Transport {
 public:
  LoopbackTransport(std::vector<std::unique_ptr<Transport>>* all, int rank, size_t capacity)
      : all_(all), rank_(rank), inbox_(capacity), outbox_(capacity) {}
  ~LoopbackTransport() override { StopSending(); }

  const char* name() const override { return "loopback"; }
  int rank() const override { return rank_; }
  int size() const override { return int(all_->size()); }

  void Send(int peer, Buffer buffer) override {
    if (buffer.size() == 0) return;
    if (peer == rank_ || !restricted_) {  // to itself, or the free schedule: on this thread
      Transmit(peer, std::move(buffer));
      return;
    }
    (void)outbox_.Push({peer, std::move(buffer)});  // restricted: the sending thread delivers it
  }

  void FinishSending() override {
    if (restricted_) {
      outbox_.Close();  // the sending thread delivers what is queued, then the ends
      return;
    }
    for (int p = 0; p < size(); ++p) Peer(p).Deliver({rank_, Buffer()});
  }

  std::optional<Received> Receive() override {
    while (finished_ < size()) {
      auto m = inbox_.Pop();
      if (!m) return std::nullopt;
      if (m->buffer.empty()) {
        ++finished_;
        continue;
      }
      std::lock_guard lock(mu_);
      stats_.bytes_received += m->buffer.size();
      activity::NetReceived(m->buffer.size());
      stats_.buffers_received += 1;
      return Received{m->from, std::move(m->buffer)};
    }
    return std::nullopt;
  }

  Status status() const override { return Status::Ok(); }
  TransportStats stats() const override {
    std::lock_guard lock(mu_);
    return stats_;
  }

 private:
  LoopbackTransport& Peer(int p) { return static_cast<LoopbackTransport&>(*(*all_)[size_t(p)]); }
  void Deliver(Message m) { (void)inbox_.Push(std::move(m)); }

  // Moves one buffer to `peer`: across ranks a copy into the peer's receive pool, as over a wire
  // (a restricted peer takes in one copy at a time: its one posted receive).
  void Transmit(int peer, Buffer buffer) {
    if (peer != rank_) {
      LoopbackTransport& to = Peer(peer);
      sends_.Enter();
      MemPool* pool = to.ReceivePool();
      std::unique_lock<std::mutex> slot(to.receive_slot_, std::defer_lock);
      if (to.restricted_) slot.lock();
      to.receives_.Enter();
      Buffer copy = pool->Get();
      std::memcpy(copy.data(), buffer.data(), buffer.size());
      copy.set_size(buffer.size());
      to.receives_.Leave();
      if (slot.owns_lock()) slot.unlock();
      sends_.Leave();
      buffer = std::move(copy);
    }
    {
      std::lock_guard lock(mu_);
      stats_.bytes_sent += buffer.size();
      activity::NetSent(buffer.size());
      stats_.buffers_sent += 1;
      if (peer != rank_) partners_.push_back(peer);
    }
    Peer(peer).Deliver({rank_, std::move(buffer)});
  }

  // Restricted: the one thread that sends. Takes whatever is queued into per-peer FIFOs, then
  // serves the next peer in rotation (rank+1, rank+2, ...) that has data, one buffer per turn.
  void SendingThread() {
    std::vector<std::deque<Buffer>> pending(static_cast<size_t>(size()));
    size_t queued = 0;
    bool closed = false;
    int rotation = 0;
    auto take = [&](Message m) {
      pending[size_t(m.from)].push_back(std::move(m.buffer));  // `from` holds the destination here
      ++queued;
    };
    while (true) {
      if (queued == 0 && !closed) {
        auto m = outbox_.Pop();
        if (m)
          take(std::move(*m));
        else
          closed = true;
      }
      for (Message m;;) {
        auto r = outbox_.TryPop(&m);
        if (r == BlockingQueue<Message>::TryResult::kItem) take(std::move(m));
        if (r == BlockingQueue<Message>::TryResult::kClosed) closed = true;
        if (r != BlockingQueue<Message>::TryResult::kItem) break;
      }
      if (queued == 0) {
        if (closed) break;
        continue;
      }
      const int p = NextInRotation(rank_, size(), &rotation, [&](int q) { return !pending[size_t(q)].empty(); });
      Buffer b = std::move(pending[size_t(p)].front());  // queued > 0: some peer has data
      pending[size_t(p)].pop_front();
      --queued;
      Transmit(p, std::move(b));
    }
    for (int p = 0; p < size(); ++p) Peer(p).Deliver({rank_, Buffer()});
  }

  // Ranks attach at their own pace (each when its sort makes its transport): a sender waits for
  // the receiver's pool rather than hand over its own buffers, which its pool may reclaim.
  MemPool* ReceivePool() {
    std::unique_lock lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return recv_pool_ != nullptr; });
    return recv_pool_;
  }
  void SetReceivePool(MemPool* pool) {
    {
      std::lock_guard lock(pool_mu_);
      recv_pool_ = pool;
    }
    pool_cv_.notify_all();
  }
  // Before the endpoint is used (and before its pool is set, which peers wait for).
  void SetSchedule(ExchangeSchedule schedule) {
    if (schedule != ExchangeSchedule::kRestricted || restricted_) return;
    restricted_ = true;
    sender_ = std::thread([this] { SendingThread(); });
  }
  void StopSending() {
    outbox_.Close();
    if (sender_.joinable()) sender_.join();
  }
  LoopbackNetwork::Observed Observe() const {
    std::lock_guard lock(mu_);
    return {sends_.max(), receives_.max(), partners_};
  }

  friend class rs::LoopbackNetwork;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  MemPool* recv_pool_ = nullptr;
  std::vector<std::unique_ptr<Transport>>* all_;
  int rank_;
  BlockingQueue<Message> inbox_;
  int finished_ = 0;
  std::atomic<bool> restricted_{false};
  BlockingQueue<Message> outbox_;  // restricted: buffers queued for the sending thread
  std::thread sender_;
  std::mutex receive_slot_;  // restricted: the one posted receive
  Gauge sends_, receives_;
  mutable std::mutex mu_;
  TransportStats stats_;
  std::vector<int> partners_;
};

}  // namespace

LoopbackNetwork::LoopbackNetwork(int ranks, size_t queue_capacity) {
  for (int r = 0; r < ranks; ++r)
    endpoints_.push_back(std::make_unique<LoopbackTransport>(&endpoints_, r, queue_capacity));
}

// Every sending thread ends before any endpoint goes: one may still be delivering ends to a peer.
LoopbackNetwork::~LoopbackNetwork() {
  for (auto& e : endpoints_) static_cast<LoopbackTransport&>(*e).StopSending();
}

Transport& LoopbackNetwork::Endpoint(int rank) { return *endpoints_[size_t(rank)]; }

std::unique_ptr<Transport> LoopbackNetwork::Attach(int rank, MemPool* pool, const TransportOptions& options) {
  static_cast<LoopbackTransport&>(*endpoints_[size_t(rank)]).SetSchedule(options.schedule);
  SetReceivePool(rank, pool);
  struct Ref final : Transport {
    explicit Ref(Transport* t) : t(t) {}
    const char* name() const override { return t->name(); }
    int rank() const override { return t->rank(); }
    int size() const override { return t->size(); }
    void Send(int peer, Buffer b) override { t->Send(peer, std::move(b)); }
    void FinishSending() override { t->FinishSending(); }
    std::optional<Received> Receive() override { return t->Receive(); }
    Status status() const override { return t->status(); }
    TransportStats stats() const override { return t->stats(); }
    Transport* t;
  };
  return std::make_unique<Ref>(endpoints_[size_t(rank)].get());
}

void LoopbackNetwork::SetReceivePool(int rank, MemPool* pool) {
  static_cast<LoopbackTransport&>(*endpoints_[size_t(rank)]).SetReceivePool(pool);
}

LoopbackNetwork::Observed LoopbackNetwork::Observe(int rank) const {
  return static_cast<const LoopbackTransport&>(*endpoints_[size_t(rank)]).Observe();
}

}  // namespace rs
