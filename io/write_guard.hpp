// io/write_guard.hpp — the one check every command makes before its first byte is read: nothing
// the job writes may be something it reads, or something it writes twice (docs/reliability.md,
// "The write guard").
//
// Each rank lists what it reads (input partitions, manifests, summaries) and the final names it
// creates or replaces (output partitions, manifests, --result, --summary-out). Each rank resolves
// its own paths — the real path (of the directory, for a name that a rename will replace: a link
// there is replaced, not followed) and, where the file exists, its device and inode together with
// the host's boot id — checks that inputs are regular files or block devices and that output
// directories exist and are writable, locks its output names (io/lock_file.hpp), and scans its
// directories for leftovers of dead jobs. One AllGather then gives every rank every rank's facts,
// and every rank reaches the same verdict: the first problem in rank order, one line naming both
// paths of a collision.
//
// The same real path on two hosts counts as the same file (riversort cannot tell a shared
// filesystem from local disks); a device and inode count only on the host (boot id) they come
// from. Cost per rank: a stat or two per path, and one AllGather of every rank's facts, about
// P x (paths per rank) x (path length + 40) bytes (docs/reliability.md has the formula).
// Collective over the Comm; each rank's main thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/comm.hpp"
#include "core/status.hpp"
#include "io/lock_file.hpp"

namespace rs {

struct WritePlan {
  std::vector<std::string> inputs;   // read and never written
  std::vector<std::string> outputs;  // final names this rank creates or replaces
  // Directories this rank creates temporaries in besides its outputs' (runs, work files): scanned
  // for leftovers only (temporaries are created with O_EXCL under fresh names, so they cannot
  // replace anything).
  std::vector<std::string> temp_dirs;
};

class WriteGuard {
 public:
  // Rank 0: one line per finding worth telling the user (stale temporaries of earlier jobs).
  const std::vector<std::string>& notices() const { return notices_; }

 private:
  friend Result<std::unique_ptr<WriteGuard>> GuardWrites(Comm& comm, const WritePlan& plan);
  std::vector<OutputLock> locks_;  // held until the guard is destroyed
  std::vector<std::string> notices_;
};

// Every rank returns the same verdict. On success the output names stay locked until the guard
// is destroyed: keep it for the whole job.
Result<std::unique_ptr<WriteGuard>> GuardWrites(Comm& comm, const WritePlan& plan);

// The input check on its own (also used when a file is opened for reading): `path` is a regular
// file or a block device; directories, FIFOs, sockets and character devices are refused by name.
Status CheckInputType(const std::string& path, unsigned mode);

}  // namespace rs
