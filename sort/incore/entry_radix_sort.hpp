// sort/incore/entry_radix_sort.hpp — parallel MSD radix sort of 16-byte sort entries on TBB: stable by
// key (the 80 key bits), skipping digits that are constant over a bucket, finishing small
// buckets in cache. Runs on the caller's TBB arena; one call at a time per pair of arrays.
#pragma once

#include <cstdint>
#include <vector>

#include "sort/incore/sort_entry.hpp"

namespace rs::sort {

// Chunking of a parallel radix level over n entries: chunk c covers
// [ChunkBegin(n, chunks, c), ChunkBegin(n, chunks, c + 1)). Depends on the arena's concurrency.
uint64_t ParallelChunks(uint64_t n);
inline uint64_t ChunkBegin(uint64_t n, uint64_t chunks, uint64_t c) {
  return n / chunks * c + (c < n % chunks ? c : n % chunks);
}

// First-digit histograms computed by whoever built the entries (saves one read of them):
// counts[c << bits | d] = entries of chunk c (chunking of ParallelChunks(n)) whose top `bits`
// key bits equal d, and how many leading key bits all entries share.
struct FirstDigitCounts {
  int bits = 0;
  uint64_t chunks = 0;
  std::vector<uint64_t> counts;
  int common_prefix_bits = 0;  // kKeyBits when all keys are equal
};

// Digit width of the first level RadixSortEntries uses for n entries (so a caller can fill
// FirstDigitCounts); 0 when the first level is not a parallel one.
int FirstDigitBits(uint64_t n);

// Sorts data[0, n) by key, keeping entries with equal keys in their given order, using
// scratch[0, n) as the other buffer; the result is in data. When the entries are given in
// increasing locator order (as built from the input), the result is in 128-bit entry order.
// `first` is optional (see FirstDigitCounts) and must match n.
void RadixSortEntries(SortEntry* data, SortEntry* scratch, uint64_t n, const FirstDigitCounts* first = nullptr);

}  // namespace rs::sort
