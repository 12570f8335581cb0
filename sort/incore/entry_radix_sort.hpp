// sort/incore/entry_radix_sort.hpp — parallel MSD radix sort of 16-byte sort entries on TBB: stable by
// key (the 80 key bits), skipping digits that are constant over a bucket, finishing small
// buckets in cache. Runs on the caller's TBB arena; one call at a time per pair of arrays.
#pragma once

#include <tbb/enumerable_thread_specific.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "sort/incore/bucket_blocks.hpp"
#include "sort/incore/sort_entry.hpp"

namespace rs::sort {

// Chunking of a parallel radix level over n entries: chunk c covers
// [ChunkBegin(n, chunks, c), ChunkBegin(n, chunks, c + 1)). Depends on the arena's concurrency.
uint64_t ParallelChunks(uint64_t n);
inline uint64_t ChunkBegin(uint64_t n, uint64_t chunks, uint64_t c) {
  return n / chunks * c + (c < n % chunks ? c : n % chunks);
}

// First-digit histograms computed by whoever built the entries (saves one read of them):
// counts[c << bits | d] = entries of chunk c (chunking of ParallelChunks(n)) whose key bits
// [off, off + bits) equal d, and how many leading key bits all entries share. The counts are
// used only when every entry shares the `off` bits they skip (common_prefix_bits >= off);
// otherwise the first level counts again, from common_prefix_bits.
struct FirstDigitCounts {
  int bits = 0;
  int off = 0;  // off + bits <= 64: the digit lies in SortEntry::hi
  uint64_t chunks = 0;
  std::vector<uint64_t> counts;
  int common_prefix_bits = 0;  // kKeyBits when all keys are equal
};

// Key bits shared by all entries, given the OR of (entry ^ first entry) over them (lo's locator
// bits are ignored): kKeyBits when all keys are equal.
int PrefixBitsFromDiff(uint64_t diff_hi, uint64_t diff_lo);

// Digit width of the first level RadixSortEntries uses for n entries (so a caller can fill
// FirstDigitCounts); 0 when the first level is not a parallel one.
int FirstDigitBits(uint64_t n);

// Sorts data[0, n) by key, keeping entries with equal keys in their given order, using
// scratch[0, n) as the other buffer; the result is in data. When the entries are given in
// increasing locator order (as built from the input), the result is in 128-bit entry order.
// `first` is optional (see FirstDigitCounts) and must match n.
void RadixSortEntries(SortEntry* data, SortEntry* scratch, uint64_t n, const FirstDigitCounts* first = nullptr);

// The buckets of a first radix level still to be sorted: bucket b is dst[start[b], start[b + 1]),
// whose entries share key bits [0, off); sorting it from bit `off` on puts it into src when
// result_in_src, else into dst.
// With `blocks`, the buckets are still in the builder's lists (BucketBlocks): bucket b is copied
// to src[start[b], start[b + 1]) and sorted there (dst unused); where edge_off >= 0, the first
// and last buckets may hold keys below or above the others' shared bits, and are sorted from
// key bit edge_off (what all entries share).
struct RadixBuckets {
  SortEntry* src = nullptr;
  SortEntry* dst = nullptr;
  int off = 0;
  bool result_in_src = true;
  std::vector<uint64_t> start;  // bucket starts, then the end; empty when nothing is pending
  const BucketBlocks* blocks = nullptr;
  int edge_off = -1;
};

// RadixSortEntries in steps, for a caller that consumes the sorted entries in order and has other
// work to overlap with the rest of the sort (onepass's write, docs/architecture.md#algorithms).
// Start runs the first parallel level, which splits the entries into buckets of consecutive key
// ranges; FinishThrough sorts buckets in key order. A bucket's final order depends on no other
// bucket, so the entries before the first pending bucket are final whatever is still pending.
// Arguments and result as RadixSortEntries; the arrays must stay untouched until every bucket is
// sorted. One thread at a time; each step runs in parallel on the caller's TBB arena.
class StagedRadixSort {
 public:
  // Below a parallel level's size (or with all keys equal) this is the whole sort.
  void Start(SortEntry* data, SortEntry* scratch, uint64_t n, const FirstDigitCounts* first);
  // Start for entries a builder wrote into first-level buckets (`blocks`, held until every bucket
  // is sorted; its pool lies in scratch[0, n) and beyond), of which every entry shares the top
  // common_prefix_bits key bits. Where one bucket is too large to sort in a thread's cache, the
  // buckets are first copied to data in order and sorted as Start sorts them (one more pass).
  void StartFromBlocks(SortEntry* data, SortEntry* scratch, uint64_t n, BucketBlocks* blocks, int common_prefix_bits);
  // Sorts the pending buckets that begin before `end`, and at least `min_buckets` of them while
  // any is pending (work for every thread of the arena); returns finished().
  uint64_t FinishThrough(uint64_t end, uint64_t min_buckets);
  // data[0, finished()) is in its final order.
  uint64_t finished() const;
  // Where the last Start began its first parallel level: the key bit its digit began at, and
  // whether it took the builder's counts (FirstDigitCounts) or counted again. Tests check it: a
  // guess that always failed would sort correctly and only be slower. Not recorded: a level that
  // finds that digit constant and moves further down the key; {0, false} where n is below a
  // parallel level (none runs).
  // from_blocks: the first level is the buckets the build wrote (StartFromBlocks kept them, sorted
  // from their blocks or, one being too large, copied out in order).
  struct FirstLevel {
    int off = 0;
    bool used_build_counts = false;
    bool from_blocks = false;
  };
  FirstLevel first_level() const { return first_level_; }

 private:
  RadixBuckets pending_;
  FirstLevel first_level_;
  // Each thread's scratch for sorting a bucket copied out of its blocks (at most
  // config::sort::kBlockBucketMaxEntries entries), allocated at its first use.
  tbb::enumerable_thread_specific<std::unique_ptr<SortEntry[]>> bucket_scratch_;
  size_t next_ = 0;  // the first pending bucket
  uint64_t n_ = 0;
};

}  // namespace rs::sort
