// river/net/loopback_transport.cpp
#include "river/net/loopback_transport.hpp"

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>

namespace rs {

namespace {

struct Message {
  int from;
  Buffer buffer;  // empty: the sender finished
};

class LoopbackTransport final : public Transport {
 public:
  LoopbackTransport(std::vector<std::unique_ptr<Transport>>* all, int rank, size_t capacity)
      : all_(all), rank_(rank), inbox_(capacity) {}

  const char* name() const override { return "loopback"; }
  int rank() const override { return rank_; }
  int size() const override { return int(all_->size()); }

  void Send(int peer, Buffer buffer) override {
    if (buffer.size() == 0) return;
    if (peer != rank_) {  // across ranks: a copy, as over a wire
      Buffer copy = Peer(peer).ReceivePool()->Get();
      std::memcpy(copy.data(), buffer.data(), buffer.size());
      copy.set_size(buffer.size());
      buffer = std::move(copy);
    }
    {
      std::lock_guard lock(mu_);
      stats_.bytes_sent += buffer.size();
      stats_.buffers_sent += 1;
    }
    Peer(peer).Deliver({rank_, std::move(buffer)});
  }

  void FinishSending() override {
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

  friend class rs::LoopbackNetwork;
  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  MemPool* recv_pool_ = nullptr;
  std::vector<std::unique_ptr<Transport>>* all_;
  int rank_;
  BlockingQueue<Message> inbox_;
  int finished_ = 0;
  mutable std::mutex mu_;
  TransportStats stats_;
};

}  // namespace

LoopbackNetwork::LoopbackNetwork(int ranks, size_t queue_capacity) {
  for (int r = 0; r < ranks; ++r) endpoints_.push_back(std::make_unique<LoopbackTransport>(&endpoints_, r, queue_capacity));
}

LoopbackNetwork::~LoopbackNetwork() = default;

Transport& LoopbackNetwork::Endpoint(int rank) { return *endpoints_[size_t(rank)]; }

std::unique_ptr<Transport> LoopbackNetwork::Attach(int rank, MemPool* pool) {
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

}  // namespace rs
