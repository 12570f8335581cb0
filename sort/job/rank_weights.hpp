// sort/job/rank_weights.hpp — `--balance speed` and `--weights`: how much of the key range each
// rank takes, so that faster ranks do more of the work (Calypso/Chime: faster machines do more;
// River: a slow disk must not hold back the whole flow). docs/fault-tolerance.md#slow-ranks.
//
// --balance speed measures each rank as its read phase begins: it reads the first
// kCalibrationBytes of its partition (O_DIRECT, the sort's transfers and depth; at most a quarter
// of the budget), timed, and keeps those buffers for the read phase to route first, so nothing is
// read twice. A pass of an out-of-core sort reads and writes the same bytes; riversort takes the
// read rate for both (a disk that reads fast but writes slowly is misjudged: give --weights). The
// ranks all-gather their rates (P·8 bytes per rank: 8 KB at 1,000 ranks) and each part gets a
// share proportional to its rank's rate. --weights w0,w1,... gives the shares instead (whole
// numbers are used exactly: --weights 1,3 splits 1:3).
// Collective over the Comm; call from each rank's main thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/comm.hpp"
#include "river/disk_options.hpp"
#include "river/mem_pool.hpp"
#include "sort/job/sort_input.hpp"
#include "sort/job/sort_options.hpp"

namespace rs::sort {

struct RankWeights {
  std::vector<uint64_t> shares;  // one per rank, for the splitters (empty: equal parts)
  std::vector<double> weights;   // the same, summing to 1 (empty: equal parts)
  double read_mbps = 0;          // this rank's calibration (0: none)
  // The calibration's buffers: the partition's first `preloaded_bytes`, in order, for the read
  // phase to take first (its source starts after them). The pool outlives the buffers.
  std::unique_ptr<MemPool> pool;
  std::vector<Buffer> preloaded;
  uint64_t preloaded_bytes = 0;
  // The notice rank 0 prints: how the weights were decided and what they are.
  std::string notice;
};

// Every rank returns the same status and the same shares. `budget`: the rank's memory budget (the
// calibration holds at most a quarter of it). keep_read = false: the read phase will not start
// at the partition's beginning (a resumed sort), so the calibration's buffers are dropped.
Result<RankWeights> DecideRankWeights(Comm& comm, const SortOptions& options, const SortInput& input,
                                      const DiskOptions& disk, uint64_t budget, bool keep_read);

}  // namespace rs::sort
