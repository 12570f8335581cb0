// io/lock_file.cpp — locked files: directory claims and output-name locks.
#include "io/lock_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <utility>

#include "io/job_files.hpp"

namespace rs {

std::string LockIdentity() {
  static const std::string identity = [] {
    char host[256] = "?";
    ::gethostname(host, sizeof host - 1);
    char when[32] = "?";
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    if (::gmtime_r(&now, &tm) != nullptr) std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return "pid " + std::to_string(::getpid()) + " on host " + host + " since " + when + ", token " + ProcessToken();
  }();
  return identity;
}

namespace {

// Locks are open-file-description locks (F_OFD_SETLK) on the whole file, not flock(2): they are
// held per open file like flock, they reach the server on NFS (where flock is emulated with
// POSIX locks and refused on a read-only descriptor), and F_OFD_GETLK can ask whether one is held
// without taking it — so a scan for leftovers never disturbs a job taking its locks.
int LockWholeFile(int fd) {
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  return ::fcntl(fd, F_OFD_SETLK, &fl);
}

bool Busy(int err) { return err == EAGAIN || err == EACCES || err == EWOULDBLOCK; }

Status WriteIdentity(int fd, const std::string& path) {
  const std::string text = LockIdentity() + "\n";
  if (::ftruncate(fd, 0) != 0) return Status::FromErrno(errno, path, "truncate lock file");
  if (::pwrite(fd, text.data(), text.size(), 0) != ssize_t(text.size())) {
    return Status::FromErrno(errno, path, "write lock file");
  }
  return Status::Ok();
}

std::string ReadIdentity(int fd) {
  char buf[512];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string s = n > 0 ? std::string(buf, size_t(n)) : std::string();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s.empty() ? "a job that has not yet written its name" : s;
}

}  // namespace

Result<UniqueFd> CreateLockedFile(const std::string& path, mode_t mode) {
  const std::string dir = DirectoryOf(path);
  UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, mode));
  if (fd.get() >= 0) {
    if (LockWholeFile(fd.get()) != 0) return Status::FromErrno(errno, path, "lock");
    RS_RETURN_IF_ERROR(WriteIdentity(fd.get(), path));
    // linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the /proc link works for anyone.
    const std::string proc = "/proc/self/fd/" + std::to_string(fd.get());
    if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) return fd;
    if (errno != ENOENT) return Status::FromErrno(errno, path, "create");
    // No /proc: fall through to the named creation.
  } else if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return Status::FromErrno(errno, path, "create");
  }
  // Locked and written under a staging name no scan takes for a lock file, then linked into place
  // (link fails on an existing name), so the final name is never seen unlocked either.
  const std::string staging = path + ".new";
  fd = UniqueFd(::open(staging.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, mode));
  if (fd.get() < 0) return Status::FromErrno(errno, path, "create");
  Status st = LockWholeFile(fd.get()) == 0 ? WriteIdentity(fd.get(), path) : Status::FromErrno(errno, path, "lock");
  if (st.ok() && ::link(staging.c_str(), path.c_str()) != 0) st = Status::FromErrno(errno, path, "create");
  ::unlink(staging.c_str());
  if (!st.ok()) return st;
  return fd;
}

bool IsLockHeld(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return false;
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  // Asks without taking: a job locking this file right now is never turned away by the probe.
  // Where the filesystem cannot answer, count it as held: leftovers are kept rather than a live
  // job's files removed.
  if (::fcntl(fd.get(), F_OFD_GETLK, &fl) != 0) return true;
  return fl.l_type != F_UNLCK;
}

void OutputLock::Identify() {
  struct stat st;
  if (::fstat(fd_.get(), &st) == 0) guard_.Identify(st.st_dev, st.st_ino);
}

void OutputLock::Release() {
  if (fd_.get() >= 0 && !path_.empty()) ::unlink(path_.c_str());
  fd_ = UniqueFd();
  path_.clear();
  guard_.Release();
}

OutputLock& OutputLock::operator=(OutputLock&& o) noexcept {
  if (this != &o) {
    Release();
    fd_ = std::move(o.fd_);
    path_ = std::move(o.path_);
    guard_ = std::move(o.guard_);
    o.path_.clear();
  }
  return *this;
}

std::string OutputLock::LockPath(const std::string& final_path) { return final_path + ".riversort.lock"; }

Result<OutputLock> OutputLock::Acquire(const std::string& final_path) {
  const std::string path = LockPath(final_path);
  for (int attempt = 0; attempt < 5; ++attempt) {
    // A new lock file appears already locked, so a scan for leftovers never sees it unlocked.
    auto fresh = CreateLockedFile(path, 0644);
    if (fresh.ok()) {
      OutputLock lock;
      lock.fd_ = std::move(*fresh);
      lock.path_ = path;
      lock.guard_ = RemoveOnSignal(path);
      lock.Identify();
      return lock;
    }
    // A link there is refused by name (open's O_NOFOLLOW answers ELOOP, or EACCES in a sticky
    // directory that protects other users' links).
    auto planted_link = [&] {
      return Status::Error(StatusCode::kInvalidInput, path,
                           "is a symbolic link; riversort never writes through a link");
    };
    struct stat planted;
    if (::lstat(path.c_str(), &planted) == 0 && S_ISLNK(planted.st_mode)) return planted_link();
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644));
    if (fd.get() < 0) {
      if (errno == ELOOP) return planted_link();
      return Status::FromErrno(errno, path, "create lock file");
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return Status::FromErrno(errno, path, "stat lock file");
    if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || (st.st_uid != ::geteuid())) {
      return Status::Error(StatusCode::kAlreadyExists, path,
                           "not a lock file this user made (a regular file with one link is needed); "
                           "remove it if no job is running");
    }
    if (LockWholeFile(fd.get()) != 0) {
      if (!Busy(errno)) return Status::FromErrno(errno, path, "lock");
      return Status::Error(StatusCode::kBusy, final_path,
                           "another riversort job is writing it (" + ReadIdentity(fd.get()) +
                               "); wait for it to end or choose other output names");
    }
    // The holder before us may have removed the file after we opened it: then lock the new one.
    struct stat now;
    if (::stat(path.c_str(), &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) continue;
    RS_RETURN_IF_ERROR(WriteIdentity(fd.get(), path));
    OutputLock lock;
    lock.fd_ = std::move(fd);
    lock.path_ = path;
    lock.guard_ = RemoveOnSignal(path);
    lock.Identify();
    return lock;
  }
  return Status::Error(StatusCode::kBusy, path,
                       "the lock file keeps being replaced; is another job starting and stopping?");
}

}  // namespace rs
