// river/net/mpi_transport.cpp
//
// Both MPI backends share one shape: the sender thread queues (peer, buffer) pairs; the
// communication thread issues them up to the in-flight bound (in the order the schedule says),
// keeps receives posted, and hands arrivals to the receiver thread through a queue whose capacity
// is the receive pool's size, so the communication thread never blocks on a slow consumer. When
// nothing progresses it backs off (IdleSleep, mpi_transport_base.hpp) instead of spinning.
// The end of a rank's stream is a zero-byte message to every peer: MPI keeps messages between two
// ranks in order, so it arrives after that rank's data.
#include "river/net/mpi_transport.hpp"

#include <mpi.h>

#include "river/net/loopback_transport.hpp"
#include "river/net/mpi_single_copy.hpp"
#include "river/net/mpi_transport_base.hpp"

namespace rs {

namespace {

using mpi_internal::kDataTag;
using mpi_internal::MpiError;
using mpi_internal::MpiTransportBase;

// ---- two-sided ----------------------------------------------------------------------------

class MpiTwoSided final : public MpiTransportBase {
 public:
  MpiTwoSided(MPI_Comm comm, MemPool* pool, const TransportOptions& options) : MpiTransportBase(comm, pool, options) {
    // An Isend of a large message under single copy only posts its address; the receiver reads it.
    sending_rule_ = !mpi_internal::ReceiverMovesLargeMessages();
    Start();
  }
  ~MpiTwoSided() override { Stop(); }
  const char* name() const override { return "mpi"; }

 private:
  struct InFlight {
    MPI_Request req;
    Buffer buffer;
  };

  bool Progress() override {
    bool moved = false;
    PullSends();
    // Issue sends up to the bound.
    while (in_flight_.size() < options_.max_sends_in_flight && pending_count_ > 0) {
      int peer = NextPeer([](int) { return true; });
      Buffer b = std::move(pending_[size_t(peer)].front());
      pending_[size_t(peer)].pop_front();
      --pending_count_;
      InFlight f{MPI_REQUEST_NULL, std::move(b)};
      int rc = MPI_Isend(f.buffer.data(), int(f.buffer.size()), MPI_BYTE, peer, kDataTag, comm_, &f.req);
      if (rc != MPI_SUCCESS) {
        Fail(MpiError(rc, "send"));
        return true;
      }
      CountSent(f.buffer.size());
      in_flight_.push_back(std::move(f));
      moved = true;
    }
    // Once everything is queued, tell every peer this rank is done.
    if (sending_finished_ && pending_count_ == 0 && !ends_sent_) {
      for (int p = 0; p < size_; ++p) {
        if (p == rank_) continue;
        InFlight f{MPI_REQUEST_NULL, Buffer()};
        const int rc = MPI_Isend(nullptr, 0, MPI_BYTE, p, kDataTag, comm_, &f.req);
        if (rc != MPI_SUCCESS) {
          Fail(MpiError(rc, "send end"));
          return true;
        }
        in_flight_.push_back(std::move(f));
      }
      ends_sent_ = true;
      moved = true;
    }
    // Completed sends give their buffers back.
    for (size_t i = 0; i < in_flight_.size();) {
      int done = 0;
      const int rc = MPI_Test(&in_flight_[i].req, &done, MPI_STATUS_IGNORE);
      if (rc != MPI_SUCCESS) {
        Fail(MpiError(rc, "send"));
        return true;
      }
      if (done) {
        in_flight_[i] = std::move(in_flight_.back());
        in_flight_.pop_back();
        moved = true;
      } else {
        ++i;
      }
    }
    // Keep receives posted while peers may still send.
    while (ends_received_ < size_ - 1 && recvs_.size() < options_.posted_receives) {
      auto b = pool_->TryGet();
      if (!b) break;
      InFlight f{MPI_REQUEST_NULL, std::move(*b)};
      int rc = MPI_Irecv(f.buffer.data(), int(f.buffer.capacity()), MPI_BYTE, MPI_ANY_SOURCE, kDataTag, comm_, &f.req);
      if (rc != MPI_SUCCESS) {
        Fail(MpiError(rc, "receive"));
        return true;
      }
      recvs_.push_back(std::move(f));
    }
    // Arrivals, in posting order (MPI matches posted receives in order for one source).
    while (!recvs_.empty()) {
      int done = 0;
      MPI_Status st;
      const int rc = MPI_Test(&recvs_.front().req, &done, &st);
      if (rc != MPI_SUCCESS) {
        Fail(MpiError(rc, "receive"));
        return true;
      }
      if (!done) break;
      int count = 0;
      MPI_Get_count(&st, MPI_BYTE, &count);
      Buffer b = std::move(recvs_.front().buffer);
      recvs_.pop_front();
      if (count == 0) {
        ++ends_received_;
        Ended(st.MPI_SOURCE);
      } else {
        b.set_size(size_t(count));
        Deliver(st.MPI_SOURCE, std::move(b));
      }
      moved = true;
    }
    return moved;
  }

  bool Done() const override {
    return sending_finished_ && pending_count_ == 0 && ends_sent_ && in_flight_.empty() && ends_received_ == size_ - 1;
  }
  bool Sending() const override { return pending_count_ > 0 || !in_flight_.empty(); }

  // Return codes are not checked here: this runs once the exchange is over or has failed, and a
  // failure is already recorded.
  void Shutdown() override {
    for (auto& f : recvs_) {  // receives still posted after every peer ended (or on failure)
      MPI_Cancel(&f.req);
      MPI_Wait(&f.req, MPI_STATUS_IGNORE);
    }
    recvs_.clear();
    for (auto& f : in_flight_) MPI_Wait(&f.req, MPI_STATUS_IGNORE);
    in_flight_.clear();
  }

  std::vector<InFlight> in_flight_;
  std::deque<InFlight> recvs_;
  bool ends_sent_ = false;
  int ends_received_ = 0;
};

}  // namespace

// Defined in mpi_rma_transport.cpp.
std::unique_ptr<Transport> MakeRmaTransport(MPI_Comm comm, MemPool* pool, const TransportOptions& options);

Result<std::unique_ptr<Transport>> MakeTransport(Comm& comm, TransportKind kind, MemPool* recv_pool,
                                                 const TransportOptions& options) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    if (comm.size() != 1) return Status::Error("an MPI transport needs MPI (run under mpirun)");
    // One rank, no MPI: a loopback to itself.
    struct Solo final : Transport {
      mutable LoopbackNetwork net{1, 1024};
      const char* name() const override { return "loopback"; }
      int rank() const override { return 0; }
      int size() const override { return 1; }
      void Send(int peer, Buffer b) override { net.Endpoint(0).Send(peer, std::move(b)); }
      void FinishSending() override { net.Endpoint(0).FinishSending(); }
      std::optional<Received> Receive() override { return net.Endpoint(0).Receive(); }
      Status status() const override { return Status::Ok(); }
      TransportStats stats() const override { return net.Endpoint(0).stats(); }
    };
    return std::unique_ptr<Transport>(std::make_unique<Solo>());
  }
  if (kind == TransportKind::kRma) return MakeRmaTransport(MPI_COMM_WORLD, recv_pool, options);
  return std::unique_ptr<Transport>(std::make_unique<MpiTwoSided>(MPI_COMM_WORLD, recv_pool, options));
}

}  // namespace rs
