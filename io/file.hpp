// io/file.hpp — an owned file descriptor with whole-transfer positional I/O.
// Every call retries EINTR and short transfers and returns a Status naming the path.
// A File may be used from several threads for pread/pwrite at different offsets.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/signal_cleanup.hpp"
#include "core/status.hpp"

namespace rs {

class File {
 public:
  File() = default;
  ~File();
  File(File&& o) noexcept;
  File& operator=(File&& o) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  // open(2) with the given flags; O_DIRECT is dropped with direct_refused() set when the
  // filesystem refuses it (tmpfs answers EINVAL), so callers can announce the fallback.
  static Result<File> Open(const std::string& path, int flags, mode_t mode = 0644);

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  bool direct() const { return direct_; }
  bool direct_refused() const { return direct_refused_; }

  Result<uint64_t> Size() const;
  // Reads exactly len bytes unless end of file comes first; returns the bytes read.
  Result<size_t> ReadAt(void* buf, size_t len, uint64_t offset) const;
  Status WriteAt(const void* buf, size_t len, uint64_t offset) const;
  Status Truncate(uint64_t size) const;
  Status Allocate(uint64_t size) const;  // fallocate; silently skipped where unsupported
  Status Sync() const;
  Status Close();

 private:
  int fd_ = -1;
  bool direct_ = false;
  bool direct_refused_ = false;
  std::string path_;
};

// Output that appears under its final name only when complete: data goes to "<path>.tmp.<pid>",
// and Commit() syncs it and renames it into place (then syncs the directory). Destroying an
// uncommitted OutputFile removes the temporary file. Input files are never opened this way.
class OutputFile {
 public:
  OutputFile() = default;
  ~OutputFile();
  OutputFile(OutputFile&&) noexcept;
  OutputFile& operator=(OutputFile&&) noexcept;

  // flags are added to O_WRONLY|O_CREAT|O_TRUNC (e.g. O_DIRECT).
  static Result<OutputFile> Create(const std::string& final_path, int extra_flags = 0);
  File& file() { return file_; }
  const File& file() const { return file_; }
  const std::string& final_path() const { return final_path_; }
  // Truncates to `size` (O_DIRECT writes whole blocks), fsyncs, closes and renames.
  Status Commit(uint64_t size);
  // Commit in two steps, for outputs made of several files that must appear together:
  // Finish every file first (truncate, fsync, close), then Publish them (rename, sync dir).
  Status Finish(uint64_t size);
  Status Publish();
  // Preallocates (fallocate); errors name the final path.
  Status Allocate(uint64_t size);
  // Removes the temporary file (also done by the destructor).
  void Discard();
  // Removes the published file (for outputs of several files, one of which failed to publish).
  void Unpublish();

 private:
  // Errors of the temporary file name the path the user gave.
  Status Named(Status st) const;

  File file_;
  std::string final_path_;
  std::string temp_path_;
  RemoveOnSignal temp_guard_;  // an interrupted job leaves no temporary behind
  bool published_ = false;
};

// Writes a small file atomically (temporary + fsync + rename).
Status WriteFileAtomically(const std::string& path, const std::string& contents);
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace rs
