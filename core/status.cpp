// core/status.cpp
#include "core/status.hpp"

#include <cstring>

namespace rs {

Status Status::FromErrno(int err, std::string_view path, std::string_view what) {
  std::string msg(path);
  msg += ": ";
  if (!what.empty()) {
    msg += what;
    msg += ": ";
  }
  msg += std::strerror(err);
  return Status(std::move(msg));
}

}  // namespace rs
