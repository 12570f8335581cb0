// sort/report/phase_clock.cpp
#include "sort/report/phase_clock.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "io/huge_tlb.hpp"

namespace rs::sort {

double PhaseClock::SinceProcessStart() {
  std::ifstream stat("/proc/self/stat"), up("/proc/uptime");
  std::string line;
  if (!std::getline(stat, line)) return -1;
  // Field 22 (starttime, clock ticks since boot) comes after the ")" that ends the command name.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  for (int i = 3; i <= 22 && rest >> field; ++i) {
  }
  double uptime = 0;
  if (!(up >> uptime)) return -1;
  return uptime - double(std::stoull(field)) / double(sysconf(_SC_CLK_TCK));
}

uint64_t PhaseClock::PeakRss() {
  // Pages of the reserved huge page pool are not in the RSS: their peak is added (each peak may
  // fall at another moment, so the sum is an upper bound, never below the true peak).
  const uint64_t pool = huge_tlb::PeakBytes();
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024 + pool;  // "VmHWM:   1234 kB"
  }
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return uint64_t(u.ru_maxrss) * 1024 + pool;
}

void PhaseClock::ResetPeakRss() {
  // "5" resets the peak RSS (VmHWM) to the current RSS (proc(5), Linux 4.0+). Where it is refused
  // the peak stays the process's: larger, never smaller, than the sort's.
  std::ofstream("/proc/self/clear_refs") << "5";
  huge_tlb::ResetPeak();
}

}  // namespace rs::sort
