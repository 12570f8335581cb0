// io/job_files.cpp — the process token, directory claims and the leftover scan.
#include "io/job_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "core/signal_cleanup.hpp"
#include "io/lock_file.hpp"

namespace rs {
namespace {

constexpr size_t kTokenLen = 16;

bool IsToken(const std::string& s, size_t at) {
  if (s.size() < at + kTokenLen) return false;
  for (size_t i = at; i < at + kTokenLen; ++i) {
    const char c = s[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The kinds of riversort file a name can be; the token is filled in where the name has one.
enum class Kind { kNone, kClaim, kTemporary, kReplaced, kOutputLock, kPrivateDir };

Kind Classify(const std::string& name, std::string* token) {
  static const std::string kPrefix = "riversort-";
  if (EndsWith(name, ".riversort.lock")) return Kind::kOutputLock;
  // riversort-<token>.lock and riversort-<token>-r<rank>-<tag>-<n>.run
  if (name.compare(0, kPrefix.size(), kPrefix) == 0 && IsToken(name, kPrefix.size())) {
    *token = name.substr(kPrefix.size(), kTokenLen);
    const std::string rest = name.substr(kPrefix.size() + kTokenLen);
    if (rest == ".lock") return Kind::kClaim;
    if (rest.size() == 7 && rest[0] == '-' && rest.find('.') == std::string::npos) return Kind::kPrivateDir;
    if (rest.compare(0, 2, "-r") == 0 && EndsWith(rest, ".run")) return Kind::kTemporary;
  }
  // <final>.riversort-<token>-<n>.tmp / .old
  const size_t at = name.rfind(".riversort-");
  if (at != std::string::npos && IsToken(name, at + 11)) {
    *token = name.substr(at + 11, kTokenLen);
    if (EndsWith(name, ".tmp")) return Kind::kTemporary;
    if (EndsWith(name, ".old")) return Kind::kReplaced;
  }
  return Kind::kNone;
}

struct Claim {
  UniqueFd fd;
  std::string path;
  RemoveOnSignal guard;
  int count = 0;
  ~Claim() {
    if (!path.empty()) ::unlink(path.c_str());  // the lock goes with the descriptor
  }
};

std::mutex g_claims_mu;
// Never destroyed: claims outlive static destruction order (a DirectoryClaim in a static object).
std::map<std::string, std::unique_ptr<Claim>>& Claims() {
  static auto* claims = new std::map<std::string, std::unique_ptr<Claim>>();
  return *claims;
}

}  // namespace

const std::string& ProcessToken() {
  static const std::string token = [] {
    unsigned char bytes[kTokenLen / 2] = {};
    ssize_t got = ::getrandom(bytes, sizeof bytes, 0);
    if (got != ssize_t(sizeof bytes)) {  // no entropy source: still unique enough per host
      const uint64_t mix = uint64_t(::getpid()) << 32 ^ uint64_t(std::time(nullptr)) ^ uint64_t(::clock());
      for (size_t i = 0; i < sizeof bytes; ++i) bytes[i] = static_cast<unsigned char>(mix >> (8 * i));
    }
    char hex[kTokenLen + 1];
    for (size_t i = 0; i < sizeof bytes; ++i) std::snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
    return std::string(hex, kTokenLen);
  }();
  return token;
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Result<DirectoryClaim> DirectoryClaim::Take(const std::string& dir, const std::string& token) {
  char resolved[PATH_MAX];
  const std::string real = ::realpath(dir.c_str(), resolved) != nullptr ? std::string(resolved) : dir;
  const std::string key = real + '\n' + token;  // one claim per directory and token
  std::lock_guard lock(g_claims_mu);
  auto& claim = Claims()[key];
  if (!claim) {
    auto made = std::make_unique<Claim>();
    const std::string path = (real == "/" ? "" : real) + "/riversort-" + token + ".lock";
    auto fd = CreateLockedFile(path, 0600);
    if (!fd.ok()) {
      Claims().erase(key);
      return fd.status();
    }
    made->fd = std::move(*fd);
    made->path = path;
    made->guard = RemoveOnSignal(path);
    struct stat st;
    if (::fstat(made->fd.get(), &st) == 0) made->guard.Identify(st.st_dev, st.st_ino);
    claim = std::move(made);
  }
  ++claim->count;
  DirectoryClaim out;
  out.key_ = key;
  return out;
}

DirectoryClaim& DirectoryClaim::operator=(DirectoryClaim&& o) noexcept {
  if (this != &o) {
    Release();
    key_ = std::move(o.key_);
    o.key_.clear();
  }
  return *this;
}

void DirectoryClaim::Release() {
  if (key_.empty()) return;
  std::lock_guard lock(g_claims_mu);
  auto it = Claims().find(key_);
  if (it != Claims().end() && --it->second->count == 0) Claims().erase(it);
  key_.clear();
}

Result<Leftovers> FindLeftovers(const std::string& dir) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return Status::FromErrno(errno, dir, "open directory");
  const int dfd = ::dirfd(d.get());
  const uid_t me = ::geteuid();
  struct Entry {
    std::string name;
    Kind kind;
    uint64_t bytes;
  };
  std::map<std::string, std::vector<Entry>> by_token;  // token -> its files
  Leftovers out;
  while (dirent* e = ::readdir(d.get())) {
    const std::string name = e->d_name;
    std::string token;
    const Kind kind = Classify(name, &token);
    if (kind == Kind::kNone) continue;
    struct stat st;
    if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (me != 0 && st.st_uid != me) continue;
    if (kind == Kind::kPrivateDir) {  // a job's private subdirectory of a shared scratch directory
      if (!S_ISDIR(st.st_mode)) continue;
      const std::string sub = dir + "/" + name;
      if (IsLockHeld(sub + "/riversort-" + token + ".lock")) {
        ++out.live_jobs;
        continue;
      }
      auto inside = FindLeftovers(sub);
      if (!inside.ok()) continue;
      out.removable.insert(out.removable.end(), inside->removable.begin(), inside->removable.end());
      out.removable_bytes += inside->removable_bytes;
      out.replaced.insert(out.replaced.end(), inside->replaced.begin(), inside->replaced.end());
      out.removable.push_back(sub);  // after its files: removed once empty
      continue;
    }
    if (!S_ISREG(st.st_mode)) continue;
    const uint64_t bytes = uint64_t(st.st_blocks) * 512;
    if (kind == Kind::kOutputLock) {  // no token: stale when nobody holds it
      if (!IsLockHeld(dir + "/" + name)) {
        out.removable.push_back(dir + "/" + name);
        out.removable_bytes += bytes;
      }
      continue;
    }
    by_token[token].push_back({name, kind, bytes});
  }
  for (const auto& [token, files] : by_token) {
    if (IsLockHeld(dir + "/riversort-" + token + ".lock")) {
      ++out.live_jobs;
      continue;
    }
    for (const Entry& f : files) {
      if (f.kind == Kind::kReplaced) {
        out.replaced.push_back(dir + "/" + f.name);
      } else {
        out.removable.push_back(dir + "/" + f.name);
        out.removable_bytes += f.bytes;
      }
    }
  }
  return out;
}

uint64_t RemoveLeftovers(const Leftovers& found) {
  uint64_t freed = 0;
  for (const auto& path : found.removable) {
    std::string token;
    const Kind kind = Classify(BaseName(path), &token);
    const std::string dir = DirectoryOf(path);
    if (kind == Kind::kPrivateDir) {
      ::rmdir(path.c_str());  // only once empty: anything not riversort's keeps it
      continue;
    }
    // Checked again: a lock taken since the scan means a live job.
    const std::string lock = kind == Kind::kOutputLock ? path : dir + "/riversort-" + token + ".lock";
    if (kind != Kind::kClaim && IsLockHeld(lock)) continue;
    if (kind == Kind::kClaim && IsLockHeld(path)) continue;
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (::unlink(path.c_str()) == 0) freed += uint64_t(st.st_blocks) * 512;
  }
  return freed;
}

Result<std::vector<TokenFile>> FilesOfToken(const std::string& dir, const std::string& token) {
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) return Status::FromErrno(errno, dir, "open directory");
  const int dfd = ::dirfd(d.get());
  std::vector<TokenFile> out;
  while (dirent* e = ::readdir(d.get())) {
    const std::string name = e->d_name;
    std::string t;
    if (Classify(name, &t) != Kind::kTemporary || t != token) continue;
    struct stat st;
    if (::fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    out.push_back({dir + "/" + name, uint64_t(st.st_blocks) * 512});
  }
  return out;
}

Result<uint64_t> RemoveDeadWrites(const std::string& dir, const std::string& prefix) {
  auto found = FindLeftovers(dir);
  if (!found.ok()) return found.status();
  Leftovers mine;  // this job's dead writes
  std::set<std::string> writers;
  for (const auto& path : found->removable) {
    const std::string name = BaseName(path);
    std::string token;
    if (name.compare(0, prefix.size(), prefix) != 0 || !EndsWith(name, ".tmp")) continue;
    if (Classify(name, &token) != Kind::kTemporary) continue;
    mine.removable.push_back(path);
    writers.insert(token);
  }
  uint64_t freed = RemoveLeftovers(mine);
  // A writer's claim goes once the writer has nothing else here (another job's files under the
  // same process token, say a partition it was writing, stay for `riversort clean`).
  for (const auto& token : writers) {
    auto rest = FilesOfToken(dir, token);
    if (!rest.ok() || !rest->empty()) continue;
    Leftovers claim;
    claim.removable.push_back(dir + "/riversort-" + token + ".lock");
    freed += RemoveLeftovers(claim);
  }
  return freed;
}

}  // namespace rs
