// io/open_files.cpp — RLIMIT_NOFILE, read and raised.
#include "io/open_files.hpp"

#include <sys/resource.h>

namespace rs {
namespace {

uint64_t AsCount(rlim_t v) { return v == RLIM_INFINITY ? UINT64_MAX : uint64_t(v); }

}  // namespace

uint64_t RaiseOpenFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur != lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    // Refused only where a security module forbids it; the soft limit then stands.
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  return AsCount(lim.rlim_cur);
}

uint64_t OpenFileLimit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  return AsCount(lim.rlim_cur);
}

}  // namespace rs
