// core/elapsed.hpp — seconds on the steady clock since a time point, for the timers that reports
// carry (the in-core sort's and run formation's own seconds).
#pragma once

#include <chrono>

namespace rs {

inline double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace rs
