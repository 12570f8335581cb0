// sort/resume/journal.cpp — append-only, checksummed lines.
#include "sort/resume/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "core/checksum.hpp"
#include "io/file.hpp"

namespace rs::sort {
namespace {

std::string Sealed(const std::string& line) {
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x", Crc32(0, line.data(), line.size()));
  return line + " #" + crc + "\n";
}

// The line without its seal when the seal is right.
bool Unseal(const std::string& sealed, std::string* line) {
  const size_t at = sealed.rfind(" #");
  if (at == std::string::npos || sealed.size() != at + 10) return false;
  char crc[16];
  std::snprintf(crc, sizeof crc, "%08x", Crc32(0, sealed.data(), at));
  if (sealed.compare(at + 2, 8, crc) != 0) return false;
  *line = sealed.substr(0, at);
  return true;
}

Status WriteAll(int fd, const std::string& s, const std::string& path) {
  size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, path, "write");
    done += size_t(n);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Journal>> Journal::Create(const std::string& path, const std::string& first) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, kPrivateFileMode);
  if (fd < 0) return Status::FromErrno(errno, path, "create journal");
  std::unique_ptr<Journal> j(new Journal(path, UniqueFd(fd)));
  RS_RETURN_IF_ERROR(j->Append(first, true));
  return j;
}

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& path, std::vector<std::string>* lines) {
  const int fd = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_APPEND | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, path, "open journal");
  UniqueFd owned(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, path, "stat journal");
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != ::geteuid()) {
    return Status::Error(path + ": not a journal of this user (not a regular file, linked, or another owner)");
  }
  std::string text(size_t(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::pread(fd, text.data() + got, text.size() - got, off_t(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno(errno, path, "read journal");
    if (n == 0) break;
    got += size_t(n);
  }
  text.resize(got);
  size_t at = 0;
  while (at < text.size()) {
    const size_t nl = text.find('\n', at);
    if (nl == std::string::npos) break;
    std::string line;
    if (!Unseal(text.substr(at, nl - at), &line)) break;
    lines->push_back(std::move(line));
    at = nl + 1;
  }
  if (at < text.size() && ::ftruncate(fd, off_t(at)) != 0) return Status::FromErrno(errno, path, "truncate journal");
  return std::unique_ptr<Journal>(new Journal(path, std::move(owned)));
}

Status Journal::Append(const std::string& line, bool sync) {
  const std::string sealed = Sealed(line);
  std::lock_guard lock(mu_);
  RS_RETURN_IF_ERROR(WriteAll(fd_.get(), sealed, path_));
  if (sync && ::fdatasync(fd_.get()) != 0) return Status::FromErrno(errno, path_, "fdatasync journal");
  return Status::Ok();
}

void Journal::Remove() { ::unlink(path_.c_str()); }

std::string JournalLine::Get(const std::string& key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return v;
  return {};
}

JournalLine JournalLine::Parse(const std::string& line) {
  JournalLine out;
  size_t at = 0;
  bool first = true;
  while (at <= line.size()) {
    size_t sp = line.find(' ', at);
    if (sp == std::string::npos) sp = line.size();
    const std::string word = line.substr(at, sp - at);
    if (first) {
      out.kind = word;
      first = false;
    } else if (!word.empty()) {
      const size_t eq = word.find('=');
      out.fields.emplace_back(word.substr(0, eq), eq == std::string::npos ? "" : word.substr(eq + 1));
    }
    at = sp + 1;
  }
  return out;
}

}  // namespace rs::sort
