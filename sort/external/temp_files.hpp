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
};

class TempFiles {
 public:
  TempFiles(std::vector<std::string> dirs, int rank);
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
  std::mutex mu_;
  uint64_t next_ = 0;
  struct Live {
    std::string path;
    RemoveOnSignal guard;  // removed also when SIGINT/SIGTERM ends the job
  };
  std::vector<Live> live_;
};

}  // namespace rs::sort
