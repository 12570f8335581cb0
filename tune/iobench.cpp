// tune/iobench.cpp
//
// A point writes the test file through DiskSink from a MemPool whose buffers were filled with a
// fixed pattern once (no CPU per buffer), syncs it (Close), then reads it back through DiskSource
// and drops the buffers unread. Timing uses the steady clock; CPU time is the process's
// getrusage(RUSAGE_SELF) user + system delta, so every thread of the stream (the caller, the I/O
// thread, the thread engine's workers) is counted. Runs are the outer loop, so drift of the
// machine spreads over every point alike; rows hold the medians over the runs.
#include "tune/iobench.hpp"

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

#include "io/striped_file.hpp"
#include "river/disk_options.hpp"
#include "river/disk_sink.hpp"
#include "river/disk_source.hpp"
#include "river/mem_pool.hpp"

namespace rs::tune {

namespace {

double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) * 1e-6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

template <typename T>
std::vector<T> Unique(const std::vector<T>& v) {
  std::vector<T> out;
  for (const T& x : v) {
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  }
  return out;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Every buffer of the pool gets the same pseudo-random bytes once (not zeros: a host that
// detects zero blocks would make writes look faster than they are). This also touches the
// memory before any clock runs (docs/machine.md#memory: first touch costs 1-2 s/GiB).
void FillPattern(MemPool* pool) {
  std::vector<Buffer> all;
  for (size_t i = 0; i < pool->count(); ++i) all.push_back(pool->Get());
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (auto& b : all) {
    for (size_t off = 0; off + 8 <= b.capacity(); off += 8) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      std::memcpy(b.data() + off, &x, 8);
    }
  }
}

std::vector<std::string> MemberPaths(const IobenchConfig& c, int k) {
  std::vector<std::string> members;
  for (int i = 0; i < k; ++i) {
    std::string p = c.dirs[size_t(i)];
    if (p.empty() || p.back() != '/') p += '/';
    p += c.file_name;
    members.push_back(p);
  }
  return members;
}

// Removes the test files when a point ends, however it ends. (DiskSink removes its own
// temporaries when it fails or is abandoned; this removes the published members.)
class RemoveOnExit {
 public:
  explicit RemoveOnExit(std::vector<std::string> paths) : paths_(std::move(paths)) {}
  ~RemoveOnExit() {
    for (const auto& p : paths_) ::unlink(p.c_str());
  }
  RemoveOnExit(const RemoveOnExit&) = delete;
  RemoveOnExit& operator=(const RemoveOnExit&) = delete;

 private:
  std::vector<std::string> paths_;
};

struct Measurement {
  double seconds = 0;
  double cpu_seconds = 0;
  std::string engine;
};

void AddNotices(std::vector<std::string>* from, std::vector<std::string>* to) {
  for (auto& n : *from) {
    if (std::find(to->begin(), to->end(), n) == to->end()) to->push_back(n);
  }
  from->clear();
}

// Writes `size` bytes in pool buffers through a DiskSink. Timed from the first Put to the end of
// Close() (the data synced, the members renamed into place); creating and preallocating the
// files happens before the clock starts, as fio lays out its file before its clock starts.
Status MeasureWrite(const std::vector<std::string>& members, const DiskOptions& opt, MemPool* pool, uint64_t size,
                    Measurement* m, std::vector<std::string>* notices) {
  auto sink = DiskSink::Create(members, opt, pool, size, notices);
  if (!sink.ok()) return sink.status();
  m->engine = (*sink)->engine_name();
  const double cpu0 = CpuSeconds(), t0 = Now();
  for (uint64_t off = 0; off < size;) {
    Buffer b = pool->Get();
    size_t n = size_t(std::min<uint64_t>(opt.transfer_size, size - off));
    b.set_size(n);
    (*sink)->Put(std::move(b));
    off += n;
  }
  Status st = (*sink)->Close();
  m->seconds = Now() - t0;
  m->cpu_seconds = CpuSeconds() - cpu0;
  return st;
}

// Reads the whole file through a DiskSource and drops the buffers. Timed from Open (files
// opened, ring set up, buffers registered; the I/O thread starts reading at once) to the last
// buffer handed out.
Status MeasureRead(const std::vector<std::string>& members, const DiskOptions& opt, MemPool* pool, uint64_t size,
                   Measurement* m, std::vector<std::string>* notices) {
  const double cpu0 = CpuSeconds(), t0 = Now();
  auto src = DiskSource::Open(members, opt, pool, notices);
  if (!src.ok()) return src.status();
  uint64_t got = 0;
  while (auto b = (*src)->Get()) got += b->size();
  m->seconds = Now() - t0;
  m->cpu_seconds = CpuSeconds() - cpu0;
  m->engine = (*src)->engine_name();
  RS_RETURN_IF_ERROR((*src)->status());
  if (got != size) {
    return Status::Error(members[0] + ": read " + std::to_string(got) + " bytes back, wrote " + std::to_string(size));
  }
  return Status::Ok();
}

}  // namespace

const char* RwName(Rw rw) { return rw == Rw::kRead ? "read" : "write"; }

std::string FormatSize(uint64_t bytes) {
  const char* suffix[] = {"T", "G", "M", "K"};
  for (int i = 0; i < 4; ++i) {
    uint64_t unit = uint64_t(1) << (10 * (4 - i));
    if (bytes != 0 && bytes % unit == 0) return std::to_string(bytes / unit) + suffix[i];
  }
  return std::to_string(bytes);
}

std::vector<int> IobenchConfig::StripeCounts() const {
  if (!stripes.empty()) return Unique(stripes);
  std::vector<int> all;
  for (int k = 1; k <= int(dirs.size()); ++k) all.push_back(k);
  return all;
}

Status IobenchConfig::Check() const {
  if (dirs.empty()) return Status::Error("--dir: give at least one directory");
  std::set<std::pair<dev_t, ino_t>> seen;
  for (const auto& d : dirs) {
    struct stat st {};
    if (::stat(d.c_str(), &st) != 0) return Status::FromErrno(errno, "--dir " + d);
    if (!S_ISDIR(st.st_mode)) return Status::Error("--dir " + d + ": not a directory");
    if (!seen.insert({st.st_dev, st.st_ino}).second) {
      return Status::Error("--dir " + d + ": given twice (each stripe needs its own directory)");
    }
  }
  if (file_size < 4096 || file_size > (uint64_t(1) << 40)) {
    return Status::Error("--size " + std::to_string(file_size) + ": allowed 4K .. 1T");
  }
  if (transfer_sizes.empty()) return Status::Error("--transfer-size: give at least one value");
  if (queue_depths.empty()) return Status::Error("--queue-depth: give at least one value");
  if (engines.empty()) return Status::Error("--io-engine: give at least one of uring, threads");
  if (rws.empty()) return Status::Error("--rw: give at least one of read, write");
  // The disk knobs through the one check every command uses.
  DiskOptions o;
  o.direct = direct;
  o.stripe_unit = stripe_unit;
  for (uint64_t t : transfer_sizes) {
    o.transfer_size = t;
    RS_RETURN_IF_ERROR(o.Check());
  }
  o.transfer_size = config::kTransferSize;
  for (unsigned q : queue_depths) {
    o.queue_depth = q;
    RS_RETURN_IF_ERROR(o.Check());
  }
  for (int k : stripes) {
    if (k < 1 || k > int(dirs.size())) {
      return Status::Error("--stripes " + std::to_string(k) + ": allowed 1 .. " + std::to_string(dirs.size()) +
                           " (the number of --dir)");
    }
  }
  for (EngineKind e : engines) {
    if (e != EngineKind::kUring && e != EngineKind::kThreads) {
      return Status::Error(std::string("--io-engine ") + EngineName(e) +
                           ": allowed uring, threads (iobench measures each engine by name)");
    }
  }
  if (runs < 1 || runs > kIobenchMaxRuns) {
    return Status::Error("--runs " + std::to_string(runs) + ": allowed 1 .. " + std::to_string(kIobenchMaxRuns));
  }
  if (file_name.empty() || file_name.find('/') != std::string::npos) {
    return Status::Error("iobench: test file name '" + file_name + "' must be a plain file name");
  }
  // Room for the largest member each directory will hold (checked here rather than minutes into
  // the sweep). Directories on one filesystem hold their members one point at a time.
  for (size_t i = 0; i < dirs.size(); ++i) {
    uint64_t need = 0;
    for (int k : StripeCounts()) {
      if (size_t(k) > i) {
        uint64_t m = StripedFile::MemberSize(file_size, stripe_unit, k, int(i));
        need = std::max(need, (m + 4095) / 4096 * 4096);
      }
    }
    struct statvfs fs {};
    if (need > 0 && ::statvfs(dirs[i].c_str(), &fs) == 0 && uint64_t(fs.f_bavail) * fs.f_frsize < need) {
      return Status::Error("--size " + FormatSize(file_size) + ": " + dirs[i] + " has " +
                           std::to_string(uint64_t(fs.f_bavail) * fs.f_frsize) + " bytes free, needs " +
                           std::to_string(need));
    }
  }
  return Status::Ok();
}

Result<IobenchResult> RunIobench(const IobenchConfig& config_in, const ProgressFn& progress) {
  RS_RETURN_IF_ERROR(config_in.Check());
  IobenchResult result;
  IobenchConfig& c = result.config;
  c = config_in;
  c.transfer_sizes = Unique(c.transfer_sizes);
  c.queue_depths = Unique(c.queue_depths);
  c.stripes = c.StripeCounts();
  c.engines = Unique(c.engines);
  c.rws = Unique(c.rws);
  const bool do_write = std::count(c.rws.begin(), c.rws.end(), Rw::kWrite) > 0;
  const bool do_read = std::count(c.rws.begin(), c.rws.end(), Rw::kRead) > 0;

  // Points in sweep order. Engines are innermost so that the two engines are measured side by
  // side, and one pool serves every point with the same transfer size and depth.
  struct Point {
    int stripes;
    uint64_t transfer;
    unsigned depth;
    EngineKind engine;
    int row_write = -1, row_read = -1;
  };
  std::vector<Point> points;
  for (int k : c.stripes) {
    for (uint64_t t : c.transfer_sizes) {
      for (unsigned q : c.queue_depths) {
        for (EngineKind e : c.engines) {
          Point p{k, t, q, e};
          for (Rw rw : {Rw::kWrite, Rw::kRead}) {
            if ((rw == Rw::kWrite && !do_write) || (rw == Rw::kRead && !do_read)) continue;
            IobenchRow row;
            row.rw = rw;
            row.engine = EngineName(e);
            row.stripes = k;
            row.stripe_unit = c.stripe_unit;
            row.transfer_size = t;
            row.queue_depth = q;
            row.bytes = c.file_size;
            (rw == Rw::kWrite ? p.row_write : p.row_read) = int(result.rows.size());
            result.rows.push_back(row);
          }
          points.push_back(p);
        }
      }
    }
  }

  std::unique_ptr<MemPool> pool;
  std::vector<std::string> notices;
  for (int run = 0; run < c.runs; ++run) {
    for (size_t i = 0; i < points.size(); ++i) {
      const Point& p = points[i];
      const size_t buffer_bytes = (p.transfer + 4095) / 4096 * 4096;  // what MemPool rounds to
      if (!pool || pool->buffer_size() != buffer_bytes || pool->count() != p.depth + kIobenchSpareBuffers) {
        pool.reset();
        auto made = MemPool::Create(p.transfer, p.depth + kIobenchSpareBuffers);
        if (!made.ok()) return made.status();
        pool = std::move(*made);
        FillPattern(pool.get());
      }
      DiskOptions opt;
      opt.transfer_size = p.transfer;
      opt.queue_depth = p.depth;
      opt.engine = p.engine;
      opt.direct = c.direct;
      opt.stripe_unit = c.stripe_unit;
      const std::vector<std::string> members = MemberPaths(c, p.stripes);
      RemoveOnExit cleanup(members);
      // The write always runs (the read needs the file); it is a measured point when asked for.
      Measurement w, r;
      RS_RETURN_IF_ERROR(MeasureWrite(members, opt, pool.get(), c.file_size, &w, &notices));
      if (do_read) RS_RETURN_IF_ERROR(MeasureRead(members, opt, pool.get(), c.file_size, &r, &notices));
      AddNotices(&notices, &result.notices);

      for (int index : {p.row_write, p.row_read}) {
        if (index < 0) continue;
        IobenchRow& row = result.rows[size_t(index)];
        const Measurement& m = index == p.row_write ? w : r;
        row.engine = m.engine;
        row.run_seconds.push_back(m.seconds);
        row.run_cpu_seconds.push_back(m.cpu_seconds);
        if (progress) {
          char line[256];
          std::snprintf(line, sizeof line,
                        "iobench: run %d/%d point %zu/%zu: %-5s %-7s K=%d T=%s QD=%u: %.0f MB/s, %.3f CPU s/GB",
                        run + 1, c.runs, i + 1, points.size(), RwName(row.rw), m.engine.c_str(), p.stripes,
                        FormatSize(p.transfer).c_str(), p.depth, double(c.file_size) / 1e6 / m.seconds,
                        m.cpu_seconds / (double(c.file_size) / 1e9));
          progress(line);
        }
      }
    }
  }

  for (size_t i = 0; i < result.rows.size(); ++i) {
    IobenchRow& row = result.rows[i];
    row.seconds = Median(row.run_seconds);
    row.mbps = row.seconds > 0 ? double(row.bytes) / 1e6 / row.seconds : 0;
    row.cpu_s_per_gb = Median(row.run_cpu_seconds) / (double(row.bytes) / 1e9);
    int& best = row.rw == Rw::kRead ? result.best_read : result.best_write;
    if (best < 0 || row.mbps > result.rows[size_t(best)].mbps) best = int(i);
  }
  return result;
}

}  // namespace rs::tune
