// io/lock_file.hpp — files held locked (open-file-description locks, F_OFD_SETLK): a process's
// claim on a directory (io/job_files.hpp)
// and a job's lock on each output name (io/write_guard.hpp), so that a second job writing the
// same names is refused with a line naming the first. The kernel drops the lock when its holder
// dies, so a lock file left by a killed job is simply reused (or removed by `riversort clean`).
// Any thread; each object is owned by one.
#pragma once

#include <string>

#include "core/signal_cleanup.hpp"
#include "core/status.hpp"
#include "core/unique_fd.hpp"

namespace rs {

// Who holds a lock, written into the lock file: host, pid, start time and token of this process.
std::string LockIdentity();

// Creates `path` (which must not exist) already locked and holding LockIdentity(): an unnamed
// file is locked first and then linked in (O_TMPFILE), so nobody ever sees it unlocked; where the
// filesystem has no O_TMPFILE, the same under a staging name "<path>.new" that is then linked in.
Result<UniqueFd> CreateLockedFile(const std::string& path, mode_t mode);
// True when some process holds the lock on `path` (false when it does not exist; true when the
// filesystem cannot tell). Asks without taking the lock; never follows a link.
bool IsLockHeld(const std::string& path);

// The lock on one output name: `<final>.riversort.lock` beside it, held for the job's life.
// A lock file that exists is reused only when it is a regular file with one link owned by this
// user (a planted link or hard link is refused, never written through).
class OutputLock {
 public:
  OutputLock() = default;
  ~OutputLock() { Release(); }
  OutputLock(OutputLock&& o) noexcept : fd_(std::move(o.fd_)), path_(std::move(o.path_)), guard_(std::move(o.guard_)) {
    o.path_.clear();
  }
  OutputLock& operator=(OutputLock&& o) noexcept;

  static std::string LockPath(const std::string& final_path);
  // Refused with "FINAL: another riversort job is writing it (pid P on host H since T; ...)".
  static Result<OutputLock> Acquire(const std::string& final_path);
  // Removes the lock file (while still holding it, so no other job holds the name that goes
  // away) and unlocks.
  void Release();

 private:
  void Identify();  // the signal handler removes this very lock file, nothing put in its place
  UniqueFd fd_;
  std::string path_;
  RemoveOnSignal guard_;  // an interrupted job leaves no lock file behind
};

}  // namespace rs
