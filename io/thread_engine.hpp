// io/thread_engine.hpp — IoEngine on a pool of threads doing pread/pwrite: the fallback where
// io_uring is refused, and `--io-engine threads`. depth() threads, one request each.
#pragma once

#include "io/env.hpp"
#include "io/io_engine.hpp"

namespace rs {
// Transfers go through `env` (io/env.hpp; the process default when null), which must outlive the engine.
std::unique_ptr<IoEngine> MakeThreadEngine(unsigned depth, Env* env = nullptr);
}  // namespace rs
