// io/env.hpp — the seam under File, OutputFile and the thread engine (like LevelDB's Env or
// RocksDB's FileSystem): the system calls they make go through an Env, so tests can put a
// FaultyEnv (tests/support/faulty_env.hpp) underneath and provoke a full disk, I/O errors,
// failing fsyncs and short transfers without root or mounts.
//
// Each method behaves exactly as the system call it names (return value and errno), so callers
// keep their EINTR/short-transfer loops. Cost on the hot path: a File or engine takes its Env
// once (at Open or construction) and then makes one virtual call per system call; nothing
// allocates. The io_uring engine hands requests to the kernel and so bypasses the Env: tests
// that inject faults into a DiskSource or DiskSink use EngineKind::kThreads.
// What is outside the seam: the job files and locks, the write guard and signal cleanup, which
// look at directories rather than move data, call the system directly.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace rs {

class Env {
 public:
  virtual ~Env() = default;
  virtual int Open(const char* path, int flags, mode_t mode) = 0;
  virtual int Close(int fd) = 0;
  virtual ssize_t Pread(int fd, void* buf, size_t len, off_t offset) = 0;
  virtual ssize_t Pwrite(int fd, const void* buf, size_t len, off_t offset) = 0;
  virtual int Fsync(int fd) = 0;
  virtual int Ftruncate(int fd, off_t size) = 0;
  // As posix_fallocate: returns 0 or the error number (errno is not used).
  virtual int Fallocate(int fd, off_t offset, off_t len) = 0;
  // As renameat2(AT_FDCWD, from, AT_FDCWD, to, flags).
  virtual int Rename(const char* from, const char* to, unsigned flags) = 0;
  virtual int Link(const char* from, const char* to) = 0;
  virtual int Unlink(const char* path) = 0;

  // The Env new Files and engines use: the POSIX one, unless a ScopedDefaultEnv replaced it.
  static Env* Default();
  // The plain system calls (what Default() returns unless replaced).
  static Env* Posix();
};

// Replaces Env::Default() for its lifetime (tests). Files and engines keep the Env they were
// made with, so the replacement must outlive them. Not for use while other threads open files.
class ScopedDefaultEnv {
 public:
  explicit ScopedDefaultEnv(Env* env);
  ~ScopedDefaultEnv();
  ScopedDefaultEnv(const ScopedDefaultEnv&) = delete;
  ScopedDefaultEnv& operator=(const ScopedDefaultEnv&) = delete;

 private:
  Env* previous_;
};

}  // namespace rs
