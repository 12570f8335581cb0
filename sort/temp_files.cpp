// sort/temp_files.cpp — naming and cleanup of a sort's temporary files.
#include "sort/temp_files.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rs::sort {

TempFiles::TempFiles(std::vector<std::string> dirs, int rank) : dirs_(std::move(dirs)), rank_(rank) {}

TempFiles::~TempFiles() {
  for (const auto& p : live_) ::unlink(p.c_str());
}

Status TempFiles::Check() const {
  if (dirs_.empty()) return Status::Error("no temporary directory (give --tmp-dir)");
  for (const auto& d : dirs_) {
    if (::access(d.c_str(), W_OK | X_OK) != 0) {
      return Status::Error(d + ": temporary directory not usable: " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

std::vector<std::string> TempFiles::NewMembers(const std::string& tag) {
  std::lock_guard lock(mu_);
  const std::string name = "riversort-" + std::to_string(::getpid()) + "-r" + std::to_string(rank_) + "-" + tag + "-" +
                           std::to_string(next_++) + ".run";
  std::vector<std::string> members;
  for (const auto& d : dirs_) {
    std::string path = d;
    path += "/";
    path += name;
    members.push_back(path);
    live_.push_back(path);
  }
  return members;
}

void TempFiles::Remove(const std::vector<std::string>& members) {
  std::lock_guard lock(mu_);
  for (const auto& m : members) {
    ::unlink(m.c_str());
    live_.erase(std::remove(live_.begin(), live_.end(), m), live_.end());
  }
}

}  // namespace rs::sort
