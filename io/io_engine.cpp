// io/io_engine.cpp — engine choice and the io_uring -> threads fallback.
#include "io/io_engine.hpp"

#include <cerrno>
#include <cstring>

#include "io/thread_engine.hpp"
#include "io/uring_engine.hpp"

namespace rs {

const char* EngineName(EngineKind kind) {
  switch (kind) {
    case EngineKind::kAuto:
      return "auto";
    case EngineKind::kUring:
      return "uring";
    case EngineKind::kThreads:
      return "threads";
  }
  return "?";
}

Result<std::unique_ptr<IoEngine>> MakeIoEngine(EngineKind kind, unsigned depth, std::string* notice) {
  if (depth == 0) return Status::Error(StatusCode::kInvalidInput, "queue depth must be at least 1");
  if (kind == EngineKind::kThreads) {
    if (notice) *notice = "I/O engine: threads (" + std::to_string(depth) + " pread/pwrite threads), as asked";
    return MakeThreadEngine(depth);
  }
  int err = 0;
  auto uring = MakeUringEngine(depth, &err);
  if (uring.ok()) return uring;
  // Refusal (seccomp in containers: EPERM; old kernels: ENOSYS) falls back; an explicit
  // --io-engine uring, or any other failure, is an error.
  if (kind == EngineKind::kAuto && (err == EPERM || err == ENOSYS || err == EACCES)) {
    if (notice) {
      *notice = std::string("I/O engine: threads (io_uring refused: ") + std::strerror(err) + ")";
    }
    return MakeThreadEngine(depth);
  }
  return uring.status();
}

}  // namespace rs
