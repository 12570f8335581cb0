// io/file.cpp
#include "io/file.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <utility>

#include "io/job_files.hpp"
#include "io/write_guard.hpp"

namespace rs {

File::~File() {
  if (fd_ >= 0) env_->Close(fd_);
}

File::File(File&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      env_(o.env_),
      direct_(o.direct_),
      direct_refused_(o.direct_refused_),
      path_(std::move(o.path_)) {}

File& File::operator=(File&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) env_->Close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    env_ = o.env_;
    direct_ = o.direct_;
    direct_refused_ = o.direct_refused_;
    path_ = std::move(o.path_);
  }
  return *this;
}

Result<File> File::Open(const std::string& path, int flags, mode_t mode, Env* env) {
  File f;
  f.path_ = path;
  f.env_ = env != nullptr ? env : Env::Default();
  // Reads never block in open (a FIFO would wait for a writer forever) and read only what an
  // input may be; O_NONBLOCK comes off again at once, since io_uring answers EAGAIN on such files.
  const bool read_only = (flags & O_ACCMODE) == O_RDONLY;
  if (read_only) flags |= O_NONBLOCK;
  int fd = f.env_->Open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0 && errno == EINVAL && (flags & O_DIRECT)) {
    f.direct_refused_ = true;
    flags &= ~O_DIRECT;
    fd = f.env_->Open(path.c_str(), flags | O_CLOEXEC, mode);
  }
  if (fd < 0) return Status::FromErrno(errno, path);
  f.fd_ = fd;
  f.direct_ = (flags & O_DIRECT) != 0;
  if (read_only) {
    struct stat st;
    if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, path, "stat");
    RS_RETURN_IF_ERROR(CheckInputType(path, st.st_mode));
    if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
      return Status::FromErrno(errno, path, "fcntl");
    }
  }
  return f;
}

Result<uint64_t> File::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Status::FromErrno(errno, path_, "stat");
  if (S_ISBLK(st.st_mode)) {  // a raw disk as input: st_size is 0, the device knows its size
    uint64_t bytes = 0;
    if (::ioctl(fd_, BLKGETSIZE64, &bytes) != 0) return Status::FromErrno(errno, path_, "BLKGETSIZE64");
    return bytes;
  }
  return uint64_t(st.st_size);
}

Result<size_t> File::ReadAt(void* buf, size_t len, uint64_t offset) const {
  size_t done = 0;
  while (done < len) {
    ssize_t n = env_->Pread(fd_, static_cast<char*>(buf) + done, len - done, off_t(offset + done));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::FromErrno(errno, path_, "read");
    }
    if (n == 0) break;  // end of file
    done += size_t(n);
  }
  return done;
}

Status File::WriteAt(const void* buf, size_t len, uint64_t offset) const {
  size_t done = 0;
  while (done < len) {
    ssize_t n = env_->Pwrite(fd_, static_cast<const char*>(buf) + done, len - done, off_t(offset + done));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::FromErrno(errno, path_, "write");
    }
    if (n == 0) return Status::FromErrno(EIO, path_, "write returned 0");  // no progress: never loop forever
    done += size_t(n);
  }
  return Status::Ok();
}

Status File::Truncate(uint64_t size) const {
  if (env_->Ftruncate(fd_, off_t(size)) != 0) return Status::FromErrno(errno, path_, "truncate");
  return Status::Ok();
}

Status File::Allocate(uint64_t size) const {
  if (size == 0) return Status::Ok();
  int rc = env_->Fallocate(fd_, 0, off_t(size));
  // Filesystems without fallocate (EOPNOTSUPP, EINVAL) just lose the preallocation hint;
  // ENOSPC is real and reported now rather than half-way through the write.
  if (rc == 0 || rc == EOPNOTSUPP || rc == EINVAL) return Status::Ok();
  return Status::FromErrno(rc, path_, "allocate");
}

Status File::Sync() const {
  if (env_->Fsync(fd_) != 0) return Status::FromErrno(errno, path_, "fsync");
  return Status::Ok();
}

Status File::Close() {
  if (fd_ < 0) return Status::Ok();
  int rc = env_->Close(std::exchange(fd_, -1));
  if (rc != 0 && errno != EINTR) return Status::FromErrno(errno, path_, "close");
  return Status::Ok();
}

namespace {

Status SyncDirectory(Env* env, const std::string& path) {
  std::string dir = DirectoryOf(path);
  int fd = env->Open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0) return Status::FromErrno(errno, dir, "open directory");
  int rc = env->Fsync(fd);
  int err = errno;
  env->Close(fd);
  // Some filesystems cannot fsync a directory (EINVAL); the rename is still done.
  if (rc != 0 && err != EINVAL) return Status::FromErrno(err, dir, "fsync directory");
  return Status::Ok();
}

// rename(2) that never replaces: RENAME_NOREPLACE, or where the filesystem lacks it (EINVAL),
// link + unlink (link fails on an existing name too).
int RenameNoReplace(Env* env, const std::string& from, const std::string& to) {
  if (env->Rename(from.c_str(), to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (env->Link(from.c_str(), to.c_str()) != 0) return -1;
  env->Unlink(from.c_str());
  return 0;
}

std::atomic<uint64_t> g_serial{0};

}  // namespace

OutputFile::~OutputFile() {
  Discard();
  Unpublish();  // never settled: the publication was not agreed, so what it replaced comes back
}

OutputFile::OutputFile(OutputFile&& o) noexcept
    : file_(std::move(o.file_)),
      final_path_(std::move(o.final_path_)),
      temp_path_(std::exchange(o.temp_path_, std::string())),
      aside_path_(std::exchange(o.aside_path_, std::string())),
      temp_guard_(std::move(o.temp_guard_)),
      restore_(std::move(o.restore_)),
      claim_(std::move(o.claim_)),
      serial_(o.serial_),
      published_(std::exchange(o.published_, false)) {}

OutputFile& OutputFile::operator=(OutputFile&& o) noexcept {
  if (this != &o) {
    Discard();
    Unpublish();
    file_ = std::move(o.file_);
    final_path_ = std::move(o.final_path_);
    temp_path_ = std::exchange(o.temp_path_, std::string());
    aside_path_ = std::exchange(o.aside_path_, std::string());
    temp_guard_ = std::move(o.temp_guard_);
    restore_ = std::move(o.restore_);
    claim_ = std::move(o.claim_);
    serial_ = o.serial_;
    published_ = std::exchange(o.published_, false);
  }
  return *this;
}

Result<OutputFile> OutputFile::Create(const std::string& final_path, int extra_flags, mode_t mode) {
  OutputFile out;
  out.final_path_ = final_path;
  out.serial_ = g_serial.fetch_add(1);
  // A missing or unwritable directory is named by the path the user gave.
  if (::access(DirectoryOf(final_path).c_str(), W_OK | X_OK) != 0) return Status::FromErrno(errno, final_path);
  auto claim = DirectoryClaim::Take(DirectoryOf(final_path));
  if (!claim.ok()) return claim.status();
  out.claim_ = std::move(*claim);
  std::string temp = final_path + ".riversort-" + ProcessToken() + "-" + std::to_string(out.serial_) + ".tmp";
  // Registered before it exists, so a signal at any moment after the open removes it.
  out.temp_guard_ = RemoveOnSignal(temp);
  auto f = File::Open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | extra_flags, mode);
  if (!f.ok()) {
    out.temp_guard_.Release();
    return f.status().WithPath(final_path);  // the path the user gave, not our temporary name
  }
  struct stat st;
  if (::fstat(f->fd(), &st) == 0) out.temp_guard_.Identify(st.st_dev, st.st_ino);
  out.file_ = std::move(*f);
  out.temp_path_ = std::move(temp);
  return out;
}

Status OutputFile::Commit(uint64_t size) {
  RS_RETURN_IF_ERROR(Finish(size));
  RS_RETURN_IF_ERROR(Publish());
  Settle();
  return Status::Ok();
}

Status OutputFile::Named(const Status& st) const {
  if (st.ok() || temp_path_.empty() || st.path() != temp_path_) return st;
  return st.WithPath(final_path_);
}

Status OutputFile::Allocate(uint64_t size) { return Named(file_.Allocate(size)); }

Status OutputFile::Finish(uint64_t size) {
  RS_RETURN_IF_ERROR(Named(file_.Truncate(size)));
  RS_RETURN_IF_ERROR(Named(file_.Sync()));
  return Named(file_.Close());
}

Status OutputFile::Publish() {
  if (temp_path_.empty()) {
    return Status::Error(StatusCode::kInternal, "internal: " + final_path_ + ": published twice or discarded");
  }
  Env* env = file_.env();
  std::string aside;
  struct stat st;
  if (::lstat(final_path_.c_str(), &st) == 0) {
    // Only a file or a link is ever replaced (a link is replaced, not followed); a directory or
    // a device node under the final name is refused (io/write_guard.hpp refuses it up front).
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
      return Status::Error(StatusCode::kAlreadyExists, final_path_, "rename: exists and is not a regular file");
    }
    aside = final_path_ + ".riversort-" + ProcessToken() + "-" + std::to_string(serial_) + ".old";
  } else if (errno != ENOENT) {
    return Status::FromErrno(errno, final_path_, "stat");
  }
  // From before the first rename a signal puts the old file back (or frees the name); a restore
  // of an aside not yet made fails harmlessly (ENOENT).
  restore_ = RestoreOnSignal(final_path_, aside);
  if (!aside.empty() && RenameNoReplace(env, final_path_, aside) != 0) {
    Status st = Status::FromErrno(errno, final_path_, "move aside");
    restore_.Release();
    return st;
  }
  if (RenameNoReplace(env, temp_path_, final_path_) != 0) {
    Status st = Status::FromErrno(errno, final_path_, "rename");
    // Back without replacing: whatever took the final name meanwhile stays, and so does the .old.
    if (!aside.empty() && RenameNoReplace(env, aside, final_path_) != 0) {
      st = st.WithSuffix("; the file it held is kept as " + aside);
    }
    restore_.Release();
    return st;
  }
  aside_path_ = std::move(aside);
  temp_path_.clear();
  temp_guard_.Release();
  published_ = true;
  Status synced = SyncDirectory(env, final_path_);
  if (!synced.ok()) Unpublish();
  return synced;
}

void OutputFile::Settle() {
  if (!published_) return;
  if (!aside_path_.empty()) {
    RemoveOnSignal gone(aside_path_);  // from now on a signal finishes the job rather than undoing it
    restore_.Release();
    file_.env()->Unlink(aside_path_.c_str());
    aside_path_.clear();
  }
  restore_.Release();
  published_ = false;
  claim_.Release();
}

void OutputFile::Unpublish() {
  if (!published_) return;
  Env* env = file_.env();
  if (!aside_path_.empty()) {
    env->Rename(aside_path_.c_str(), final_path_.c_str(), 0);  // atomically replaces ours with theirs
  } else {
    env->Unlink(final_path_.c_str());
  }
  aside_path_.clear();
  restore_.Release();
  published_ = false;
  claim_.Release();
  (void)SyncDirectory(env, final_path_);
}

void OutputFile::Discard() {
  if (temp_path_.empty()) return;
  (void)file_.Close();
  file_.env()->Unlink(temp_path_.c_str());
  temp_path_.clear();
  temp_guard_.Release();
  if (!published_) claim_.Release();
}
Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  RS_ASSIGN_OR_RETURN(OutputFile out, OutputFile::Create(path));
  RS_RETURN_IF_ERROR(out.file().WriteAt(contents.data(), contents.size(), 0));
  return out.Commit(contents.size());
}

Result<std::string> ReadWholeFile(const std::string& path) {
  RS_ASSIGN_OR_RETURN(File f, File::Open(path, O_RDONLY));
  RS_ASSIGN_OR_RETURN(uint64_t size, f.Size());
  // Read to the end, not to the size: files under /proc and /sys say they hold 0 bytes.
  std::string s(std::max<uint64_t>(size, 4096), '\0');
  size_t have = 0;
  while (true) {
    RS_ASSIGN_OR_RETURN(size_t n, f.ReadAt(s.data() + have, s.size() - have, have));
    have += n;
    if (have < s.size()) break;
    s.resize(s.size() * 2);
  }
  s.resize(have);
  return s;
}

}  // namespace rs
