// io/file.cpp
#include "io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace rs {

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

File::File(File&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)), direct_(o.direct_), direct_refused_(o.direct_refused_),
      path_(std::move(o.path_)) {}

File& File::operator=(File&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    direct_ = o.direct_;
    direct_refused_ = o.direct_refused_;
    path_ = std::move(o.path_);
  }
  return *this;
}

Result<File> File::Open(const std::string& path, int flags, mode_t mode) {
  File f;
  f.path_ = path;
  int fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  if (fd < 0 && errno == EINVAL && (flags & O_DIRECT)) {
    f.direct_refused_ = true;
    flags &= ~O_DIRECT;
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  }
  if (fd < 0) return Status::FromErrno(errno, path);
  f.fd_ = fd;
  f.direct_ = (flags & O_DIRECT) != 0;
  return f;
}

Result<uint64_t> File::Size() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Status::FromErrno(errno, path_, "stat");
  return uint64_t(st.st_size);
}

Result<size_t> File::ReadAt(void* buf, size_t len, uint64_t offset) const {
  size_t done = 0;
  while (done < len) {
    ssize_t n = ::pread(fd_, static_cast<char*>(buf) + done, len - done, off_t(offset + done));
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
    ssize_t n = ::pwrite(fd_, static_cast<const char*>(buf) + done, len - done, off_t(offset + done));
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::FromErrno(errno, path_, "write");
    }
    if (n == 0) return Status::FromErrno(EIO, path_, "write returned 0");
    done += size_t(n);
  }
  return Status::Ok();
}

Status File::Truncate(uint64_t size) const {
  if (::ftruncate(fd_, off_t(size)) != 0) return Status::FromErrno(errno, path_, "truncate");
  return Status::Ok();
}

Status File::Allocate(uint64_t size) const {
  if (size == 0) return Status::Ok();
  int rc = ::posix_fallocate(fd_, 0, off_t(size));
  // Filesystems without fallocate (EOPNOTSUPP, EINVAL) just lose the preallocation hint;
  // ENOSPC is real and reported now rather than half-way through the write.
  if (rc == 0 || rc == EOPNOTSUPP || rc == EINVAL) return Status::Ok();
  return Status::FromErrno(rc, path_, "allocate");
}

Status File::Sync() const {
  if (::fsync(fd_) != 0) return Status::FromErrno(errno, path_, "fsync");
  return Status::Ok();
}

Status File::Close() {
  if (fd_ < 0) return Status::Ok();
  int rc = ::close(std::exchange(fd_, -1));
  if (rc != 0 && errno != EINTR) return Status::FromErrno(errno, path_, "close");
  return Status::Ok();
}

namespace {
std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status SyncDirectory(const std::string& path) {
  std::string dir = DirectoryOf(path);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, dir, "open directory");
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some filesystems cannot fsync a directory (EINVAL); the rename is still done.
  if (rc != 0 && err != EINVAL) return Status::FromErrno(err, dir, "fsync directory");
  return Status::Ok();
}
}  // namespace

OutputFile::~OutputFile() { Discard(); }

OutputFile::OutputFile(OutputFile&& o) noexcept
    : file_(std::move(o.file_)), final_path_(std::move(o.final_path_)),
      temp_path_(std::exchange(o.temp_path_, std::string())), temp_guard_(std::move(o.temp_guard_)),
      published_(std::exchange(o.published_, false)) {}

OutputFile& OutputFile::operator=(OutputFile&& o) noexcept {
  if (this != &o) {
    Discard();
    file_ = std::move(o.file_);
    final_path_ = std::move(o.final_path_);
    temp_path_ = std::exchange(o.temp_path_, std::string());
    temp_guard_ = std::move(o.temp_guard_);
    published_ = std::exchange(o.published_, false);
  }
  return *this;
}

Result<OutputFile> OutputFile::Create(const std::string& final_path, int extra_flags) {
  OutputFile out;
  out.final_path_ = final_path;
  std::string temp = final_path + ".tmp." + std::to_string(::getpid());
  auto f = File::Open(temp, O_WRONLY | O_CREAT | O_TRUNC | extra_flags);
  if (!f.ok()) {
    // Name the path the user gave, not our temporary name.
    std::string msg = f.status().message();
    if (msg.compare(0, temp.size(), temp) == 0) msg.replace(0, temp.size(), final_path);
    return Status::Error(msg);
  }
  out.file_ = std::move(*f);
  out.temp_guard_ = RemoveOnSignal(temp);
  out.temp_path_ = std::move(temp);
  return out;
}

Status OutputFile::Commit(uint64_t size) {
  RS_RETURN_IF_ERROR(Finish(size));
  return Publish();
}

Status OutputFile::Named(Status st) const {
  if (st.ok() || temp_path_.empty()) return st;
  std::string msg = st.message();
  if (msg.compare(0, temp_path_.size(), temp_path_) == 0) msg.replace(0, temp_path_.size(), final_path_);
  return Status::Error(msg);
}

Status OutputFile::Allocate(uint64_t size) { return Named(file_.Allocate(size)); }

Status OutputFile::Finish(uint64_t size) {
  RS_RETURN_IF_ERROR(Named(file_.Truncate(size)));
  RS_RETURN_IF_ERROR(Named(file_.Sync()));
  return Named(file_.Close());
}

Status OutputFile::Publish() {
  if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    return Status::FromErrno(errno, final_path_, "rename");
  }
  temp_path_.clear();
  temp_guard_.Release();
  published_ = true;
  return SyncDirectory(final_path_);
}

void OutputFile::Unpublish() {
  if (published_) ::unlink(final_path_.c_str());
  published_ = false;
}

void OutputFile::Discard() {
  if (temp_path_.empty()) return;
  (void)file_.Close();
  ::unlink(temp_path_.c_str());
  temp_path_.clear();
  temp_guard_.Release();
}

Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  auto out = OutputFile::Create(path);
  if (!out.ok()) return out.status();
  RS_RETURN_IF_ERROR(out->file().WriteAt(contents.data(), contents.size(), 0));
  return out->Commit(contents.size());
}

Result<std::string> ReadWholeFile(const std::string& path) {
  auto f = File::Open(path, O_RDONLY);
  if (!f.ok()) return f.status();
  auto size = f->Size();
  if (!size.ok()) return size.status();
  std::string s(*size, '\0');
  auto n = f->ReadAt(s.data(), s.size(), 0);
  if (!n.ok()) return n.status();
  s.resize(*n);
  return s;
}

}  // namespace rs
