// io/thread_engine.cpp
#include "io/thread_engine.hpp"

#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace rs {

namespace {

class ThreadEngine final : public IoEngine {
 public:
  ThreadEngine(unsigned depth, Env* env) : depth_(depth), env_(env) {
    for (unsigned i = 0; i < depth; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~ThreadEngine() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

  const char* name() const override { return "threads"; }
  unsigned depth() const override { return depth_; }
  unsigned outstanding() const override { return outstanding_; }

  Status Register(std::span<const int> fds, std::span<const iovec>) override {
    fds_.assign(fds.begin(), fds.end());
    return Status::Ok();
  }

  void Submit(const IoRequest& r) override {
    ++outstanding_;
    std::lock_guard lock(mu_);
    work_.push_back(r);
    work_cv_.notify_one();
  }

  Status Flush() override { return Status::Ok(); }

  Status Wait(std::vector<IoCompletion>* out) override {
    if (outstanding_ == 0) return Status::Ok();
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [&] { return !done_.empty(); });
    while (!done_.empty()) {
      out->push_back(done_.front());
      done_.pop_front();
      --outstanding_;
    }
    return Status::Ok();
  }

 private:
  void Work() {
    while (true) {
      IoRequest r;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return stop_ || !work_.empty(); });
        if (stop_ && work_.empty()) return;
        r = work_.front();
        work_.pop_front();
      }
      IoCompletion c{r.tag, Transfer(r)};
      std::lock_guard lock(mu_);
      done_.push_back(c);
      done_cv_.notify_one();
    }
  }

  int64_t Transfer(const IoRequest& r) const {
    int fd = fds_[size_t(r.file)];
    uint32_t done = 0;
    while (done < r.len) {
      ssize_t n = r.op == IoOp::kRead ? env_->Pread(fd, r.buf + done, r.len - done, off_t(r.offset + done))
                                      : env_->Pwrite(fd, r.buf + done, r.len - done, off_t(r.offset + done));
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return -int64_t(errno);
      }
      if (n == 0) {
        if (r.op == IoOp::kWrite) return -EIO;
        break;  // end of file
      }
      done += uint32_t(n);
    }
    return done;
  }

  unsigned depth_;
  Env* env_;
  unsigned outstanding_ = 0;  // touched only by the driving thread
  std::vector<int> fds_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<IoRequest> work_;
  std::deque<IoCompletion> done_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

std::unique_ptr<IoEngine> MakeThreadEngine(unsigned depth, Env* env) {
  return std::make_unique<ThreadEngine>(depth, env != nullptr ? env : Env::Default());
}

}  // namespace rs
