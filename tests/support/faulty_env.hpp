// tests/support/faulty_env.hpp — an Env (io/env.hpp) that injects the failures a real disk has
// — a full disk, I/O errors on a read or an fsync, short transfers, refused opens, O_DIRECT
// refused — into the files whose path contains a given part, and passes everything else to the
// real system calls. Lets tests provoke each failure without root or mounts. Thread-safe: the
// thread engine calls it from its workers.
#pragma once

#include <cerrno>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_set>

#include "io/env.hpp"

namespace rs::test {

class FaultyEnv final : public Env {
 public:
  // Faults apply to files whose path contains `target` (every file when empty), opened through
  // this env after the fault is armed or before.
  explicit FaultyEnv(std::string target = {}, Env* base = Env::Posix());

  // Opening a target fails with `err`.
  void FailOpen(int err);
  // Opening a target with O_DIRECT fails with EINVAL, as tmpfs answered before Linux 6.6.
  void RefuseDirect();
  // The disk holds `bytes` bytes of the targets' writes, in whole 4 KiB blocks (so O_DIRECT
  // writes stay aligned): the write that crosses the limit is short, later ones fail with `err`,
  // and preallocating past the limit fails with `err` too.
  void FailWritesAfter(uint64_t bytes, int err = ENOSPC);
  // The k-th read of a target (counting from 1) fails with `err`.
  void FailRead(uint64_t k, int err = EIO);
  // Every fsync of a target fails with `err`.
  void FailFsync(int err = EIO);
  // Every read and write of a target moves at most `max_bytes` (a multiple of 4096 for O_DIRECT).
  void ShortTransfers(size_t max_bytes);

  uint64_t bytes_written() const;
  uint64_t reads() const;
  uint64_t short_transfers() const;  // transfers cut by ShortTransfers or the write limit

  int Open(const char* path, int flags, mode_t mode) override;
  int Close(int fd) override;
  ssize_t Pread(int fd, void* buf, size_t len, off_t offset) override;
  ssize_t Pwrite(int fd, const void* buf, size_t len, off_t offset) override;
  int Fsync(int fd) override;
  int Ftruncate(int fd, off_t size) override { return base_->Ftruncate(fd, size); }
  int Fallocate(int fd, off_t offset, off_t len) override;
  int Rename(const char* from, const char* to, unsigned flags) override { return base_->Rename(from, to, flags); }
  int Link(const char* from, const char* to) override { return base_->Link(from, to); }
  int Unlink(const char* path) override { return base_->Unlink(path); }

 private:
  bool Targeted(int fd) const;  // caller holds mu_

  const std::string target_;
  Env* const base_;
  mutable std::mutex mu_;
  std::unordered_set<int> targets_;  // open fds of target files
  int open_errno_ = 0;
  bool refuse_direct_ = false;
  bool limit_writes_ = false;
  uint64_t capacity_ = 0;
  int write_errno_ = 0;
  uint64_t fail_read_ = 0;
  int read_errno_ = 0;
  int fsync_errno_ = 0;
  size_t max_transfer_ = 0;  // 0: whole transfers
  uint64_t written_ = 0, reads_ = 0, shortened_ = 0;
};

}  // namespace rs::test
