// io/job_files.hpp — how riversort names and claims the files it makes, so that a later
// `riversort clean` (or a later sort) can tell a live job's temporaries from the leftovers of a
// job that died (docs/reliability.md, "Leftovers").
//
// Every process draws a random token (16 hex digits) once. Each temporary it creates carries the
// token in its name — `<final>.riversort-<token>-<n>.tmp` (an output not yet published),
// `<final>.riversort-<token>-<n>.old` (a file a publish replaced, kept until every rank has
// published), `riversort-<token>-r<rank>-<tag>-<n>.run` (runs and work files) — and before the
// first of them appears in a directory, the process claims the directory: it creates
// `riversort-<token>.lock` there and holds a lock on it (F_OFD_SETLK) until it exits. A token whose lock file
// is missing or not locked belongs to no live process: its files are leftovers.
// Any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace rs {

// This process's token (random, drawn once).
const std::string& ProcessToken();
// The directory part of a path ("." when none).
std::string DirectoryOf(const std::string& path);
// The last component of a path.
std::string BaseName(const std::string& path);

// This process's claim on a directory while it has temporaries there: the first claim creates
// the lock file already locked (O_TMPFILE + lock + linkat where the filesystem allows), so a
// `clean` never sees it unlocked while the process lives; the last one to go removes it (so does
// the signal handler). Move-only; any thread.
class DirectoryClaim {
 public:
  DirectoryClaim() = default;
  ~DirectoryClaim() { Release(); }
  DirectoryClaim(DirectoryClaim&& o) noexcept : key_(std::move(o.key_)) { o.key_.clear(); }
  DirectoryClaim& operator=(DirectoryClaim&& o) noexcept;
  DirectoryClaim(const DirectoryClaim&) = delete;
  DirectoryClaim& operator=(const DirectoryClaim&) = delete;

  // `token`: whose files the claim covers (this process's by default; a resumable sort's job
  // token, sort/resume/job_identity.hpp, for the work it keeps across runs of the same job).
  static Result<DirectoryClaim> Take(const std::string& dir, const std::string& token = ProcessToken());
  void Release();

 private:
  std::string key_;  // the directory's real path and the token; empty: no claim
};

// What `riversort clean` finds in one directory.
struct Leftovers {
  std::vector<std::string> removable;  // temporaries (.tmp, .run) and lock files of dead jobs
  uint64_t removable_bytes = 0;
  std::vector<std::string> replaced;  // .old files of dead jobs: a user's file a publish moved aside
  uint64_t live_jobs = 0;             // tokens whose lock is held (their files are left alone)
};

// Scans `dir` (not recursively) for riversort's files. Only regular files owned by the caller
// (any owner for root) are listed; links are never followed.
Result<Leftovers> FindLeftovers(const std::string& dir);
// Removes what FindLeftovers listed as removable (each checked again: still a regular file, still
// unlocked; a private subdirectory only once empty); returns the bytes freed.
uint64_t RemoveLeftovers(const Leftovers& found);

// The regular files of one token in `dir` (its temporaries, not its claim), with their bytes:
// what an earlier, ended run of a resumable job left (the caller holds or has checked the lock).
struct TokenFile {
  std::string path;
  uint64_t bytes = 0;
};
Result<std::vector<TokenFile>> FilesOfToken(const std::string& dir, const std::string& token);

// A resumable job's half-written files in `dir` that a dead process of the job left: temporaries
// (`<final>.riversort-<writer>-<n>.tmp`) whose final name starts with `prefix` and whose writer's
// token is not live, and then each such writer's claim once nothing else of it is left. A rank
// killed while a run was being written leaves one (sort/external/run_former.hpp); the kept work
// never names it, so the resumed job removes it rather than leave it for `riversort clean`.
// Returns the bytes freed.
Result<uint64_t> RemoveDeadWrites(const std::string& dir, const std::string& prefix);

}  // namespace rs
