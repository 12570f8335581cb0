// sort/job/sort_options.hpp — everything `riversort sort` is told, with defaults from core/config.hpp.
#pragma once

#include <string>
#include <vector>

#include "core/dataset_paths.hpp"
#include "core/record_shape.hpp"
#include "river/disk_options.hpp"
#include "river/net/transport.hpp"

namespace rs::sort {

enum class SplitterKind { kUniform, kSample };
// How the key range is divided among the ranks: equally, or by each rank's measured speed
// (sort/job/rank_weights.hpp).
enum class Balance { kEven, kSpeed };

struct SortOptions {
  std::string algo = "onepass";
  DatasetPaths in;
  DatasetPaths out;
  std::string manifest;  // input manifest; empty: in's default manifest if it exists
  DiskOptions disk;
  // The records' size, key size and key offset (docs/records.md): every algorithm takes any.
  RecordShape shape;
  // Read the input through the page cache while the output stays as `disk` says: for input that
  // is cached (the Datamation rules allow it), where O_DIRECT would read it from the disk again.
  bool buffered_input = false;
  uint64_t memory = 0;  // per-rank budget for buffers in bytes; 0: what the data needs
  // Where runs and work files go (one member per directory, striped); empty: the output's dirs.
  std::vector<std::string> tmp_dirs;
  bool progress = false;  // force rank 0's live progress lines (else only on a terminal)
  // Most runs per merge (0: what --memory allows, at most config::external::kMaxFanIn); tests set
  // it low to force merges in levels.
  size_t fan_in = 0;
  // twopass's and threepass's network buffers (ExternalPlan::net_buffer_bytes; whole records, at
  // most the transfer size); 0: sized from the budget and the ranks (docs/scale.md#memory-per-rank).
  uint64_t net_buffer = 0;
  TransportKind transport = TransportKind::kMpi;
  TransportOptions exchange;
  SplitterKind splitters = SplitterKind::kSample;
  bool validate = false;
  // twopass/threepass: reuse the work an earlier run of the same job kept (sort/resume/).
  bool resume = false;
  Balance balance = Balance::kEven;
  std::vector<double> weights;  // --weights: one per rank (empty: --balance decides)
  std::string result_path;      // JSON result; empty: none
  // An `riversort iobench` JSON with this machine's disk limits, for the phase table's "bound"
  // column (sort/report/phase_bound.hpp); empty: config::limits.
  std::string limits_path;
  int threads = 0;  // TBB threads per rank; 0 = one per core
};

const char* SplitterName(SplitterKind k);
// Where runs and work files go: --tmp-dir, else the output's dirs.
inline const std::vector<std::string>& WorkDirs(const SortOptions& o) {
  return o.tmp_dirs.empty() ? o.out.dirs : o.tmp_dirs;
}
// The options as a JSON object, for result files.
std::string ConfigJson(const SortOptions& options);

}  // namespace rs::sort
