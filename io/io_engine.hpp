// io/io_engine.hpp — asynchronous positional reads and writes with up to depth() in flight.
// Two engines: io_uring (io/uring_engine.*) and a pread/pwrite thread pool (io/thread_engine.*),
// used where io_uring is refused (EPERM/ENOSYS: containers, old kernels) or when asked.
// Engines retry EINTR/EAGAIN and short transfers themselves: a completion is final.
// The thread engine's pread/pwrite go through the Env (io/env.hpp), so tests can inject faults;
// io_uring's requests go to the kernel directly.
// One thread drives an engine (its I/O thread); engines are not shared between threads.
#pragma once

#include <sys/uio.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace rs {

enum class IoOp : uint8_t { kRead, kWrite };

struct IoRequest {
  IoOp op = IoOp::kRead;
  int file = 0;  // index into the files given to Register
  uint8_t* buf = nullptr;
  uint32_t len = 0;
  uint64_t offset = 0;
  uint64_t tag = 0;  // returned in the completion
};

struct IoCompletion {
  uint64_t tag = 0;
  int64_t result = 0;  // bytes transferred (reads: fewer only at end of file), or -errno
};

enum class EngineKind { kAuto, kUring, kThreads };
const char* EngineName(EngineKind kind);

class IoEngine {
 public:
  virtual ~IoEngine() = default;
  virtual const char* name() const = 0;
  virtual unsigned depth() const = 0;
  // The files (fds, by index) and the memory that requests will use. Registration with the
  // kernel is an optimisation: where it is refused the engine works unregistered.
  virtual Status Register(std::span<const int> fds, std::span<const iovec> memory) = 0;
  // Queues a request; the caller keeps at most depth() outstanding.
  virtual void Submit(const IoRequest& request) = 0;
  // Hands queued requests to the kernel (or the threads).
  virtual Status Flush() = 0;
  // Blocks until at least one outstanding request completes; appends every completion ready.
  virtual Status Wait(std::vector<IoCompletion>* out) = 0;
  virtual unsigned outstanding() const = 0;
};

// kAuto: io_uring when the kernel allows it, else threads. When io_uring is refused, or when the
// thread engine is asked for, `notice` receives one line saying which engine runs and why.
Result<std::unique_ptr<IoEngine>> MakeIoEngine(EngineKind kind, unsigned depth, std::string* notice);

}  // namespace rs
