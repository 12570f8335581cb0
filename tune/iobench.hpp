// tune/iobench.hpp — the iobench sweep: for every (stripes, engine, transfer size, queue depth)
// it writes a test file through DiskSink and reads it back through DiskSource, timing each and
// measuring the process's CPU time, so users can pick the disk knobs for this machine. Runs on
// the calling thread (the streams use their own I/O threads); one sweep at a time per directory.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/status.hpp"
#include "io/io_engine.hpp"

namespace rs::tune {

// Defaults that only iobench uses (core/config.hpp holds the knobs of the sort itself).
//
// The test file: 1 GiB per point is long enough that ring setup and the first request's latency
// are below 1 % of a point even at 3 GB/s, and short enough that the default sweep of 24 points
// (both directions) runs in about a minute on this machine.
inline constexpr uint64_t kIobenchFileSize = uint64_t(1) << 30;
// Transfer sizes and depths swept by default: the grid of the fio table in docs/machine.md#disk (reads need 2 MiB
// at QD16-32; 128 KiB or QD1 stall near 1 GB/s), so the two can be compared point by point.
inline const std::vector<uint64_t> kIobenchTransferSizes = {uint64_t(128) << 10, uint64_t(512) << 10,
                                                            uint64_t(2) << 20};
inline const std::vector<unsigned> kIobenchQueueDepths = {1, 4, 16, 32};
// Pool buffers beyond the queue depth: one in the caller's hand and one in the stream's hand-off
// queue, so a stream can keep queue_depth requests in flight (as fio does with iodepth buffers)
// without the memory growing with anything but the depth.
inline constexpr size_t kIobenchSpareBuffers = 2;
// Member file name in each directory; iobench overwrites and removes it.
inline constexpr const char* kIobenchFileName = "iobench.dat";
// --runs upper bound: far beyond what a sweep needs, low enough to catch a typo.
inline constexpr int kIobenchMaxRuns = 100;

enum class Rw { kRead, kWrite };
const char* RwName(Rw rw);

struct IobenchConfig {
  std::vector<std::string> dirs;  // stripes K use dirs[0 .. K)
  uint64_t file_size = kIobenchFileSize;
  std::vector<uint64_t> transfer_sizes = kIobenchTransferSizes;
  std::vector<unsigned> queue_depths = kIobenchQueueDepths;
  std::vector<int> stripes;  // empty: 1 .. dirs.size()
  std::vector<EngineKind> engines = {EngineKind::kUring, EngineKind::kThreads};
  std::vector<Rw> rws = {Rw::kRead, Rw::kWrite};
  uint64_t stripe_unit = config::kStripeUnit;
  bool direct = true;  // O_DIRECT: the page cache stays out of the numbers
  int runs = 1;        // each point is measured `runs` times; rows hold the medians
  std::string file_name = kIobenchFileName;

  // Every value, each refused with one line naming its flag and the allowed range (the disk
  // knobs through DiskOptions::Check, like every other command).
  Status Check() const;
  // The stripes to sweep (`stripes`, or 1 .. dirs.size() when empty).
  std::vector<int> StripeCounts() const;
};

// One measured point (the medians over the runs).
struct IobenchRow {
  Rw rw = Rw::kRead;
  std::string engine;  // the engine that ran ("uring" or "threads")
  int stripes = 1;
  uint64_t stripe_unit = 0;
  uint64_t transfer_size = 0;
  unsigned queue_depth = 0;
  uint64_t bytes = 0;
  double seconds = 0;                                // median over the runs
  double mbps = 0;                                   // bytes / seconds / 10^6
  double cpu_s_per_gb = 0;                           // median of (user + system CPU seconds) / (bytes / 10^9)
  std::vector<double> run_seconds, run_cpu_seconds;  // every run, in run order
};

struct IobenchResult {
  IobenchConfig config;
  std::vector<IobenchRow> rows;  // one per point, in sweep order
  int best_read = -1;            // index into rows of the highest MB/s per direction; -1: none
  int best_write = -1;
  std::vector<std::string> notices;  // engine fallbacks, O_DIRECT refusals (each once)
};

using ProgressFn = std::function<void(const std::string& line)>;

// Runs the sweep. Progress (one line per measured point) goes to `progress` if set. The test
// files are removed afterwards, also when a point fails; the first failure ends the sweep.
Result<IobenchResult> RunIobench(const IobenchConfig& config, const ProgressFn& progress);

// "2M", "512K", "1G", or plain bytes when not a whole number of KiB.
std::string FormatSize(uint64_t bytes);

}  // namespace rs::tune
