// sort/selection/parallel_selection.hpp — threepass phase 3a (docs/external.md#the-pieces-sort): exact parallel
// multi-sequence selection of the output boundaries over every rank's sorted work file.
//
// Order: records compare by (key, rank, position in that rank's file), a strict total order, so
// boundary j — the k_j = ⌊j·N/P⌋ smallest records lie before it — is one exact point even inside a
// run of equal keys, and output rank r gets exactly k_{r+1} − k_r records (⌊N/P⌋ or ⌈N/P⌉).
//
// Algorithm. For every inner boundary, every rank keeps every rank q's interval [lo_q, hi_q] that
// holds the answer c_q (the boundary's records from q); the state is replicated: all ranks apply
// the same updates to the same gathered data. Each round, for every boundary still open:
//   * every rank q with lo_q < hi_q proposes its record at m_q = lo_q + ⌊(hi_q − lo_q)/2⌋ with
//     weight hi_q − lo_q; the pivot x is the weighted median of the proposals;
//   * every rank counts its records below x with one search clamped to its interval (t_q);
//   * with T = Σ t_q: if T < k_j, x is among the k_j smallest, so lo_q = t_q (x's owner: past x);
//     otherwise hi_q = t_q. The boundary is found when Σ lo = k_j or Σ hi = k_j.
// A round is one AllGather: with its count, each rank sends its next proposal for either outcome
// (the middles of [t_q, hi_q) and of [lo_q, t_q)), so the next pivot needs no exchange of its own.
// All open boundaries travel in the same message: a rank sends 1 + 28·(open boundaries) bytes per
// round, and its work per round and open boundary is one LowerBound/UpperBound and at most two KeyAt.
//
// Bound. The proposals at or below x carry at least half the weight W = Σ (hi_q − lo_q), and so do
// those at or above x. If T < k_j, each of the first loses at least half its interval (lo moves
// past its proposal); otherwise each of the second does (hi moves to its proposal). So a round
// removes at least ⌈W/4⌉, W starts at N, and a boundary is found at the latest when W = 0:
// rounds <= MaxSelectionRounds(N) = 1 + (steps w → w − ⌈w/4⌉ from N to 0) <= 2 + log_{4/3} N,
// i.e. 47 for 10^6 records, 79 for 10^10 (1 TB). A selection that needs more (only possible if
// some rank's keys are not sorted) ends with an error on every rank instead of looping.
#pragma once

#include <cstdint>
#include <vector>

#include "core/comm.hpp"
#include "core/status.hpp"
#include "sort/selection/sorted_keys.hpp"

namespace rs::sort {

struct Selection {
  // cuts[q][j], q = 0..P−1 (every rank's file), j = 0..P: how many records of rank q's file go to
  // output ranks < j. cuts[q][0] = 0, cuts[q][P] = n_q; output rank r gets records
  // [cuts[q][r], cuts[q][r + 1]) of every rank q's file.
  std::vector<std::vector<uint64_t>> cuts;
  int rounds = 0;  // communication rounds (AllGathers) the selection took
};

// Most rounds SelectBoundaries takes for `total_records` records over all ranks (see above).
int MaxSelectionRounds(uint64_t total_records);

// Collective over comm: every rank calls it from the thread that owns its Comm, with its own
// sorted keys (empty is fine); all ranks return the same Selection, or the same Status: a failed
// query on one rank comes back on every rank as "rank R: <path: reason>" (AgreeOnStatus).
Result<Selection> SelectBoundaries(Comm& comm, SortedKeys& mine);

}  // namespace rs::sort
