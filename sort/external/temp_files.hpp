// sort/external/temp_files.hpp — the temporary files of one sort on one rank (sorted runs, work files):
// one member per temporary directory (striped like any partition), named
// <dir>/riversort-<token>-r<rank>-<tag>-<n>.run (io/job_files.hpp) so that two jobs never collide
// and `riversort clean` can tell whose it is. Every file still
// listed is removed when the TempFiles is destroyed, also after an error, and by the signal
// handler when the job is interrupted, so a failed sort leaves no temporary space behind. NewMembers and Remove are
// thread-safe (a run former's worker names runs while the main thread runs); construct and destroy on one thread.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "core/signal_cleanup.hpp"
#include "core/status.hpp"
#include "io/job_files.hpp"

namespace rs::sort {

// A sorted run (or work file) on disk: its members and record count.
struct SortedRun {
  std::vector<std::string> members;
  uint64_t records = 0;
  int level = 0;  // merges its records went through (0: a run straight from run formation)
  // A kept run read back by a resumed sort: its bytes are checked against this CRC-32 as merged.
  bool has_crc = false;
  uint32_t crc = 0;
};

class TempFiles {
 public:
  // `token` names the files (this process's by default). A resumable sort passes its job token
  // (sort/resume/job_identity.hpp): a later run of the same job finds what this one kept.
  TempFiles(std::vector<std::string> dirs, int rank, std::string token = ProcessToken());
  ~TempFiles();
  TempFiles(const TempFiles&) = delete;
  TempFiles& operator=(const TempFiles&) = delete;
  // Each directory exists and is writable (one clear line naming the first that is not). A
  // world-writable directory without the sticky bit is refused (anyone could replace the job's
  // files there); in one with it (a shared scratch directory) the job makes a private
  // subdirectory, mode 0700 (mkdtemp), and works in that. Claims each directory for this process
  // (io/job_files.hpp) so `riversort clean` leaves the runs alone.
  Status Check();
  // Member paths for a new file; listed for removal from now on. Thread-safe.
  std::vector<std::string> NewMembers(const std::string& tag);
  // Removes a file's members now (a merged run's space is reused by the next level). Thread-safe.
  void Remove(const std::vector<std::string>& members);
  // The members of a kept file of an earlier run of this job, by name (not listed for removal).
  std::vector<std::string> MembersOf(const std::string& name) const;
  // The file's members are no longer removed at exit (they are journaled work a resumed run
  // reuses: sort/resume/journal.hpp); Remove still removes them. Thread-safe.
  void Keep(const std::vector<std::string>& members);
  // New names start at `n` or later (past the kept files of an earlier run). Thread-safe.
  void ReserveNames(uint64_t n);
  // Removes every file of this token in the directories (what an earlier run of the job left),
  // except the claims this object holds; returns the bytes freed. Call after Check().
  Result<uint64_t> RemoveEarlierRuns();
  // Removes the half-written files a dead process of this token's job left (io/job_files.hpp
  // RemoveDeadWrites); returns the bytes freed. Call after Check().
  Result<uint64_t> RemoveDeadWrites();
  const std::string& token() const { return token_; }
  const std::vector<std::string>& dirs() const { return dirs_; }

 private:
  std::vector<std::string> dirs_;
  std::vector<DirectoryClaim> claims_;
  struct PrivateDir {
    std::string path;
    RemoveOnSignal guard;  // removed (once empty) also when a signal ends the job
  };
  std::vector<PrivateDir> private_;
  int rank_;
  std::string token_;
  mutable std::mutex mu_;
  uint64_t next_ = 0;
  struct Live {
    std::string path;
    RemoveOnSignal guard;  // removed also when SIGINT/SIGTERM ends the job
  };
  std::vector<Live> live_;
};

}  // namespace rs::sort
