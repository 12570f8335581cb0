// io/thread_engine.hpp — IoEngine on a pool of threads doing pread/pwrite: the fallback where
// io_uring is refused, and `--io-engine threads`. depth() threads, one request each.
#pragma once

#include "io/io_engine.hpp"

namespace rs {
std::unique_ptr<IoEngine> MakeThreadEngine(unsigned depth);
}  // namespace rs
