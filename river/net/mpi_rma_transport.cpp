// river/net/mpi_rma_transport.cpp — `--transport rma`: one-sided puts into registered windows,
// the VIA-style remote-DMA path.
//
// Every rank exposes a registration window (allocated and registered once, MPI_Win_allocate)
// holding kSlotsPerPeer slots of the pool's buffer size for each sender. A sender
// holds credits for the slots reserved for it at each peer. Each round of the communication thread
// puts up to max_sends_in_flight buffers into free slots (MPI_Put under a lock_all epoch), then
// completes them together: one MPI_Win_flush per target of the round (not one per put, which
// serialised them), then one notice message per target listing every slot filled {slot, bytes}.
// The receiver copies each slot into a pool buffer, hands it on, and returns the credits of a
// round to each sender in one message. A notice with zero bytes ends that sender's stream; notices
// travel in order, so it comes after the data.
#include <mpi.h>

#include <algorithm>
#include <cstring>

#include "river/net/liveness.hpp"
#include "river/net/mpi_transport_base.hpp"

namespace rs {

namespace {

using mpi_internal::kCreditTag;
using mpi_internal::kNoticeTag;
using mpi_internal::MpiTransportBase;

constexpr int kSlotsPerPeer = int(kRmaSlotsPerSender);

struct Notice {
  uint64_t slot;
  uint64_t bytes;
};
// A notice or credit message: up to kSlotsPerPeer entries (a sender never holds more credits at a
// peer, so a round fills at most that many slots there).
struct Notices {
  Notice entry[kSlotsPerPeer];
};

class MpiRma final : public MpiTransportBase {
 public:
  MpiRma(MPI_Comm comm, MemPool* pool, const TransportOptions& options) : MpiTransportBase(comm, pool, options) {
    slot_bytes_ = pool_->buffer_size();
    // Collective; on the main thread, before the communication thread starts. MPI allocates the
    // window memory itself: that is what lets the shared-memory one-sided component (osc/sm)
    // serve it on one node (osc/rdma needs a BTL with RDMA, which vader without single-copy is
    // not; osc/pt2pt, built in Debian's Open MPI, serves it across hosts only when asked for).
    // A failure here (comm_ returns errors) leaves the transport failed: its thread ends at once
    // and status() says why; Shutdown then has no window to release.
    // Blocking and collective (MPI has no non-blocking form): marked for the liveness ring.
    bool allocated = false;
    if (!failed_) {
      const CollectiveWaitMark mark("Win_allocate");
      // WindowSlots is also what the memory plans count (sort/job/memory_plan.cpp).
      const int rc = MPI_Win_allocate(MPI_Aint(WindowSlots(TransportKind::kRma, size_) * slot_bytes_), 1, MPI_INFO_NULL,
                                      comm_, &window_mem_, &win_);
      allocated = rc == MPI_SUCCESS;
      if (!allocated) {  // across hosts over TCP, the component that could serve it is not the default
        Fail(mpi_internal::MpiError(rc, "window allocation")
                 .WithSuffix(" (--transport rma: if no one-sided MPI component serves these ranks, as across "
                             "hosts over TCP, give mpirun --mca osc pt2pt, or use --transport mpi)"));
      }
    }
    if (allocated) {
      // A failed put becomes a status, as on comm_.
      locked_ = Check(MPI_Win_set_errhandler(win_, MPI_ERRORS_RETURN), "Win_set_errhandler") &&
                Check(MPI_Win_lock_all(MPI_MODE_NOCHECK, win_), "window lock");
    }
    credits_.resize(size_t(size_));
    credit_out_.resize(size_t(size_));
    for (int p = 0; p < size_; ++p) {
      for (int j = 0; j < kSlotsPerPeer; ++j) credits_[size_t(p)].push_back(uint64_t(j));
    }
    Start();
  }
  ~MpiRma() override {
    Stop();  // joins the communication thread, frees the duplicated communicator
  }
  const char* name() const override { return "rma"; }

 private:
  struct Small {  // a posted notice/credit receive or an outstanding small send
    MPI_Request req = MPI_REQUEST_NULL;
    Notices msg{};
  };
  struct Put {  // a put of this round, not yet flushed: its buffer must stay until then
    int peer;
    uint64_t slot;
    Buffer buffer;
  };

  bool Progress() override {
    bool moved = false;
    PullSends();
    // Put data where a slot is free (restricted: one peer at a time, in rotation), then complete
    // the round's puts together.
    while (pending_count_ > 0 && puts_.size() < options_.max_sends_in_flight) {
      int peer = NextPeer([&](int p) { return !credits_[size_t(p)].empty(); });
      if (peer < 0) break;
      Buffer b = std::move(pending_[size_t(peer)].front());
      pending_[size_t(peer)].pop_front();
      --pending_count_;
      uint64_t slot = credits_[size_t(peer)].front();
      credits_[size_t(peer)].pop_front();
      MPI_Aint disp = MPI_Aint((uint64_t(rank_) * kSlotsPerPeer + slot) * slot_bytes_);
      if (!Check(MPI_Put(b.data(), int(b.size()), MPI_BYTE, peer, disp, int(b.size()), MPI_BYTE, win_), "put")) {
        return true;
      }
      puts_.push_back(Put{peer, slot, std::move(b)});
      moved = true;
    }
    if (!puts_.empty() && !CompletePuts()) return true;
    if (sending_finished_ && pending_count_ == 0 && !ends_sent_) {
      for (int p = 0; p < size_; ++p) {
        if (p != rank_) SendSmall(p, kNoticeTag, {{Notice{0, 0}}}, 1);
      }
      ends_sent_ = true;
      moved = true;
    }
    // Small sends complete on their own (eager); reap them.
    for (size_t i = 0; i < small_sends_.size();) {
      int done = 0;
      if (!Check(MPI_Test(&small_sends_[i]->req, &done, MPI_STATUS_IGNORE), "notice send")) return true;
      if (done) {
        small_sends_[i] = std::move(small_sends_.back());
        small_sends_.pop_back();
      } else {
        ++i;
      }
    }
    // One notice and one credit receive always posted.
    // The notice buffer holds a notice until it is handled: repost only after that.
    if (!notice_posted_ && !waiting_) {
      if (!Check(
              MPI_Irecv(&notice_in_.msg, sizeof(Notices), MPI_BYTE, MPI_ANY_SOURCE, kNoticeTag, comm_, &notice_in_.req),
              "notice receive"))
        return true;
      notice_posted_ = true;
    }
    if (!credit_posted_) {
      if (!Check(
              MPI_Irecv(&credit_in_.msg, sizeof(Notices), MPI_BYTE, MPI_ANY_SOURCE, kCreditTag, comm_, &credit_in_.req),
              "credit receive"))
        return true;
      credit_posted_ = true;
    }
    // A waiting notice is handled before taking the next: it needs a free pool buffer.
    if (!waiting_ && notice_posted_) {
      int done = 0;
      if (!Check(MPI_Test(&notice_in_.req, &done, &notice_status_), "notice receive")) return true;
      if (done) {
        notice_posted_ = false;
        waiting_ = true;
        notice_count_ = Entries(notice_status_);
        notice_next_ = 0;
        moved = true;
      }
    }
    if (waiting_) moved |= HandleNotice();
    // The credits of this round's slots, one message per sender.
    for (int p : credit_peers_) {
      auto& slots = credit_out_[size_t(p)];
      Notices m{};
      for (size_t i = 0; i < slots.size(); ++i) m.entry[i] = Notice{slots[i], 0};
      SendSmall(p, kCreditTag, m, int(slots.size()));
      slots.clear();
    }
    credit_peers_.clear();
    for (int k = 0; k < 64 && credit_posted_; ++k) {
      int done = 0;
      MPI_Status st;
      if (!Check(MPI_Test(&credit_in_.req, &done, &st), "credit receive")) return true;
      if (!done) break;
      for (int i = 0; i < Entries(st); ++i) credits_[size_t(st.MPI_SOURCE)].push_back(credit_in_.msg.entry[i].slot);
      Heard(st.MPI_SOURCE);
      credit_posted_ = false;
      if (!Check(
              MPI_Irecv(&credit_in_.msg, sizeof(Notices), MPI_BYTE, MPI_ANY_SOURCE, kCreditTag, comm_, &credit_in_.req),
              "credit receive"))
        return true;
      credit_posted_ = true;
      moved = true;
    }
    return moved;
  }

  // Flushes each target of this round's puts once (remote completion of all of them), then tells
  // each target which of its slots now hold data, in one message. False if MPI failed.
  bool CompletePuts() {
    std::vector<int>& peers = round_peers_;
    peers.clear();
    for (const Put& put : puts_) {
      if (std::find(peers.begin(), peers.end(), put.peer) == peers.end()) peers.push_back(put.peer);
    }
    for (int p : peers) {
      if (!Check(MPI_Win_flush(p, win_), "flush")) return false;
    }
    for (int p : peers) {
      Notices m{};
      int n = 0;
      for (const Put& put : puts_) {
        if (put.peer == p) m.entry[n++] = Notice{put.slot, put.buffer.size()};
      }
      SendSmall(p, kNoticeTag, m, n);
    }
    for (const Put& put : puts_) CountSent(put.buffer.size());
    puts_.clear();  // the buffers go back to the pool: the flush completed their puts
    return true;
  }

  // How many entries a completed notice or credit receive holds.
  static int Entries(const MPI_Status& st) {
    int bytes = 0;
    MPI_Get_count(&st, MPI_BYTE, &bytes);
    return bytes / int(sizeof(Notice));
  }

  // The notices of the message taken, in order; each data notice needs a free pool buffer, and
  // those left wait for the next round.
  bool HandleNotice() {
    const int from = notice_status_.MPI_SOURCE;
    bool moved = false;
    for (; notice_next_ < notice_count_; ++notice_next_) {
      const Notice n = notice_in_.msg.entry[notice_next_];
      if (n.bytes == 0) {
        ++ends_received_;
        Ended(from);
        moved = true;
        continue;
      }
      auto b = pool_->TryGet();
      if (!b) return moved;  // the consumer holds every buffer; try again next round
      std::memcpy(b->data(), window_mem_ + (uint64_t(from) * kSlotsPerPeer + n.slot) * slot_bytes_, n.bytes);
      b->set_size(n.bytes);
      Deliver(from, std::move(*b));
      auto& slots = credit_out_[size_t(from)];
      if (slots.empty()) credit_peers_.push_back(from);
      slots.push_back(n.slot);
      moved = true;
    }
    waiting_ = false;
    return true;
  }

  void SendSmall(int peer, int tag, const Notices& msg, int entries) {
    auto s = std::make_unique<Small>();
    s->msg = msg;
    if (!Check(MPI_Isend(&s->msg, entries * int(sizeof(Notice)), MPI_BYTE, peer, tag, comm_, &s->req), "notice send"))
      return;
    small_sends_.push_back(std::move(s));
  }

  bool Done() const override {
    return sending_finished_ && pending_count_ == 0 && ends_sent_ && ends_received_ == size_ - 1 && !waiting_;
  }
  // Puts are flushed within the round that issues them; what stays open is data waiting for a
  // slot's credit, a notice or credit on its way, and a notice waiting for a free buffer.
  bool Sending() const override { return pending_count_ > 0 || !small_sends_.empty() || waiting_; }

  // Return codes are not checked here: this runs once the exchange is over or has failed, and a
  // failure is already recorded.
  void Shutdown() override {
    // Credits still travelling belong to streams that have ended; nobody waits for them.
    for (auto* s : {&notice_in_, &credit_in_}) {
      if ((s == &notice_in_ && notice_posted_) || (s == &credit_in_ && credit_posted_)) {
        MPI_Cancel(&s->req);
        MPI_Wait(&s->req, MPI_STATUS_IGNORE);
      }
    }
    for (auto& s : small_sends_) MPI_Request_free(&s->req);
    small_sends_.clear();
    if (win_ == MPI_WIN_NULL) return;
    if (locked_) MPI_Win_unlock_all(win_);  // completes any put of a failed round
    puts_.clear();
    const CollectiveWaitMark mark("Win_free");  // blocking, for the liveness ring's stall check
    MPI_Win_free(&win_);                        // collective: every rank gets here once its exchange is complete
  }

  uint8_t* window_mem_ = nullptr;  // owned by the window
  uint64_t slot_bytes_ = 0;
  MPI_Win win_ = MPI_WIN_NULL;
  bool locked_ = false;
  std::vector<std::deque<uint64_t>> credits_;      // free slots at each peer
  std::vector<Put> puts_;                          // this round's puts, until flushed
  std::vector<int> round_peers_;                   // their targets (at most max_sends_in_flight)
  std::vector<std::vector<uint64_t>> credit_out_;  // slots emptied this round, per sender
  std::vector<int> credit_peers_;                  // the senders with credits to return
  int notice_count_ = 0, notice_next_ = 0;         // the notice message being handled
  std::vector<std::unique_ptr<Small>> small_sends_;
  Small notice_in_, credit_in_;
  MPI_Status notice_status_{};
  bool notice_posted_ = false, credit_posted_ = false, waiting_ = false, ends_sent_ = false;
  int ends_received_ = 0;
};

}  // namespace

std::unique_ptr<Transport> MakeRmaTransport(MPI_Comm comm, MemPool* pool, const TransportOptions& options) {
  return std::make_unique<MpiRma>(comm, pool, options);
}

}  // namespace rs
