// core/fault_point.cpp — RS_FAULT, read once.
#include "core/fault_point.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <string>

namespace rs {
namespace {

struct Fault {
  bool armed = false;
  bool stop = false;   // SIGSTOP instead of SIGKILL
  bool stray = false;  // a collective of its own instead
  std::string point;
};

std::atomic<void (*)()> g_stray{nullptr};

Fault Parse() {
  Fault f;
  const char* spec = std::getenv("RS_FAULT");
  if (spec == nullptr) return f;
  const std::string s(spec);
  const auto colon = s.find(':');
  const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
  if (colon == std::string::npos || s.substr(0, colon) != (rank ? rank : "0")) return f;
  f.armed = true;
  f.point = s.substr(colon + 1);
  if (f.point.size() > 5 && f.point.compare(f.point.size() - 5, 5, ":stop") == 0) {
    f.stop = true;
    f.point.resize(f.point.size() - 5);
  } else if (f.point.size() > 6 && f.point.compare(f.point.size() - 6, 6, ":stray") == 0) {
    f.stray = true;
    f.point.resize(f.point.size() - 6);
  }
  return f;
}

}  // namespace

void FaultPoint(std::string_view point) {
  static const Fault fault = Parse();
  if (!fault.armed || point != fault.point) return;
  if (fault.stray) {
    if (auto* stray = g_stray.load()) {
      std::cerr << "RS_FAULT: this rank enters a collective of its own at " << point << std::endl;
      stray();
    }
    std::cerr << "RS_FAULT: :stray needs MPI; killing this rank at " << point << std::endl;
  }
  if (!fault.stray)
    std::cerr << "RS_FAULT: " << (fault.stop ? "stopping" : "killing") << " this rank at " << point << std::endl;
  ::kill(::getpid(), fault.stop ? SIGSTOP : SIGKILL);
}

void SetStrayCollective(void (*stray)()) { g_stray.store(stray); }

}  // namespace rs
