// partition/parallel_selection.hpp — exact parallel multi-sequence selection: the P − 1
// boundaries that split the union of every rank's sorted sequence into P parts of ⌊N/P⌋ or ⌈N/P⌉
// elements. threepass uses it on its sorted work files (phase 3a, docs/external.md#the-pieces-sort);
// the sample splitter on the ranks' sorted samples (partition/splitter.hpp).
//
// Order: elements compare by (key, rank, position in that rank's sequence), a strict total order,
// so boundary j — the k_j = ⌊j·N/P⌋ smallest elements lie before it — is one exact point even
// inside a run of equal keys.
//
// Algorithm (docs/partition.md#exact-parallel-selection). For every boundary still open, each rank keeps its
// own interval [lo, hi) that holds its part of the answer, and every rank knows the sums L = Σ lo and
// H = Σ hi. A round, for all open boundaries at once, is three collectives whose size does not
// depend on P beyond the number of boundaries:
//   * ExScanSum of the interval lengths: each rank learns where its interval starts in the
//     concatenation of all intervals (W = H − L elements);
//   * kSelectionPivots positions drawn in [0, W) from a generator every rank seeds alike (all of
//     them once W is that small); the rank holding a position contributes that element and
//     AllReduceMinBytes hands every rank every pivot — uniformly random elements of the union;
//   * every rank counts its elements below each pivot (one search clamped to its interval) and
//     AllReduceSum adds the counts, C(x). C(x) = k_j: x is the boundary and the counts are the
//     answer. Otherwise the pivots with the largest C < k_j and the smallest C > k_j become the new
//     ends (the counts are clamped to the intervals, yet C(x) < k_j exactly when x is among the k_j
//     smallest).
// With m random pivots the interval left around the target is about 2/(m + 2) of the last one, so
// a round divides W by about 9 (16 pivots): 7 rounds for 10^6 elements, 11 for 10^10. A round
// always removes at least the pivots, so the selection ends; MaxSelectionRounds caps it at a count
// that random pivots exceed with probability below 10^-15 (keys that are not sorted can).
// Per rank and round: 8 + (K + 20)·m bytes per open boundary into the reductions (K-byte keys: 30·m
// for gensort's), m searches.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "core/comm.hpp"
#include "core/status.hpp"
#include "partition/sorted_keys.hpp"

namespace rs::partition {

// The first element of output rank j (boundary j): its key, the rank whose sequence holds it, its
// position there, and the tag that rank's callback gave it.
struct BoundaryElement {
  Key key{};
  uint32_t rank = 0;
  uint64_t index = 0;
  uint64_t tag = 0;
};

struct Selection {
  // row[j], j = 0..P: how many of this rank's elements go to output ranks < j (row[0] = 0,
  // row[P] = this rank's size); output rank r gets [row[r], row[r + 1]) of them.
  std::vector<uint64_t> row;
  // column[q], q = 0..P−1: the range [first, second) of rank q's sequence that this rank gets
  // (when the parts are the ranks).
  std::vector<std::pair<uint64_t, uint64_t>> column;
  // With SelectOptions::tag: boundaries j = 1..P−1 (at j − 1); empty when there are no elements.
  std::vector<BoundaryElement> boundaries;
  uint64_t total = 0;  // N: elements over all ranks
  int rounds = 0;      // rounds of the search (each three collectives)
};

struct SelectOptions {
  // Parts to cut the union into (1 .. kMaxParts); 0: one per rank. With another count than the
  // ranks, Selection::column stays empty (it says what each rank receives as an output rank).
  int parts = 0;
  // When set, the selection also finds every boundary's element (one more reduction) and asks the
  // rank holding it for a tag of its position (the sample splitter: the record's origin position).
  std::function<uint64_t(uint64_t index)> tag;
  // Parts of unequal sizes (--balance speed): part j gets shares[j] / Σ shares of the elements —
  // boundary j is the ⌊N·(shares[0] + … + shares[j−1]) / Σ shares⌋-th element, exactly. Empty:
  // equal parts. Every rank passes the same shares, one per part, each >= 1.
  std::vector<uint64_t> shares;
};

// Most rounds SelectBoundaries takes for `total_elements` elements: 16 + 2·⌈log2(N + 1)⌉. W <= 16
// ends in one round. Otherwise the interval left is at most W/2 unless one of the four quarters of
// the union (in key order) got none of the 16 uniformly random pivots: probability <= 4·(3/4)^16
// < 0.041. Needing more rounds than the cap takes more than log2 N + 15 such misses in
// 2·log2 N + 15 rounds: probability < 0.164^(log2 N) · 2·10^-16.
int MaxSelectionRounds(uint64_t total_elements);

// Collective over comm: every rank calls it from the thread that owns its Comm, with its own
// sorted keys (empty is fine); all ranks return the same boundaries, or the same Status: a failed
// query on one rank comes back on every rank as "rank R: <path: reason>" (AgreeOnStatus).
Result<Selection> SelectBoundaries(Comm& comm, SortedKeys& mine, const SelectOptions& options = {});

}  // namespace rs::partition
