// io/env.cpp — the POSIX Env and the process default.
#include "io/env.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "core/activity.hpp"

namespace rs {

namespace {

class PosixEnv final : public Env {
 public:
  int Open(const char* path, int flags, mode_t mode) override { return ::open(path, flags, mode); }
  int Close(int fd) override { return ::close(fd); }
  // Counted for the timeline and the per-phase bytes (core/activity.hpp).
  ssize_t Pread(int fd, void* buf, size_t len, off_t offset) override {
    const ssize_t n = ::pread(fd, buf, len, offset);
    if (n > 0) activity::DiskRead(uint64_t(n));
    return n;
  }
  ssize_t Pwrite(int fd, const void* buf, size_t len, off_t offset) override {
    const ssize_t n = ::pwrite(fd, buf, len, offset);
    if (n > 0) activity::DiskWritten(uint64_t(n));
    return n;
  }
  int Fsync(int fd) override { return ::fsync(fd); }
  int Ftruncate(int fd, off_t size) override { return ::ftruncate(fd, size); }
  int Fallocate(int fd, off_t offset, off_t len) override { return ::posix_fallocate(fd, offset, len); }
  int Rename(const char* from, const char* to, unsigned flags) override {
    return ::renameat2(AT_FDCWD, from, AT_FDCWD, to, flags);
  }
  int Link(const char* from, const char* to) override { return ::link(from, to); }
  int Unlink(const char* path) override { return ::unlink(path); }
};

PosixEnv g_posix;
// Atomic because I/O threads read it while a test's main thread may replace it (files already
// open keep theirs, so only the moment of opening reads this).
std::atomic<Env*> g_default{&g_posix};

}  // namespace

Env* Env::Posix() { return &g_posix; }
Env* Env::Default() { return g_default.load(std::memory_order_acquire); }

ScopedDefaultEnv::ScopedDefaultEnv(Env* env) : previous_(g_default.exchange(env, std::memory_order_acq_rel)) {}
ScopedDefaultEnv::~ScopedDefaultEnv() { g_default.store(previous_, std::memory_order_release); }

}  // namespace rs
