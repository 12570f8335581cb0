// io/open_files.hpp — the process's limit on open files (RLIMIT_NOFILE). It bounds how many runs a
// merge reads at once: each merged run holds one file per stripe member and, with io_uring, a ring
// (one more descriptor). Many distributions start processes with a soft limit of 1,024 under a hard
// one of 4,096 to a million, so a sort raises its soft limit to the hard one at start.
#pragma once

#include <cstdint>

namespace rs {

// Raises the soft limit to the hard one (a process may always do that) and returns the soft limit
// afterwards: unchanged where the kernel refuses. Call once, early, before other threads open files.
uint64_t RaiseOpenFileLimit();
// The soft limit now (RLIM_INFINITY as UINT64_MAX).
uint64_t OpenFileLimit();

}  // namespace rs
