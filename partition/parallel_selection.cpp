// sort/selection/parallel_selection.cpp — the rounds of exact parallel selection: the pivots every
// rank draws alike, the three reductions of a round, and how each rank narrows its own intervals.
#include "partition/parallel_selection.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <string>

#include "core/config.hpp"
#include "core/uint128.hpp"

namespace rs::partition {

namespace {

// An element on the wire, in an order memcmp keeps: key (K bytes), rank and position big-endian
// (element() bytes), then with SelectOptions::tag the holder's tag (tagged() bytes; it never
// decides a comparison, since (key, rank, position) is unique). All 0xFF: no element (a rank that
// holds none of it).
struct Wire {
  size_t key_size;
  size_t element() const { return key_size + 4 + 8; }
  size_t tagged() const { return element() + 8; }

  void Put(const Key& key, uint32_t rank, uint64_t index, uint8_t* out) const {
    std::memcpy(out, key.data(), key_size);
    PutBigEndian(rank, 4, out + key_size);
    PutBigEndian(index, 8, out + key_size + 4);
  }
  bool IsNone(const uint8_t* e) const {
    return std::all_of(e, e + element(), [](uint8_t b) { return b == 0xFF; });
  }
};

struct Pivot {
  Key key;
  uint32_t rank = 0;
  uint64_t index = 0;
};
Pivot GetPivot(const Wire& w, const uint8_t* e) {
  Pivot p;
  p.key = Key(e, w.key_size);
  p.rank = uint32_t(GetBigEndian(e + w.key_size, 4));
  p.index = GetBigEndian(e + w.key_size + 4, 8);
  return p;
}

uint64_t SplitMix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// The pivot positions of boundary j in round `round`, in [0, w): every position when w is at most
// the pivot count, else kSelectionPivots uniform draws (duplicates dropped). The same on every rank.
std::vector<uint64_t> PivotPositions(uint64_t w, size_t j, int round) {
  std::vector<uint64_t> pos;
  const uint64_t m = config::kSelectionPivots;
  if (w <= m) {
    pos.resize(w);
    std::iota(pos.begin(), pos.end(), uint64_t(0));
    return pos;
  }
  uint64_t state = SplitMix64((uint64_t(round) << 32) ^ uint64_t(j));
  for (uint64_t i = 0; i < m; ++i) {
    state = SplitMix64(state);
    pos.push_back(uint64_t((u128(state) * w) >> 64));
  }
  std::sort(pos.begin(), pos.end());
  pos.erase(std::unique(pos.begin(), pos.end()), pos.end());
  return pos;
}

// The search for one boundary: this rank's interval and the sums every rank knows.
struct Boundary {
  uint64_t target = 0;  // k_j
  uint64_t lo = 0, hi = 0;
  uint64_t sum_lo = 0, sum_hi = 0;
  bool done = false;
  void Settle() {
    if (sum_lo == target) {
      hi = lo;
      done = true;
    } else if (sum_hi == target) {
      lo = hi;
      done = true;
    }
  }
};

// This rank's count of elements below pivot x, clamped to [lo, hi): the pivot's own rank counts
// exactly the elements before it; equal keys order by rank, so a rank before the pivot's counts
// the elements with the pivot's key too.
Result<uint64_t> CountBelow(SortedKeys& mine, int me, const Boundary& b, const Pivot& x) {
  if (uint32_t(me) == x.rank) return x.index;
  return uint32_t(me) < x.rank ? mine.UpperBound(x.key, b.lo, b.hi) : mine.LowerBound(x.key, b.lo, b.hi);
}

}  // namespace

int MaxSelectionRounds(uint64_t total_elements) {
  int log2 = 0;
  while (log2 < 64 && (uint64_t(1) << log2) < total_elements + 1) ++log2;
  return 16 + 2 * log2;
}

Result<Selection> SelectBoundaries(Comm& comm, SortedKeys& mine, const SelectOptions& options) {
  const size_t parts = size_t(options.parts > 0 ? options.parts : comm.size());
  const int me = comm.rank();
  Selection sel;
  const Wire wire{mine.key_size()};
  {
    // Every rank's keys must have the same length, since the reductions' element sizes follow
    // from it; every rank returns the same verdict (K <= 65,536).
    const uint64_t k = mine.key_size();
    if (!SameOnEveryRank(comm, {k})) {
      return Status::Error("parallel selection: the ranks' keys differ in length (this rank's are " +
                           std::to_string(k) + " bytes; were they given different --key-size?)");
    }
    std::vector<uint64_t> total{mine.size()};
    comm.AllReduceSum(total);
    sel.total = total[0];
  }
  if (!options.shares.empty() && options.shares.size() != parts) {
    return Status::Error("internal: parallel selection given " + std::to_string(options.shares.size()) +
                         " shares for " + std::to_string(parts) + " parts");
  }
  u128 share_sum = 0;
  for (uint64_t w : options.shares) share_sum += w;
  std::vector<Boundary> bounds(parts - 1);  // boundary j at j − 1
  u128 before = 0;                          // shares of parts 0 .. j − 1
  for (size_t j = 1; j < parts; ++j) {
    Boundary& b = bounds[j - 1];
    if (share_sum > 0) {
      before += options.shares[j - 1];
      b.target = uint64_t(u128(sel.total) * before / share_sum);
    } else {
      b.target = uint64_t(u128(j) * sel.total / parts);
    }
    b.hi = mine.size();
    b.sum_hi = sel.total;
    b.Settle();
  }

  const int max_rounds = MaxSelectionRounds(sel.total);
  Status local;
  std::vector<size_t> open;
  std::vector<uint64_t> starts, counts;
  std::vector<uint8_t> pivots;
  std::vector<std::vector<uint64_t>> positions;
  for (;;) {
    open.clear();
    for (size_t i = 0; i < bounds.size(); ++i) {
      if (!bounds[i].done) open.push_back(i);
    }
    if (open.empty()) break;
    if (sel.rounds == max_rounds) {  // the same on every rank: every rank knows every sum
      return Status::Error("parallel selection: " + std::to_string(open.size()) + " boundaries still open after " +
                           std::to_string(max_rounds) + " rounds, the cap for " + std::to_string(sel.total) +
                           " elements (are the ranks' keys sorted?)");
    }
    ++sel.rounds;
    // 1. Where this rank's intervals start in the concatenation of everybody's.
    starts.resize(open.size());
    for (size_t o = 0; o < open.size(); ++o) starts[o] = bounds[open[o]].hi - bounds[open[o]].lo;
    comm.ExScanSum(starts);
    // 2. The pivots: the holder of each drawn position contributes its element.
    positions.resize(open.size());
    size_t total_pivots = 0;
    for (size_t o = 0; o < open.size(); ++o) {
      const Boundary& b = bounds[open[o]];
      positions[o] = PivotPositions(b.sum_hi - b.sum_lo, open[o] + 1, sel.rounds);
      total_pivots += positions[o].size();
    }
    pivots.assign(total_pivots * wire.element(), 0xFF);
    size_t at = 0;
    for (size_t o = 0; o < open.size(); ++o) {
      const Boundary& b = bounds[open[o]];
      for (uint64_t p : positions[o]) {
        if (local.ok() && p >= starts[o] && p - starts[o] < b.hi - b.lo) {
          const uint64_t index = b.lo + (p - starts[o]);
          Result<Key> key = mine.KeyAt(index);
          if (key.ok()) {
            wire.Put(*key, uint32_t(me), index, &pivots[at * wire.element()]);
          } else {
            local = key.status();
          }
        }
        ++at;
      }
    }
    comm.AllReduceMinBytes(pivots, wire.element());
    // 3. Every rank's count below every pivot, summed; the last slot counts failed ranks.
    counts.assign(total_pivots + 1, 0);
    at = 0;
    for (size_t o = 0; o < open.size(); ++o) {
      for (size_t i = 0; i < positions[o].size(); ++i, ++at) {
        // A pivot whose holder failed stays "none"; the failure slot ends the round for everyone.
        if (!local.ok() || wire.IsNone(&pivots[at * wire.element()])) continue;
        Result<uint64_t> c = CountBelow(mine, me, bounds[open[o]], GetPivot(wire, &pivots[at * wire.element()]));
        if (c.ok()) {
          counts[at] = *c;
        } else {
          local = c.status();
        }
      }
    }
    counts.back() = local.ok() ? 0 : 1;
    std::vector<uint64_t> sums = counts;
    comm.AllReduceSum(sums);
    if (sums.back() > 0) return AgreeOnStatus(comm, local);
    // 4. New ends: the pivot with the largest sum below the target, the one with the smallest above.
    at = 0;
    for (size_t o = 0; o < open.size(); ++o) {
      Boundary& b = bounds[open[o]];
      uint64_t best_below = 0, best_above = UINT64_MAX;
      size_t below = SIZE_MAX, above = SIZE_MAX;
      for (size_t i = 0; i < positions[o].size(); ++i, ++at) {
        const uint64_t c = sums[at];
        if (c < b.target && (below == SIZE_MAX || c >= best_below)) best_below = c, below = at;
        if (c > b.target && c < best_above) best_above = c, above = at;
        if (c == b.target) {
          b.lo = b.hi = counts[at];
          b.sum_lo = b.sum_hi = c;
        }
      }
      if (b.sum_lo != b.target || b.sum_hi != b.target) {
        if (below != SIZE_MAX) {
          const Pivot x = GetPivot(wire, &pivots[below * wire.element()]);
          b.lo = counts[below] + (x.rank == uint32_t(me) ? 1 : 0);  // past the pivot, which is among the smallest
          b.sum_lo = best_below + 1;
        }
        if (above != SIZE_MAX) {
          b.hi = counts[above];
          b.sum_hi = best_above;
        }
      }
      b.Settle();
    }
  }

  sel.row.assign(parts + 1, 0);
  for (size_t j = 1; j < parts; ++j) sel.row[j] = bounds[j - 1].lo;
  sel.row[parts] = mine.size();
  // Each output rank's range of every rank's sequence: 16 bytes per pair, each to its rank.
  if (parts == size_t(comm.size())) {
    std::vector<std::string> to(parts);
    for (size_t r = 0; r < parts; ++r) {
      to[r].resize(2 * sizeof(uint64_t));
      std::memcpy(to[r].data(), &sel.row[r], sizeof(uint64_t));
      std::memcpy(to[r].data() + sizeof(uint64_t), &sel.row[r + 1], sizeof(uint64_t));
    }
    const std::vector<std::string> from = comm.AllToAll(to);
    sel.column.resize(parts);
    for (size_t q = 0; q < parts; ++q) {
      std::memcpy(&sel.column[q].first, from[q].data(), sizeof(uint64_t));
      std::memcpy(&sel.column[q].second, from[q].data() + sizeof(uint64_t), sizeof(uint64_t));
    }
  }

  if (options.tag && sel.total > 0 && parts > 1) {
    // Boundary j's element is the smallest element not among the k_j smallest: each rank offers
    // its first one past its cut.
    std::vector<uint8_t> first((parts - 1) * wire.tagged(), 0xFF);
    for (size_t j = 1; j < parts && local.ok(); ++j) {
      if (sel.row[j] >= mine.size()) continue;
      Result<Key> key = mine.KeyAt(sel.row[j]);
      if (!key.ok()) {
        local = key.status();
        break;
      }
      uint8_t* e = &first[(j - 1) * wire.tagged()];
      wire.Put(*key, uint32_t(me), sel.row[j], e);
      PutBigEndian(options.tag(sel.row[j]), 8, e + wire.element());
    }
    RS_RETURN_IF_ERROR(AgreeOnStatus(comm, local));
    comm.AllReduceMinBytes(first, wire.tagged());
    sel.boundaries.resize(parts - 1);
    for (size_t j = 1; j < parts; ++j) {
      const uint8_t* e = &first[(j - 1) * wire.tagged()];
      const Pivot p = GetPivot(wire, e);
      sel.boundaries[j - 1] = {p.key, p.rank, p.index, GetBigEndian(e + wire.element(), 8)};
    }
  }
  return sel;
}

}  // namespace rs::partition
