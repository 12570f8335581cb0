// io/uring_engine.cpp
#include "io/uring_engine.hpp"

#include <liburing.h>

#include <cassert>
#include <cerrno>
#include <cstring>

#include "core/activity.hpp"

namespace rs {

namespace {

class UringRing {
 public:
  UringRing() = default;
  ~UringRing() {
    if (ok_) io_uring_queue_exit(&ring_);
  }
  UringRing(const UringRing&) = delete;
  UringRing& operator=(const UringRing&) = delete;
  int Init(unsigned entries) {
    int rc = io_uring_queue_init(entries, &ring_, 0);
    ok_ = rc == 0;
    return rc;
  }
  io_uring* get() { return &ring_; }

 private:
  io_uring ring_{};
  bool ok_ = false;
};

class UringEngine final : public IoEngine {
 public:
  explicit UringEngine(unsigned depth) : depth_(depth), slots_(depth) {
    for (unsigned i = 0; i < depth; ++i) free_.push_back(depth - 1 - i);
  }
  int Init() { return ring_.Init(depth_); }

  const char* name() const override { return "uring"; }
  unsigned depth() const override { return depth_; }
  unsigned outstanding() const override { return depth_ - unsigned(free_.size()); }

  Status Register(std::span<const int> fds, std::span<const iovec> memory) override {
    fds_.assign(fds.begin(), fds.end());
    files_registered_ = !fds.empty() && io_uring_register_files(ring_.get(), fds.data(), unsigned(fds.size())) == 0;
    memory_.assign(memory.begin(), memory.end());
    // Registered buffers pin the memory once instead of per request (docs/machine.md#io_uring: ~10 % -> ~2 %
    // system CPU at 2 MiB / QD16). Refusal (RLIMIT_MEMLOCK) only costs that CPU.
    buffers_registered_ =
        !memory.empty() && io_uring_register_buffers(ring_.get(), memory.data(), unsigned(memory.size())) == 0;
    return Status::Ok();
  }

  void Submit(const IoRequest& r) override {
    assert(!free_.empty() && "Submit beyond depth(): the caller keeps at most depth() outstanding");
    unsigned slot = free_.back();
    free_.pop_back();
    slots_[slot] = {r, 0};
    Queue(slot);
  }

  Status Flush() override {
    if (pending_ == 0) return Status::Ok();
    int rc;
    do {
      rc = io_uring_submit(ring_.get());
    } while (rc == -EINTR || rc == -EAGAIN);
    if (rc < 0) return Status::FromErrno(-rc, "io_uring", "submit");
    pending_ = 0;
    return Status::Ok();
  }

  Status Wait(std::vector<IoCompletion>* out) override {
    if (!unqueued_.empty()) {  // requests no submission entry could be had for: their errors first
      out->insert(out->end(), unqueued_.begin(), unqueued_.end());
      unqueued_.clear();
      return Status::Ok();
    }
    size_t before = out->size();
    while (out->size() == before && outstanding() > 0) {
      RS_RETURN_IF_ERROR(Flush());
      io_uring_cqe* cqe = nullptr;
      int rc = io_uring_wait_cqe(ring_.get(), &cqe);
      if (rc == -EINTR || rc == -EAGAIN) continue;
      if (rc < 0) return Status::FromErrno(-rc, "io_uring", "wait");
      unsigned head, seen = 0;
      io_uring_for_each_cqe(ring_.get(), head, cqe) {
        Complete(unsigned(cqe->user_data), cqe->res, out);
        ++seen;
      }
      io_uring_cq_advance(ring_.get(), seen);
    }
    out->insert(out->end(), unqueued_.begin(), unqueued_.end());
    unqueued_.clear();
    return Flush();  // resubmitted remainders go out now
  }

 private:
  struct Slot {
    IoRequest req;
    uint32_t done;  // bytes already transferred (short transfers are resumed)
  };

  void Queue(unsigned slot) {
    Slot& s = slots_[slot];
    io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
    if (sqe == nullptr) {  // the SQ is sized to depth, so this only happens with pending submits
      Status flushed = Flush();
      sqe = io_uring_get_sqe(ring_.get());
      if (sqe == nullptr) {  // the submit failed: the request completes with its error, never a null sqe
        assert(!flushed.ok());
        unqueued_.push_back({s.req.tag, -int64_t(flushed.ok() ? EBUSY : EAGAIN)});
        free_.push_back(slot);
        return;
      }
    }
    uint8_t* buf = s.req.buf + s.done;
    unsigned len = s.req.len - s.done;
    uint64_t off = s.req.offset + s.done;
    int fd = files_registered_ ? s.req.file : fds_[size_t(s.req.file)];
    int buf_index = BufferIndex(buf, len);
    bool write = s.req.op == IoOp::kWrite;
    if (buf_index >= 0) {
      if (write)
        io_uring_prep_write_fixed(sqe, fd, buf, len, off, buf_index);
      else
        io_uring_prep_read_fixed(sqe, fd, buf, len, off, buf_index);
    } else {
      if (write)
        io_uring_prep_write(sqe, fd, buf, len, off);
      else
        io_uring_prep_read(sqe, fd, buf, len, off);
    }
    if (files_registered_) io_uring_sqe_set_flags(sqe, IOSQE_FIXED_FILE);
    sqe->user_data = slot;
    ++pending_;
  }

  int BufferIndex(const uint8_t* buf, size_t len) const {
    if (!buffers_registered_) return -1;
    for (size_t i = 0; i < memory_.size(); ++i) {
      auto* base = static_cast<const uint8_t*>(memory_[i].iov_base);
      if (buf >= base && buf + len <= base + memory_[i].iov_len) return int(i);
    }
    return -1;
  }

  void Complete(unsigned slot, int res, std::vector<IoCompletion>* out) {
    Slot& s = slots_[slot];
    if (res == -EINTR || res == -EAGAIN) return Queue(slot);
    if (res > 0) {
      if (s.req.op == IoOp::kRead)
        activity::DiskRead(uint64_t(res));
      else
        activity::DiskWritten(uint64_t(res));
      s.done += uint32_t(res);
      if (s.done < s.req.len) return Queue(slot);  // short transfer: continue where it stopped
    }
    int64_t result = res < 0 ? int64_t(res) : int64_t(s.done);
    if (res == 0 && s.req.op == IoOp::kWrite) result = -EIO;  // a write that makes no progress
    out->push_back({s.req.tag, result});
    free_.push_back(slot);
  }

  UringRing ring_;
  unsigned depth_;
  std::vector<Slot> slots_;
  std::vector<unsigned> free_;
  std::vector<IoCompletion> unqueued_;  // failed to get a submission entry; reported by Wait
  std::vector<int> fds_;
  std::vector<iovec> memory_;
  bool files_registered_ = false;
  bool buffers_registered_ = false;
  unsigned pending_ = 0;
};

}  // namespace

Result<std::unique_ptr<IoEngine>> MakeUringEngine(unsigned depth, int* init_errno) {
  auto engine = std::make_unique<UringEngine>(depth);
  int rc = engine->Init();
  *init_errno = -rc;
  if (rc < 0) return Status::FromErrno(-rc, "io_uring", "setup");
  return std::unique_ptr<IoEngine>(std::move(engine));
}

std::string UringVersion() {
#ifdef IO_URING_VERSION_MAJOR
  // liburing >= 2.4: <liburing.h> brings io_uring_version.h, and the loaded library says its own.
  return std::to_string(IO_URING_VERSION_MAJOR) + "." + std::to_string(IO_URING_VERSION_MINOR) + " (headers), " +
         std::to_string(io_uring_major_version()) + "." + std::to_string(io_uring_minor_version()) + " (loaded)";
#else
  // Older liburing (Debian 12 ships 2.3) has no version macro: io/CMakeLists.txt passes what
  // pkg-config and dpkg said when CMake configured.
  std::string text = std::string(RS_LIBURING_PKGCONFIG_VERSION) + " (pkg-config at configure";
  if (*RS_LIBURING_DEB_VERSION != '\0') text += std::string("; Debian liburing-dev ") + RS_LIBURING_DEB_VERSION;
  return text + ")";
#endif
}

}  // namespace rs
