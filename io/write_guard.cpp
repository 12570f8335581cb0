// io/write_guard.cpp — local facts about each path, one AllGather, the same verdict everywhere.
#include "io/write_guard.hpp"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "io/file.hpp"
#include "io/job_files.hpp"

namespace rs {
namespace {

// Room a final name must leave for riversort's temporaries beside it
// (".riversort-<16 hex>-<n>.tmp" and ".riversort.lock").
constexpr size_t kSuffixRoom = 40;

struct PathFact {
  char role = 'I';  // 'I' input, 'O' output, 'D' a directory the job writes temporaries in
  bool exists = false;
  uint64_t dev = 0, ino = 0;
  uint64_t rdev = 0;     // a block-device input: the device itself
  uint64_t dir_dev = 0;  // an output or temporary directory: the filesystem's device
  std::string real;      // resolved path
  std::string given;
};

struct RankFacts {
  std::string host;  // boot id: device and inode numbers mean something only on one kernel
  std::string error;
  std::string lock_error;
  std::vector<PathFact> paths;
  struct Dir {
    std::string path;
    uint64_t files = 0, bytes = 0, replaced = 0;
  };
  std::vector<Dir> leftovers;
};

// Length-prefixed fields: paths may hold any byte but NUL.
void Put(std::string* out, const std::string& s) {
  *out += std::to_string(s.size());
  *out += ':';
  *out += s;
}
void Put(std::string* out, uint64_t v) { Put(out, std::to_string(v)); }

struct Reader {
  const std::string& s;
  size_t at = 0;
  std::string Str() {
    const size_t colon = s.find(':', at);
    if (colon == std::string::npos) return {};
    const size_t n = std::strtoull(s.c_str() + at, nullptr, 10);
    std::string v = s.substr(colon + 1, n);
    at = colon + 1 + n;
    return v;
  }
  uint64_t Num() { return std::strtoull(Str().c_str(), nullptr, 10); }
};

std::string Encode(const RankFacts& f) {
  std::string out;
  Put(&out, f.host);
  Put(&out, f.error);
  Put(&out, f.lock_error);
  Put(&out, f.paths.size());
  for (const auto& p : f.paths) {
    Put(&out, std::string(1, p.role));
    Put(&out, p.exists ? 1 : 0);
    Put(&out, p.dev);
    Put(&out, p.ino);
    Put(&out, p.rdev);
    Put(&out, p.dir_dev);
    Put(&out, p.real);
    Put(&out, p.given);
  }
  Put(&out, f.leftovers.size());
  for (const auto& d : f.leftovers) {
    Put(&out, d.path);
    Put(&out, d.files);
    Put(&out, d.bytes);
    Put(&out, d.replaced);
  }
  return out;
}

RankFacts Decode(const std::string& s) {
  RankFacts f;
  Reader r{s};
  f.host = r.Str();
  f.error = r.Str();
  f.lock_error = r.Str();
  for (uint64_t n = r.Num(); n > 0; --n) {
    PathFact p;
    p.role = r.Str()[0];
    p.exists = r.Num() != 0;
    p.dev = r.Num();
    p.ino = r.Num();
    p.rdev = r.Num();
    p.dir_dev = r.Num();
    p.real = r.Str();
    p.given = r.Str();
    f.paths.push_back(std::move(p));
  }
  for (uint64_t n = r.Num(); n > 0; --n) {
    RankFacts::Dir d;
    d.path = r.Str();
    d.files = r.Num();
    d.bytes = r.Num();
    d.replaced = r.Num();
    f.leftovers.push_back(std::move(d));
  }
  return f;
}

std::string HostId() {
  auto boot = ReadWholeFile("/proc/sys/kernel/random/boot_id");
  if (boot.ok() && !boot->empty()) {
    std::string id = *boot;
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
    return id;
  }
  char host[256] = "?";
  ::gethostname(host, sizeof host - 1);
  return host;
}

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) != nullptr ? std::string(buf) : std::string();
}

const char* TypeName(unsigned mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISLNK(mode)) return "a symbolic link";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

// The name itself, resolved like an output's (real directory + name): where the name is a link,
// another rank's output of that name would replace the link the user reads through.
std::string NamePath(const std::string& path) {
  const std::string dir = RealPath(DirectoryOf(path));
  return dir.empty() ? std::string() : (dir == "/" ? "" : dir) + "/" + BaseName(path);
}

Status InputFact(const std::string& path, std::vector<PathFact>* out) {
  if (path.empty()) {
    return Status::Error(StatusCode::kInvalidInput, "an empty input path (did a variable expand to nothing?)");
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, path);
  RS_RETURN_IF_ERROR(CheckInputType(path, st.st_mode));
  PathFact f;
  f.role = 'I';
  f.exists = true;
  f.dev = st.st_dev;
  f.ino = st.st_ino;
  if (S_ISBLK(st.st_mode)) f.rdev = st.st_rdev;
  f.real = RealPath(path);
  f.given = path;
  out->push_back(f);
  struct stat link;
  if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
    PathFact name;
    name.role = 'I';
    name.real = NamePath(path);
    name.given = path;
    if (!name.real.empty()) out->push_back(std::move(name));
  }
  return Status::Ok();
}

Status DirFact(const std::string& dir, PathFact* f) {
  if (dir.empty()) {
    return Status::Error(StatusCode::kInvalidInput, "an empty temporary directory (did a variable expand to nothing?)");
  }
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Status::Ok();  // the job names it (TempFiles::Check)
  f->role = 'D';
  f->dir_dev = st.st_dev;
  f->real = RealPath(dir);
  f->given = dir;
  return Status::Ok();
}

Status OutputFact(const std::string& path, PathFact* f) {
  if (path.empty()) {
    return Status::Error(StatusCode::kInvalidInput, "an empty output path (did a variable expand to nothing?)");
  }
  const std::string name = BaseName(path), dir = DirectoryOf(path);
  if (name.empty() || name == "." || name == "..") {
    return Status::Error(StatusCode::kInvalidInput, path, "not a file name");
  }
  if (name.size() + kSuffixRoom > NAME_MAX) {
    return Status::Error(StatusCode::kInvalidInput, path,
                         "the name is too long (at most " + std::to_string(NAME_MAX - kSuffixRoom) +
                             " bytes, to leave room for riversort's temporary names)");
  }
  const std::string real_dir = RealPath(dir);
  if (real_dir.empty()) return Status::FromErrno(errno, path);
  if (::access(real_dir.c_str(), W_OK | X_OK) != 0) return Status::FromErrno(errno, path);
  struct stat st;
  if (::stat(real_dir.c_str(), &st) == 0) f->dir_dev = st.st_dev;
  if (::lstat(path.c_str(), &st) == 0) {
    // A link at the final name is replaced by the rename, never followed; anything else but a
    // regular file would be destroyed (a device node) or cannot be replaced (a directory).
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
      return Status::Error(
          StatusCode::kAlreadyExists, path,
          std::string("exists and is ") + TypeName(st.st_mode) + "; riversort replaces only regular files");
    }
    f->exists = true;
    f->dev = st.st_dev;
    f->ino = st.st_ino;
  } else if (errno != ENOENT) {
    return Status::FromErrno(errno, path);
  }
  f->role = 'O';
  f->real = (real_dir == "/" ? "" : real_dir) + "/" + name;
  f->given = path;
  return Status::Ok();
}

// The first collision in rank order, or an empty string.
std::string FindCollision(const std::vector<RankFacts>& all) {
  struct Seen {
    int rank;
    const PathFact* fact;
  };
  std::map<std::string, Seen> by_real;
  std::map<std::tuple<std::string, uint64_t, uint64_t>, Seen> by_inode;
  // A block device read raw must not hold a filesystem this job writes into.
  std::map<std::pair<std::string, uint64_t>, Seen> raw_inputs;
  for (int r = 0; r < int(all.size()); ++r) {
    for (const PathFact& p : all[size_t(r)].paths) {
      if (p.rdev != 0) raw_inputs.emplace(std::make_pair(all[size_t(r)].host, p.rdev), Seen{r, &p});
    }
  }
  for (int r = 0; r < int(all.size()); ++r) {
    for (const PathFact& p : all[size_t(r)].paths) {
      if (p.dir_dev != 0) {
        if (auto it = raw_inputs.find({all[size_t(r)].host, p.dir_dev}); it != raw_inputs.end()) {
          return "rank " + std::to_string(r) + ": " + p.given + ": is on the filesystem of rank " +
                 std::to_string(it->second.rank) + "'s input device " + it->second.fact->given +
                 ", which is read raw; inputs are never written: choose another output or temporary directory";
        }
      }
      if (p.role == 'D') continue;
      std::optional<Seen> prior;
      if (auto it = by_real.find(p.real); it != by_real.end()) prior = it->second;
      const auto inode = std::make_tuple(all[size_t(r)].host, p.dev, p.ino);
      if (!prior && p.exists) {
        if (auto it = by_inode.find(inode); it != by_inode.end()) prior = it->second;
      }
      if (prior && !(prior->fact->role == 'I' && p.role == 'I')) {
        const auto whose = [&](int rank, const PathFact* f) {
          return (f->role == 'I' ? "rank " + std::to_string(rank) + "'s input "
                                 : "rank " + std::to_string(rank) + "'s output ") +
                 f->given;
        };
        const bool both_out = prior->fact->role == 'O' && p.role == 'O';
        const Seen out = p.role == 'O' ? Seen{r, &p} : *prior;
        const Seen other = p.role == 'O' ? *prior : Seen{r, &p};
        std::string line = "rank " + std::to_string(out.rank) + ": " + out.fact->given + ": ";
        if (both_out) {
          line += "written twice by this job (also " + whose(other.rank, other.fact) +
                  "); give every rank and every file its own name";
        } else {
          line += "output is the input (" + whose(other.rank, other.fact) +
                  " is the same file); inputs are never written: choose another output path";
        }
        return line;
      }
      if (!prior) by_real.emplace(p.real, Seen{r, &p});
      if (p.exists && by_inode.count(inode) == 0) by_inode.emplace(inode, Seen{r, &p});
    }
  }
  return {};
}

std::string Size(uint64_t bytes) {
  if (bytes >= (uint64_t(1) << 30)) return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (uint64_t(1) << 20)) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

}  // namespace

Status CheckInputType(const std::string& path, unsigned mode) {
  if (S_ISREG(mode) || S_ISBLK(mode)) return Status::Ok();
  return Status::Error(StatusCode::kInvalidInput, path,
                       std::string("is ") + TypeName(mode) + "; an input must be a regular file (or a block device)");
}

Result<std::unique_ptr<WriteGuard>> GuardWrites(Comm& comm, const WritePlan& plan) {
  auto guard = std::make_unique<WriteGuard>();
  RankFacts mine;
  mine.host = HostId();
  Status st;
  for (const auto& p : plan.inputs) {
    if (st.ok()) st = InputFact(p, &mine.paths);
  }
  for (const auto& p : plan.outputs) {
    PathFact f;
    if (st.ok()) st = OutputFact(p, &f);
    if (st.ok()) mine.paths.push_back(std::move(f));
  }
  for (const auto& d : plan.temp_dirs) {
    PathFact f;
    if (st.ok()) st = DirFact(d, &f);
    if (st.ok() && f.role == 'D') mine.paths.push_back(std::move(f));
  }
  if (!st.ok()) mine.error = st.message();
  // Locks only once the paths are sound; a collision found below is reported before them.
  Status lock_st;
  for (const auto& p : plan.outputs) {
    if (!mine.error.empty() || !mine.lock_error.empty()) break;
    auto lock = OutputLock::Acquire(p);
    if (lock.ok()) {
      guard->locks_.push_back(std::move(*lock));
    } else {
      lock_st = lock.status();
      mine.lock_error = lock_st.message();
    }
  }
  // One scan per host (its first rank), not per rank: ranks of a host see the same directories,
  // and P ranks reading one shared directory at once would load its filesystem for nothing.
  const char* local_rank = std::getenv("OMPI_COMM_WORLD_LOCAL_RANK");
  const bool scans = local_rank == nullptr || std::string(local_rank) == "0";
  if (mine.error.empty() && scans) {
    std::set<std::string> dirs;
    for (const auto& p : plan.outputs) dirs.insert(DirectoryOf(p));
    for (const auto& d : plan.temp_dirs) dirs.insert(d);
    for (const auto& d : dirs) {
      auto found = FindLeftovers(d);  // an unreadable directory is found by the job itself
      if (!found.ok() || (found->removable.empty() && found->replaced.empty())) continue;
      const std::string real = RealPath(d);
      mine.leftovers.push_back(
          {real.empty() ? d : real, found->removable.size(), found->removable_bytes, found->replaced.size()});
    }
  }

  std::vector<RankFacts> all;
  for (const auto& s : comm.AllGather(Encode(mine))) all.push_back(Decode(s));
  // This rank's own failure keeps its code, errno and path; another rank's arrives as its line.
  auto failure = [&](int r, const Status& own, const std::string& line) {
    const std::string rank = "rank " + std::to_string(r);
    return r == comm.rank() ? own.WithContext(rank) : Status::Error(rank + ": " + line);
  };
  for (int r = 0; r < int(all.size()); ++r) {
    if (!all[size_t(r)].error.empty()) return failure(r, st, all[size_t(r)].error);
  }
  if (std::string c = FindCollision(all); !c.empty()) return Status::Error(StatusCode::kInvalidInput, c);
  for (int r = 0; r < int(all.size()); ++r) {
    if (!all[size_t(r)].lock_error.empty()) return failure(r, lock_st, all[size_t(r)].lock_error);
  }
  if (comm.rank() == 0) {
    std::map<std::string, RankFacts::Dir> dirs;  // ranks sharing a directory report it once
    for (const auto& f : all) {
      for (const auto& d : f.leftovers) dirs.emplace(d.path, d);
    }
    uint64_t files = 0, bytes = 0, replaced = 0;
    std::string where;
    for (const auto& [path, d] : dirs) {
      files += d.files;
      bytes += d.bytes;
      replaced += d.replaced;
      where += (where.empty() ? "" : " ") + std::string("--dir ") + path;
    }
    if (files > 0) {
      guard->notices_.push_back("notice: " + std::to_string(files) + " leftover files (" + Size(bytes) +
                                ") of riversort jobs that ended abnormally (work a failed sort kept is reused by the "
                                "same `riversort sort` with --resume); `riversort clean " +
                                where + "` removes them");
    }
    if (replaced > 0) {
      guard->notices_.push_back("notice: " + std::to_string(replaced) +
                                " files a failed job had moved aside (*.riversort-*.old) in " + where +
                                "; `riversort clean` lists them");
    }
  }
  return guard;
}

}  // namespace rs
