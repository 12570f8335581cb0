// sort/temp_files.cpp — naming and cleanup of a sort's temporary files.
#include "sort/temp_files.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rs::sort {

TempFiles::TempFiles(std::vector<std::string> dirs, int rank) : dirs_(std::move(dirs)), rank_(rank) {}

TempFiles::~TempFiles() {
  for (const auto& l : live_) ::unlink(l.path.c_str());
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
    live_.push_back({path, RemoveOnSignal(path)});
    members.push_back(std::move(path));
  }
  return members;
}

void TempFiles::Remove(const std::vector<std::string>& members) {
  std::lock_guard lock(mu_);
  for (const auto& m : members) {
    ::unlink(m.c_str());
    std::erase_if(live_, [&](const Live& l) { return l.path == m; });
  }
}

}  // namespace rs::sort
