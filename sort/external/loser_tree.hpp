// sort/external/loser_tree.hpp — the tournament (loser) tree of a k-way merge (docs/external.md#the-pieces-sort): each
// internal node keeps the loser of the match played there, so replacing the winner's key replays only its path to the
// root — log2(k) comparisons per record, no heap sift. Keys are the record's 10-byte key as two integers plus the input
// index, so equal keys leave in input order (stable merge). One thread.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/record.hpp"

namespace rs::sort {

class LoserTree {
 public:
  // hi: key bytes 0..7 big-endian; lo: key bytes 8..9 big-endian in bits 63..48, input index below.
  struct Key {
    uint64_t hi;
    uint64_t lo;
  };
  // An input with nothing left: after every real key (an input index never reaches 2^48 - 1).
  static constexpr Key kExhausted{~uint64_t(0), ~uint64_t(0)};

  static Key MakeKey(const uint8_t* record, uint64_t input) {
    const KeyWords k = LoadKeyWords(record);
    return {k.hi, uint64_t(k.lo) << 48 | input};
  }

  // `keys[i]`: the first key of input i (kExhausted for an empty input); no inputs is done at once.
  explicit LoserTree(const std::vector<Key>& keys) : k_(keys.size()), keys_(keys), node_(std::max<size_t>(k_, 1)) {
    if (k_ == 0) keys_.push_back(kExhausted);  // winner() == 0 stands for "nothing left"
    node_[0] = k_ > 0 ? Play(1) : 0;
  }
  size_t winner() const { return node_[0]; }
  bool done() const { return Same(keys_[node_[0]], kExhausted); }
  // The winner's input moved on to `key`: replay its path to the root.
  void ReplaceWinner(Key key) {
    size_t w = node_[0];
    keys_[w] = key;
    for (size_t n = (w + k_) / 2; n >= 1; n /= 2) {
      if (Less(keys_[node_[n]], keys_[w])) std::swap(node_[n], w);
    }
    node_[0] = w;
  }

 private:
  static bool Less(const Key& a, const Key& b) { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); }
  static bool Same(const Key& a, const Key& b) { return a.hi == b.hi && a.lo == b.lo; }
  // Leaves are nodes k..2k-1 (input i at k+i), internal nodes 1..k-1; returns the subtree's winner.
  size_t Play(size_t n) {
    if (n >= k_) return n - k_;
    const size_t a = Play(2 * n), b = Play(2 * n + 1);
    const bool a_wins = Less(keys_[a], keys_[b]);
    node_[n] = a_wins ? b : a;
    return a_wins ? a : b;
  }

  size_t k_;
  std::vector<Key> keys_;
  std::vector<size_t> node_;  // [0]: the winner; [1, k): the loser of each match
};

}  // namespace rs::sort
