// io/memory_peak.cpp
#include "io/memory_peak.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <string>

namespace rs::memory_peak {
namespace {

std::mutex mu;
uint64_t peak = 0, pool_peak = 0;  // of the samples since Reset

struct Now {
  uint64_t rss = 0, hwm = 0, pool = 0;
  bool read = false;
};

// One read of /proc/self/status: "VmHWM:  1234 kB", "VmRSS: ...", "HugetlbPages: ...".
Now Read() {
  Now n;
  std::ifstream status("/proc/self/status");
  auto field = [](const std::string& line, const char* name) {
    return std::stoull(line.substr(std::char_traits<char>::length(name))) * 1024;
  };
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) n.hwm = field(line, "VmHWM:"), n.read = true;
    if (line.rfind("VmRSS:", 0) == 0) n.rss = field(line, "VmRSS:");
    if (line.rfind("HugetlbPages:", 0) == 0) n.pool = field(line, "HugetlbPages:");
  }
  return n;
}

void Note(const Now& n) {  // mu held
  peak = std::max(peak, n.rss + n.pool);
  pool_peak = std::max(pool_peak, n.pool);
}

}  // namespace

void Sample() {
  const Now n = Read();
  std::lock_guard lock(mu);
  Note(n);
}

uint64_t Peak() {
  const Now n = Read();
  std::lock_guard lock(mu);
  Note(n);
  if (!n.read) {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return std::max(peak, uint64_t(u.ru_maxrss) * 1024);
  }
  return std::max(peak, n.hwm);
}

uint64_t PoolPeak() {
  const Now n = Read();
  std::lock_guard lock(mu);
  Note(n);
  return pool_peak;
}

void Reset() {
  // Where clear_refs is refused the peak stays the process's: larger, never smaller, than the sort's.
  std::ofstream("/proc/self/clear_refs") << "5";
  const Now n = Read();
  std::lock_guard lock(mu);
  peak = n.rss + n.pool;
  pool_peak = n.pool;
}

}  // namespace rs::memory_peak
