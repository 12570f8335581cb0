// io/uring_engine.hpp — IoEngine on an io_uring ring (RAII: the ring is torn down with the
// engine), with registered files and buffers where the kernel accepts them.
#pragma once

#include "io/io_engine.hpp"

namespace rs {

// Returns the engine, or the Status of io_uring_queue_init (its errno tells EPERM/ENOSYS apart).
Result<std::unique_ptr<IoEngine>> MakeUringEngine(unsigned depth, int* init_errno);

// The liburing this was built with, for `riversort --version` (only this file's .cpp may include
// <liburing.h>).
std::string UringVersion();

}  // namespace rs
