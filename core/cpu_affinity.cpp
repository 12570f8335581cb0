// core/cpu_affinity.cpp
#include "core/cpu_affinity.hpp"

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace rs {

int NodeCores() {
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? int(n) : 1;
}

int AllowedCores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return NodeCores();
  return std::max(1, CPU_COUNT(&set));
}

int RanksOnNode() {
  const char* n = std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
  return n != nullptr ? std::max(1, std::atoi(n)) : 1;
}

bool UnderBound() { return AllowedCores() * RanksOnNode() < NodeCores(); }

}  // namespace rs
