// tests/support/faulty_env.cpp
#include "tests/support/faulty_env.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <string_view>
#include <utility>

namespace rs::test {

namespace {
constexpr uint64_t kBlock = 4096;

// Fails the way a system call does.
int Fail(int err) {
  errno = err;
  return -1;
}
}  // namespace

FaultyEnv::FaultyEnv(std::string target, Env* base) : target_(std::move(target)), base_(base) {}

void FaultyEnv::FailOpen(int err) {
  std::lock_guard lock(mu_);
  open_errno_ = err;
}

void FaultyEnv::RefuseDirect() {
  std::lock_guard lock(mu_);
  refuse_direct_ = true;
}

void FaultyEnv::FailWritesAfter(uint64_t bytes, int err) {
  std::lock_guard lock(mu_);
  limit_writes_ = true;
  capacity_ = bytes / kBlock * kBlock;
  write_errno_ = err;
}

void FaultyEnv::FailRead(uint64_t k, int err) {
  std::lock_guard lock(mu_);
  fail_read_ = k;
  read_errno_ = err;
}

void FaultyEnv::FailFsync(int err) {
  std::lock_guard lock(mu_);
  fsync_errno_ = err;
}

void FaultyEnv::ShortTransfers(size_t max_bytes) {
  std::lock_guard lock(mu_);
  max_transfer_ = max_bytes;
}

uint64_t FaultyEnv::bytes_written() const {
  std::lock_guard lock(mu_);
  return written_;
}

uint64_t FaultyEnv::reads() const {
  std::lock_guard lock(mu_);
  return reads_;
}

uint64_t FaultyEnv::short_transfers() const {
  std::lock_guard lock(mu_);
  return shortened_;
}

bool FaultyEnv::Targeted(int fd) const { return targets_.count(fd) != 0; }

int FaultyEnv::Open(const char* path, int flags, mode_t mode) {
  const bool target = std::string_view(path).find(target_) != std::string_view::npos;
  {
    std::lock_guard lock(mu_);
    if (target && open_errno_ != 0) return Fail(open_errno_);
    if (target && refuse_direct_ && (flags & O_DIRECT)) return Fail(EINVAL);
  }
  int fd = base_->Open(path, flags, mode);
  if (fd >= 0 && target) {
    std::lock_guard lock(mu_);
    targets_.insert(fd);
  }
  return fd;
}

int FaultyEnv::Close(int fd) {
  {
    std::lock_guard lock(mu_);
    targets_.erase(fd);  // before the close: the number may be reused at once
  }
  return base_->Close(fd);
}

ssize_t FaultyEnv::Pread(int fd, void* buf, size_t len, off_t offset) {
  {
    std::lock_guard lock(mu_);
    if (Targeted(fd)) {
      ++reads_;
      if (fail_read_ != 0 && reads_ == fail_read_) return Fail(read_errno_);
      if (max_transfer_ != 0 && len > max_transfer_) {
        len = max_transfer_;
        ++shortened_;
      }
    }
  }
  return base_->Pread(fd, buf, len, offset);
}

ssize_t FaultyEnv::Pwrite(int fd, const void* buf, size_t len, off_t offset) {
  bool target;
  {
    std::lock_guard lock(mu_);
    target = Targeted(fd);
    if (target) {
      if (max_transfer_ != 0 && len > max_transfer_) {
        len = max_transfer_;
        ++shortened_;
      }
      if (limit_writes_) {
        // Space is reserved before the write, so concurrent writers never overfill the disk.
        const uint64_t room = capacity_ - std::min(capacity_, written_);
        if (room == 0) return Fail(write_errno_);
        if (len > room) {
          len = room;
          ++shortened_;
        }
      }
      written_ += len;
    }
  }
  ssize_t n = base_->Pwrite(fd, buf, len, offset);
  if (target && n < ssize_t(len)) {  // give back what the real write did not use
    std::lock_guard lock(mu_);
    written_ -= len - size_t(std::max<ssize_t>(n, 0));
  }
  return n;
}

int FaultyEnv::Fsync(int fd) {
  {
    std::lock_guard lock(mu_);
    if (Targeted(fd) && fsync_errno_ != 0) return Fail(fsync_errno_);
  }
  return base_->Fsync(fd);
}

int FaultyEnv::Fallocate(int fd, off_t offset, off_t len) {
  {
    std::lock_guard lock(mu_);
    if (Targeted(fd) && limit_writes_ && uint64_t(offset) + uint64_t(len) > capacity_) return write_errno_;
  }
  return base_->Fallocate(fd, offset, len);
}

}  // namespace rs::test
