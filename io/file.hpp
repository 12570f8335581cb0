// io/file.hpp — an owned file descriptor with whole-transfer positional I/O.
// Every call retries EINTR and short transfers and returns a Status naming the path (its code
// and errno from the failed system call). The system calls go through an Env (io/env.hpp),
// taken at Open. A File may be used from several threads for pread/pwrite at different offsets.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/signal_cleanup.hpp"
#include "core/status.hpp"
#include "io/env.hpp"
#include "io/job_files.hpp"
#include "io/publishable.hpp"

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
  // filesystem refuses it (tmpfs answers EINVAL), so callers can announce the fallback. A file
  // opened read-only is opened without blocking and must be a regular file or a block device
  // (a FIFO, socket, directory or character device is refused with one line). Every later
  // system call of this File goes through `env` (the process default when null).
  static Result<File> Open(const std::string& path, int flags, mode_t mode = 0644, Env* env = nullptr);

  bool is_open() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  bool direct() const { return direct_; }
  bool direct_refused() const { return direct_refused_; }
  Env* env() const { return env_; }

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
  Env* env_ = Env::Posix();  // never null, so a default-constructed File is safe to destroy
  bool direct_ = false;
  bool direct_refused_ = false;
  std::string path_;
};

// Mode of riversort's own temporaries (runs, work files, journals): nobody else reads them.
// Outputs and manifests are created 0666 and get the user's umask.
inline constexpr mode_t kPrivateFileMode = 0600;

// Output that appears under its final name only when complete, and never destroys what it
// replaces until the replacement is final (docs/reliability.md, "Publishing"). Data goes to
// "<final>.riversort-<token>-<n>.tmp", created with O_EXCL | O_NOFOLLOW in a directory this
// process has claimed (io/job_files.hpp), so no planted file or link is ever written through.
// Publish() moves a file already under the final name aside to "<final>.riversort-<token>-<n>.old"
// and renames the temporary into place without replacing anything (RENAME_NOREPLACE); Settle()
// then removes the file set aside, and Unpublish() puts it back instead. A signal between Publish
// and Settle puts it back too (core/signal_cleanup.hpp), and so does destroying an unsettled
// OutputFile: nothing is lost unless the publication was agreed. Input files are never opened
// this way. Owned by one thread.
class OutputFile : public Publishable {
 public:
  OutputFile() = default;
  ~OutputFile() override;
  OutputFile(OutputFile&&) noexcept;
  OutputFile& operator=(OutputFile&&) noexcept;

  // flags are added to O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW (e.g. O_DIRECT); mode before the umask.
  static Result<OutputFile> Create(const std::string& final_path, int extra_flags = 0, mode_t mode = 0666);
  File& file() { return file_; }
  const File& file() const { return file_; }
  const std::string& final_path() const { return final_path_; }
  // Finish, Publish and Settle: for a file that appears on its own.
  Status Commit(uint64_t size);
  // Truncates to `size` (O_DIRECT writes whole blocks), fsyncs and closes the temporary.
  Status Finish(uint64_t size);
  // Renames the finished temporary into place; what the final name held is kept aside.
  Status Publish() override;
  // The publication is final: the file set aside (if any) is removed.
  void Settle() override;
  // Undoes Publish: what the final name held before is back (or the name is free again).
  void Unpublish() override;
  // Preallocates (fallocate); errors name the final path.
  Status Allocate(uint64_t size);
  // Removes the temporary file (also done by the destructor).
  void Discard();

 private:
  // Errors of the temporary file name the path the user gave.
  Status Named(const Status& st) const;

  File file_;
  std::string final_path_;
  std::string temp_path_;
  std::string aside_path_;     // where Publish moved the file it replaced; empty: nothing replaced
  RemoveOnSignal temp_guard_;  // an interrupted job leaves no temporary behind
  RestoreOnSignal restore_;    // an interrupted publication is undone
  DirectoryClaim claim_;       // while a temporary or a file set aside exists
  uint64_t serial_ = 0;
  bool published_ = false;
};

// Writes a small file atomically (temporary + fsync + rename).
Status WriteFileAtomically(const std::string& path, const std::string& contents);
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace rs
