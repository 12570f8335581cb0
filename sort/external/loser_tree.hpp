// sort/external/loser_tree.hpp — the tournament (loser) tree of a k-way merge (docs/external.md#the-pieces-sort): each
// internal node keeps the loser of the match played there, so replacing the winner's key replays only its path to the
// root — log2(k) comparisons per record, no heap sift. Keys are the record's first 10 key bytes as two integers plus
// the input index, so equal keys leave in input order (stable merge). Keys longer than 10 bytes break ties of equal
// prefixes with a TieBreak that compares the rest of the two inputs' current records
// (docs/records.md#sorting-other-shapes). One thread.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/record.hpp"
#include "sort/incore/sort_entry.hpp"

namespace rs::sort {

// For keys of at most 10 bytes: an entry's bits are the whole key, so equal entries' keys are equal.
struct NoTieBreak {
  static constexpr bool kActive = false;
  int operator()(size_t, size_t) const { return 0; }
};

// TieBreak: kActive, and operator()(input a, input b) -> memcmp order of the rest of the two
// inputs' current keys; called only for two real inputs whose entries' key bits are equal.
template <class TieBreak = NoTieBreak>
class BasicLoserTree {
 public:
  // A sort entry (sort/incore/sort_entry.hpp) whose locator is the input index: hi = key bytes 0..7
  // big-endian, lo = key bytes 8..9 big-endian in bits 63..48, the input index below; compared as
  // a 128-bit integer (EntryLess).
  using Key = SortEntry;
  // An input with nothing left: after every real key (an input index never reaches 2^48 - 1).
  static constexpr Key kExhausted{~uint64_t(0), ~uint64_t(0)};
  // The input index's bits in Key::lo.
  static constexpr uint64_t kIndexMask = kLocatorMask;

  static Key MakeKey(const uint8_t* record, uint64_t input) {
    assert(input < kIndexMask && "an input index that reaches into the key bits or kExhausted");
    return MakeEntry(record, input);
  }
  // The same from a key prefix already loaded (any record shape: core/key_prefix.hpp).
  static Key MakeKey(KeyWords key, uint64_t input) {
    assert(input < kIndexMask && "an input index that reaches into the key bits or kExhausted");
    return MakeEntry(key, input);
  }

  // `keys[i]`: the first key of input i (kExhausted for an empty input); no inputs is done at once.
  explicit BasicLoserTree(const std::vector<Key>& keys, TieBreak tie = {})
      : k_(keys.size()), node_(std::max<size_t>(k_, 1)), tie_(tie) {
    winner_ = k_ > 0 ? Play(1, keys) : kExhausted;
    // Every input empty from the start: the winner is kExhausted, whose index bits name no input.
    index_ = Same(winner_, kExhausted) ? 0 : size_t(winner_.lo & kIndexMask);
  }
  size_t winner() const { return index_; }
  bool done() const { return Same(winner_, kExhausted); }
  // The winner's input moved on to `key`: replay its path to the root. Nodes hold the losers' keys
  // themselves (the input index is in the key), so each match is two loads from one node and a
  // branch-free exchange: on random keys every match is a coin toss a branch would mispredict half
  // the time, and an index per node would add a dependent load per level.
  void ReplaceWinner(Key key) {
    Key w = key;
    for (size_t n = (index_ + k_) / 2; n >= 1; n /= 2) {
      const Key other = node_[n];
      // All ones where the other key wins: the exchange by masks (compilers turn a ?: here into
      // a branch).
      const uint64_t m = -uint64_t(Less(other, w));
      const uint64_t dhi = (other.hi ^ w.hi) & m, dlo = (other.lo ^ w.lo) & m;
      node_[n] = {other.hi ^ dhi, other.lo ^ dlo};
      w = {w.hi ^ dhi, w.lo ^ dlo};
    }
    winner_ = w;
    // An exhausted winner (every input done) keeps the last index: done() is what callers check.
    if (!Same(w, kExhausted)) index_ = size_t(w.lo & kIndexMask);
  }

 private:
  bool Less(const Key& a, const Key& b) const {
    if constexpr (TieBreak::kActive) {
      // Equal key bits of two real inputs (kExhausted's index bits are all ones): the rest of the keys decide.
      if (a.hi == b.hi && ((a.lo ^ b.lo) & ~kIndexMask) == 0 && (a.lo & kIndexMask) != kIndexMask &&
          (b.lo & kIndexMask) != kIndexMask) {
        const int c = tie_(size_t(a.lo & kIndexMask), size_t(b.lo & kIndexMask));
        if (c != 0) return c < 0;
      }
    }
    return EntryLess(a, b);
  }
  static bool Same(const Key& a, const Key& b) { return a.hi == b.hi && a.lo == b.lo; }
  // Leaves are nodes k..2k-1 (input i at k+i), internal nodes 1..k-1; returns the subtree's winner.
  // Not inlined: once per merge, and GCC, unrolling the recursion for a vector of known size (a
  // test's), warns of subscripts on paths the n >= k_ test never takes (-Warray-bounds).
  [[gnu::noinline]] Key Play(size_t n, const std::vector<Key>& keys) {
    if (n >= k_) return keys[n - k_];
    const Key a = Play(2 * n, keys), b = Play(2 * n + 1, keys);
    const bool a_wins = Less(a, b);
    node_[n] = a_wins ? b : a;
    return a_wins ? a : b;
  }

  size_t k_;
  std::vector<Key> node_;  // [1, k): the loser of each match ([0] unused)
  TieBreak tie_;
  Key winner_;
  size_t index_;  // the winner's input
};

using LoserTree = BasicLoserTree<>;

}  // namespace rs::sort
