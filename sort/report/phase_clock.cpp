// sort/report/phase_clock.cpp
#include "sort/report/phase_clock.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "io/memory_peak.hpp"

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

uint64_t PhaseClock::PeakRss() { return memory_peak::Peak(); }

void PhaseClock::ResetPeakRss() { memory_peak::Reset(); }

}  // namespace rs::sort
