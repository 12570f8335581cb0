// core/fault_point.cpp — RS_FAULT, read once.
#include "core/fault_point.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>

namespace rs {
namespace {

struct Fault {
  bool armed = false;
  bool stop = false;  // SIGSTOP instead of SIGKILL
  std::string point;
};

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
  }
  return f;
}

}  // namespace

void FaultPoint(std::string_view point) {
  static const Fault fault = Parse();
  if (!fault.armed || point != fault.point) return;
  std::cerr << "RS_FAULT: " << (fault.stop ? "stopping" : "killing") << " this rank at " << point << std::endl;
  ::kill(::getpid(), fault.stop ? SIGSTOP : SIGKILL);
}

}  // namespace rs
