// sort/external/temp_files.cpp — naming and cleanup of a sort's temporary files.
#include "sort/external/temp_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/job_files.hpp"

namespace rs::sort {

TempFiles::TempFiles(std::vector<std::string> dirs, int rank) : dirs_(std::move(dirs)), rank_(rank) {}

TempFiles::~TempFiles() {
  for (const auto& l : live_) ::unlink(l.path.c_str());
  claims_.clear();  // after the files: a claim outlives what it covers
  for (const auto& p : private_) ::rmdir(p.path.c_str());
}

Status TempFiles::Check() {
  if (dirs_.empty()) return Status::Error("no temporary directory (give --tmp-dir)");
  for (auto& d : dirs_) {
    if (d.empty()) return Status::Error("--tmp-dir '': an empty directory name (did a variable expand to nothing?)");
    if (::access(d.c_str(), W_OK | X_OK) != 0) {
      return Status::Error(d + ": temporary directory not usable: " + std::strerror(errno));
    }
    struct stat st;
    if (::stat(d.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::Error(d + ": temporary directory not usable: not a directory");
    }
    if (st.st_mode & S_IWOTH) {
      if (!(st.st_mode & S_ISVTX)) {
        return Status::Error(d +
                             ": temporary directory is world-writable without the sticky bit: any user could "
                             "replace riversort's files there (chmod +t it, or give a private --tmp-dir)");
      }
      // A shared scratch directory: work in a private subdirectory nobody else can enter.
      std::string pattern = d + "/riversort-" + ProcessToken() + "-XXXXXX";
      if (::mkdtemp(pattern.data()) == nullptr) {
        return Status::Error(d + ": temporary directory not usable: mkdtemp: " + std::strerror(errno));
      }
      PrivateDir made{pattern, RemoveOnSignal(pattern)};
      if (::stat(pattern.c_str(), &st) == 0) made.guard.Identify(st.st_dev, st.st_ino);
      private_.push_back(std::move(made));
      d = pattern;
    }
    auto claim = DirectoryClaim::Take(d);
    if (!claim.ok()) return claim.status().WithContext(d + ": temporary directory not usable");
    claims_.push_back(std::move(*claim));
  }
  return Status::Ok();
}

std::vector<std::string> TempFiles::NewMembers(const std::string& tag) {
  std::lock_guard lock(mu_);
  // The process token (io/job_files.hpp) tells `riversort clean` whose file this is.
  const std::string name =
      "riversort-" + ProcessToken() + "-r" + std::to_string(rank_) + "-" + tag + "-" + std::to_string(next_++) + ".run";
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
