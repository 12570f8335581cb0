// sort/resume/coverage.hpp — which records a set of kept runs already holds, so that a resumed sort
// sends and sorts only the rest. Records are named by (stream, ordinal): in twopass a stream is a
// sending rank and the ordinal counts that sender's records to this rank in the order it routes
// them (deterministic: the same input and splitters route the same way); in threepass the one
// stream is the rank's own input and the ordinal is the record's position in it. A run covers a
// set of half-open ordinal intervals per stream. Not thread-safe; one owner.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/status.hpp"

namespace rs::sort {

struct Interval {
  uint64_t begin = 0;
  uint64_t end = 0;  // exclusive
};

class Coverage {
 public:
  // Adds [begin, end) of `stream` (overlaps and neighbours are joined).
  void Add(int stream, uint64_t begin, uint64_t end);
  void Add(const Coverage& other);
  // The intervals of one stream, sorted and disjoint.
  const std::vector<Interval>& Of(int stream) const;
  bool empty() const { return by_stream_.empty(); }
  // The least ordinal of `stream` not covered.
  uint64_t FirstGap(int stream) const;
  // The ordinals that the `count` records arriving after `arrived` records have, when the records
  // of `stream` arrive in ordinal order skipping the covered ones (as a resumed sender sends
  // them): the intervals they fill.
  std::vector<Interval> MapArrivals(int stream, uint64_t arrived, uint64_t count) const;

  // "s:b-e,s:b-e" and back (journal lines).
  std::string Encode() const;
  static Result<Coverage> Decode(const std::string& text);
  // One stream's intervals as "b-e,b-e" and back (what a receiver tells a sender).
  static std::string EncodeIntervals(const std::vector<Interval>& v);
  static Result<std::vector<Interval>> DecodeIntervals(const std::string& text);

 private:
  std::map<int, std::vector<Interval>> by_stream_;
};

// Drops covered ordinals from a stream as it is routed: Skip(ordinal) is true for covered ones.
// Ordinals must be asked in increasing order.
class CoverageCursor {
 public:
  CoverageCursor() = default;
  explicit CoverageCursor(std::vector<Interval> covered) : covered_(std::move(covered)) {}
  bool Skip(uint64_t ordinal) {
    while (at_ < covered_.size() && covered_[at_].end <= ordinal) ++at_;
    return at_ < covered_.size() && covered_[at_].begin <= ordinal;
  }
  bool empty() const { return covered_.empty(); }

 private:
  std::vector<Interval> covered_;
  size_t at_ = 0;
};

}  // namespace rs::sort
