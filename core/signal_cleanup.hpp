// core/signal_cleanup.hpp — files to remove when the process is ended by SIGINT, SIGTERM or SIGHUP
// (mpirun forwards these to every rank when the user interrupts the job): temporary outputs not
// yet renamed into place, and a sort's runs and work files. Without it an interrupted sort would
// leave gigabytes of temporaries behind. The handler only unlinks (async-signal-safe), then ends
// the process by the same signal. Register/release from any thread.
#pragma once

#include <cstdint>
#include <string>

namespace rs {

// Installs the handler for SIGINT, SIGTERM and SIGHUP (once, from main).
void InstallSignalCleanup();
// Removes every registered file now: for a rank about to end the job (Comm::Abort, MPI_Abort),
// which runs no destructors. Async-signal-safe.
void RemoveRegisteredFiles();

// Removes `path` if a signal ends the process while this guard lives — only if it is still this
// process's user's file and, once Identify has been called, the very file (device and inode) the
// process made: a path someone else put there is never removed. A directory is removed once
// empty (a job's private temporary directory). Move-only.
class RemoveOnSignal {
 public:
  RemoveOnSignal() = default;
  explicit RemoveOnSignal(const std::string& path);
  // The file now exists and is this one.
  void Identify(uint64_t dev, uint64_t ino);
  ~RemoveOnSignal() { Release(); }
  RemoveOnSignal(RemoveOnSignal&& o) noexcept : slot_(o.slot_) { o.slot_ = -1; }
  RemoveOnSignal& operator=(RemoveOnSignal&& o) noexcept;
  RemoveOnSignal(const RemoveOnSignal&) = delete;
  RemoveOnSignal& operator=(const RemoveOnSignal&) = delete;
  // The file no longer needs removing (it was renamed into place, or removed).
  void Release();

 private:
  int slot_ = -1;  // -1: nothing registered (also when every slot was taken)
};

// Undoes a publication if a signal ends the process while this guard lives: the file a publish
// moved aside goes back under the final name (`aside` empty: the final name is removed). Restores
// run before removals. Move-only.
class RestoreOnSignal {
 public:
  RestoreOnSignal() = default;
  RestoreOnSignal(const std::string& final_path, const std::string& aside);
  ~RestoreOnSignal() { Release(); }
  RestoreOnSignal(RestoreOnSignal&& o) noexcept : slot_(o.slot_) { o.slot_ = -1; }
  RestoreOnSignal& operator=(RestoreOnSignal&& o) noexcept;
  RestoreOnSignal(const RestoreOnSignal&) = delete;
  RestoreOnSignal& operator=(const RestoreOnSignal&) = delete;
  // The publication is settled (or undone by its owner): nothing to do on a signal.
  void Release();

 private:
  int slot_ = -1;
};

}  // namespace rs
