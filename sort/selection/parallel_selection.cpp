// sort/selection/parallel_selection.cpp — the rounds of exact parallel selection: what each rank sends, and
// how every rank updates the replicated search state from what all ranks sent.
#include "sort/selection/parallel_selection.hpp"

#include <algorithm>
#include <compare>
#include <cstring>
#include <numeric>
#include <string>
#include <utility>

#include "core/uint128.hpp"

namespace rs::sort {

namespace {

// A record's place in the global order: key, then rank, then position in that rank's sequence.
struct Element {
  Key key{};
  int rank = 0;
  uint64_t pos = 0;
  friend auto operator<=>(const Element&, const Element&) = default;
};

// The search for one inner boundary, the same on every rank.
struct Boundary {
  uint64_t target = 0;           // k_j: records before the boundary
  std::vector<uint64_t> lo, hi;  // per rank q: lo[q] <= answer[q] <= hi[q]; once done, lo is the answer
  Element pivot;                 // while open: this round's pivot
  bool done = false;
};

// Every message starts with one byte: kFailed means the sender's local step failed and nothing follows.
constexpr char kOk = 0, kFailed = 1;
// Round 0, per rank: its record count and its first proposal.
constexpr size_t kFirstBytes = 8 + kKeySize;
// Later rounds, per rank and open boundary: the count below the pivot, then the next proposal if the
// pivot turns out to be among the target smallest records, and the next proposal if it does not.
constexpr size_t kCountBytes = 8 + 2 * kKeySize;

uint64_t Mid(uint64_t lo, uint64_t hi) { return lo + (hi - lo) / 2; }
uint64_t Sum(const std::vector<uint64_t>& v) { return std::accumulate(v.begin(), v.end(), uint64_t(0)); }

void PutU64(std::string* out, uint64_t v) { out->append(reinterpret_cast<const char*>(&v), sizeof v); }
void PutKey(std::string* out, const Key& k) { out->append(reinterpret_cast<const char*>(k.data()), k.size()); }
uint64_t GetU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
Key GetKey(const char* p) {
  Key k;
  std::memcpy(k.data(), p, k.size());
  return k;
}

// One round: every rank's message, each still starting with its status byte. If any rank failed,
// every rank returns the Status they agree on instead (all see the same flags, so all take part).
Result<std::vector<std::string>> Exchange(Comm& comm, const Status& local, const std::string& payload,
                                          size_t payload_bytes, int* rounds) {
  std::string mine(1, local.ok() ? kOk : kFailed);
  if (local.ok()) mine += payload;
  std::vector<std::string> all = comm.AllGather(mine);
  ++*rounds;
  if (std::any_of(all.begin(), all.end(), [](const std::string& m) { return !m.empty() && m[0] == kFailed; })) {
    return AgreeOnStatus(comm, local);
  }
  for (size_t q = 0; q < all.size(); ++q) {
    if (all[q].size() != 1 + payload_bytes) {
      return Status::Error("parallel selection: rank " + std::to_string(q) + " sent " + std::to_string(all[q].size()) +
                           " bytes in round " + std::to_string(*rounds) + ", expected " +
                           std::to_string(1 + payload_bytes));
    }
  }
  return all;
}

// Closes the boundary if its intervals pin the answer down; otherwise picks the next pivot, the
// weighted median of the proposals (proposals[q]: rank q's key at the middle of its interval).
void Settle(Boundary& b, const std::vector<Key>& proposals) {
  if (Sum(b.lo) == b.target) {
    b.done = true;
    return;
  }
  if (Sum(b.hi) == b.target) {
    b.lo = b.hi;
    b.done = true;
    return;
  }
  std::vector<std::pair<Element, uint64_t>> weighted;  // (proposal, weight)
  uint64_t total = 0;
  for (int q = 0; q < int(proposals.size()); ++q) {
    const uint64_t lo = b.lo[size_t(q)], hi = b.hi[size_t(q)];
    if (lo == hi) continue;
    weighted.push_back({Element{proposals[size_t(q)], q, Mid(lo, hi)}, hi - lo});
    total += hi - lo;
  }
  std::sort(weighted.begin(), weighted.end(), [](const auto& a, const auto& c) { return a.first < c.first; });
  uint64_t upto = 0;
  for (const auto& [element, weight] : weighted) {
    upto += weight;
    if (2 * upto >= total) {
      b.pivot = element;
      return;
    }
  }
}

// The key at the middle of [lo, hi), or a zero key (not looked at by anyone) when it is empty.
Status Proposal(SortedKeys& mine, uint64_t lo, uint64_t hi, Key* out) {
  *out = Key{};
  if (lo == hi) return Status::Ok();
  Result<Key> key = mine.KeyAt(Mid(lo, hi));
  if (!key.ok()) return key.status();
  *out = *key;
  return Status::Ok();
}

// This rank's part of a round for boundary b: how many of its records lie below the pivot,
// clamped to its interval, then its next proposal for both outcomes.
Status CountAndPropose(SortedKeys& mine, int me, const Boundary& b, std::string* out) {
  const uint64_t lo = b.lo[size_t(me)], hi = b.hi[size_t(me)];
  const Element& x = b.pivot;
  uint64_t count = x.pos;  // the pivot's own rank: exactly the records before it
  if (me != x.rank) {
    // Equal keys order by rank, so a rank before the pivot's counts records with the pivot's key too.
    Result<uint64_t> r = me < x.rank ? mine.UpperBound(x.key, lo, hi) : mine.LowerBound(x.key, lo, hi);
    if (!r.ok()) return r.status();
    count = *r;
  }
  Key if_inside, if_outside;
  RS_RETURN_IF_ERROR(Proposal(mine, me == x.rank ? count + 1 : count, hi, &if_inside));
  RS_RETURN_IF_ERROR(Proposal(mine, lo, count, &if_outside));
  PutU64(out, count);
  PutKey(out, if_inside);
  PutKey(out, if_outside);
  return Status::Ok();
}

// Applies every rank's count for boundary b (at `offset` in each message) and settles it.
void Update(Boundary& b, const std::vector<std::string>& all, size_t offset) {
  uint64_t below = 0;
  for (const std::string& m : all) below += GetU64(m.data() + offset);
  // The counts are clamped to the intervals, yet their sum still tells where the pivot is: if it is
  // among the target smallest records, every count is <= that rank's answer, otherwise >= it. So a
  // sum below the target puts the pivot among them, and a sum equal to it is the answer.
  const bool inside = below < b.target;
  std::vector<Key> proposals(all.size());
  for (size_t q = 0; q < all.size(); ++q) {
    const uint64_t count = GetU64(all[q].data() + offset);
    if (inside) {
      b.lo[q] = int(q) == b.pivot.rank ? count + 1 : count;
    } else {
      b.hi[q] = count;
    }
    proposals[q] = GetKey(all[q].data() + offset + 8 + (inside ? 0 : kKeySize));
  }
  Settle(b, proposals);
}

}  // namespace

int MaxSelectionRounds(uint64_t total_records) {
  int rounds = 1;  // round 0: sizes and first proposals
  for (uint64_t w = total_records; w > 0; w -= w / 4 + (w % 4 != 0)) ++rounds;
  return rounds;
}

Result<Selection> SelectBoundaries(Comm& comm, SortedKeys& mine) {
  const size_t parts = size_t(comm.size());
  const int me = comm.rank();
  Selection selection;

  // Round 0: every rank's size and its first proposal, the middle of its whole sequence, which is
  // the same for every boundary.
  Key first;
  Status local = Proposal(mine, 0, mine.size(), &first);
  std::string payload;
  PutU64(&payload, mine.size());
  PutKey(&payload, first);
  Result<std::vector<std::string>> all = Exchange(comm, local, payload, kFirstBytes, &selection.rounds);
  if (!all.ok()) return all.status();
  std::vector<uint64_t> sizes(parts);
  std::vector<Key> proposals(parts);
  for (size_t q = 0; q < parts; ++q) {
    sizes[q] = GetU64(all->at(q).data() + 1);
    proposals[q] = GetKey(all->at(q).data() + 1 + 8);
  }
  const uint64_t total = Sum(sizes);

  std::vector<Boundary> boundaries(parts - 1);  // inner boundary j at j − 1
  for (size_t j = 1; j <= boundaries.size(); ++j) {
    Boundary& b = boundaries[j - 1];
    b.target = uint64_t(u128(j) * total / parts);
    b.lo.assign(parts, 0);
    b.hi = sizes;
    Settle(b, proposals);
  }

  const int max_rounds = MaxSelectionRounds(total);
  for (;;) {
    const size_t open =
        size_t(std::count_if(boundaries.begin(), boundaries.end(), [](const Boundary& b) { return !b.done; }));
    if (open == 0) break;
    if (selection.rounds == max_rounds) {  // the same on every rank: the state is replicated
      return Status::Error("parallel selection: " + std::to_string(open) + " boundaries still open after " +
                           std::to_string(max_rounds) + " rounds, the bound for " + std::to_string(total) +
                           " records (are the ranks' keys sorted?)");
    }
    payload.clear();
    local = Status::Ok();
    for (const Boundary& b : boundaries) {
      if (!b.done && local.ok()) local = CountAndPropose(mine, me, b, &payload);
    }
    all = Exchange(comm, local, payload, open * kCountBytes, &selection.rounds);
    if (!all.ok()) return all.status();
    size_t offset = 1;
    for (Boundary& b : boundaries) {
      if (b.done) continue;
      Update(b, *all, offset);
      offset += kCountBytes;
    }
  }

  selection.cuts.assign(parts, std::vector<uint64_t>(parts + 1, 0));
  for (size_t q = 0; q < parts; ++q) {
    for (size_t j = 1; j <= boundaries.size(); ++j) selection.cuts[q][j] = boundaries[j - 1].lo[q];
    selection.cuts[q][parts] = sizes[q];
  }
  return selection;
}

}  // namespace rs::sort
