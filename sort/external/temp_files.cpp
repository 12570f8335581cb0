// sort/external/temp_files.cpp — naming and cleanup of a sort's temporary files.
#include "sort/external/temp_files.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "io/job_files.hpp"
#include "io/lock_file.hpp"

namespace rs::sort {

TempFiles::TempFiles(std::vector<std::string> dirs, int rank, std::string token)
    : dirs_(std::move(dirs)), rank_(rank), token_(std::move(token)) {}

TempFiles::~TempFiles() {
  for (const auto& l : live_) ::unlink(l.path.c_str());
  claims_.clear();  // after the files: a claim outlives what it covers
  for (const auto& p : private_) ::rmdir(p.path.c_str());
}

Status TempFiles::Check() {
  if (dirs_.empty()) return Status::Error("no temporary directory (give --tmp-dir)");
  for (auto& d : dirs_) {
    if (d.empty()) return Status::Error("--tmp-dir '': an empty directory name (did a variable expand to nothing?)");
    // Read too: a start lists the directory for an earlier run's leftovers of the same job.
    if (::access(d.c_str(), R_OK | W_OK | X_OK) != 0) {
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
      // A shared scratch directory: work in a private subdirectory nobody else can enter. A job
      // token's is named for the job (a later run of it must find it) and may exist already:
      // then it must be a real directory of ours that nobody else can enter.
      std::string pattern = d + "/riversort-" + token_ + "-XXXXXX";
      if (token_ != ProcessToken()) {
        pattern = d + "/riversort-" + token_ + "-resume";
        if (::mkdir(pattern.c_str(), 0700) != 0 && errno != EEXIST) {
          return Status::FromErrno(errno, pattern, "temporary directory not usable: mkdir");
        }
        struct stat own;
        if (::lstat(pattern.c_str(), &own) != 0 || !S_ISDIR(own.st_mode) || own.st_uid != ::geteuid() ||
            (own.st_mode & 077) != 0) {
          return Status::Error(pattern +
                               ": temporary directory not usable: not a private directory of this user "
                               "(a link, another owner, or open to others); remove it");
        }
      } else if (::mkdtemp(pattern.data()) == nullptr) {
        return Status::Error(d + ": temporary directory not usable: mkdtemp: " + std::strerror(errno));
      }
      PrivateDir made{pattern, RemoveOnSignal(pattern)};
      if (::stat(pattern.c_str(), &st) == 0) made.guard.Identify(st.st_dev, st.st_ino);
      private_.push_back(std::move(made));
      d = pattern;
    }
    if (token_ != ProcessToken()) {
      // The claim of an earlier run of this job: live (refused) or left by a run that ended.
      const std::string lock = d + "/riversort-" + token_ + ".lock";
      if (IsLockHeld(lock)) {
        return Status::Error(lock + ": another run of this job is live (it holds this lock); wait for it or end it");
      }
      ::unlink(lock.c_str());
    }
    auto claim = DirectoryClaim::Take(d, token_);
    if (!claim.ok()) return claim.status().WithContext(d + ": temporary directory not usable");
    claims_.push_back(std::move(*claim));
  }
  return Status::Ok();
}

std::vector<std::string> TempFiles::NewMembers(const std::string& tag) {
  std::lock_guard lock(mu_);
  // The process token (io/job_files.hpp) tells `riversort clean` whose file this is.
  const std::string name =
      "riversort-" + token_ + "-r" + std::to_string(rank_) + "-" + tag + "-" + std::to_string(next_++) + ".run";
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

std::vector<std::string> TempFiles::MembersOf(const std::string& name) const {
  std::vector<std::string> members;
  for (const auto& d : dirs_) members.push_back(d + "/" + name);
  return members;
}

void TempFiles::Keep(const std::vector<std::string>& members) {
  std::lock_guard lock(mu_);
  for (const auto& m : members) std::erase_if(live_, [&](const Live& l) { return l.path == m; });
}

void TempFiles::ReserveNames(uint64_t n) {
  std::lock_guard lock(mu_);
  next_ = std::max(next_, n);
}

Result<uint64_t> TempFiles::RemoveEarlierRuns() {
  uint64_t freed = 0;
  for (const auto& d : dirs_) {
    auto files = FilesOfToken(d, token_);
    if (!files.ok()) return files.status();
    for (const auto& f : *files) {
      if (::unlink(f.path.c_str()) == 0) freed += f.bytes;
    }
  }
  return freed;
}

Result<uint64_t> TempFiles::RemoveDeadWrites() {
  uint64_t freed = 0;
  for (const auto& d : dirs_) {
    auto f = rs::RemoveDeadWrites(d, "riversort-" + token_ + "-");
    if (!f.ok()) return f.status();
    freed += *f;
  }
  return freed;
}

}  // namespace rs::sort
