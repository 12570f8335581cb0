// sort/incore/bucket_blocks.hpp — a radix sort's first level written by the entry build itself:
// each entry goes straight from its record to its first-digit bucket, and each bucket is a list
// of fixed-size blocks, so no count is needed before the build. The separate pass that read the
// built entries back and scattered them is gone (docs/architecture.md#algorithms). Each chunk of
// the build (one thread at a time per chunk) has its own lists, laid out in its own region of the
// pool; a bucket's entries are its lists' in chunk order, which keeps input order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/config.hpp"
#include "sort/incore/sort_entry.hpp"

namespace rs::sort {

class BucketBlocks {
 public:
  static constexpr uint64_t kBlockEntries = config::sort::kBucketBlockEntries;
  static_assert((kBlockEntries & (kBlockEntries - 1)) == 0, "block arithmetic masks by the block size");

  // Pool entries a chunk with 2^bits buckets needs beyond its entries: one block per bucket that
  // may stay partly filled, and one it may open last.
  static uint64_t ChunkSlackEntries(int bits) { return ((uint64_t(1) << bits) + 1) * kBlockEntries; }
  // Pool entries needed for n entries built in `chunks` chunks.
  static uint64_t PoolEntries(uint64_t n, uint64_t chunks, int bits) { return n + chunks * ChunkSlackEntries(bits); }

  // Lays the chunks out in pool[0, capacity): chunk_begin holds each chunk's first entry, then n
  // (the chunks are consecutive ranges of the build's entries). The first digit is key bits
  // [off, off + bits) (off + bits <= 64) of entries whose top `off` bits are those of `shared_hi`
  // (a guess: the build has not seen them all). An entry below that range goes to bucket 0, one
  // above it to the last: the buckets stay consecutive key ranges whatever the guess, and only
  // the first and last can hold keys that do not share the top bits. False (and nothing set)
  // when the pool is too small.
  bool Init(SortEntry* pool, uint64_t capacity, uint64_t shared_hi, int off, int bits,
            std::vector<uint64_t> chunk_begin);

  // Appends one chunk's entries, in order, to its lists. One thread per chunk; chunks at once.
  class Writer {
   public:
    void Put(const SortEntry& e) {
      // (hi - base) >> shift is the digit where hi has the shared top bits; it wraps below them.
      const uint64_t rel = (e.hi - base_) >> shift_;
      const uint64_t d = e.hi < base_ ? 0 : std::min(rel, last_);
      SortEntry* c = cur_[d];
      *c++ = e;
      // A block is full when the next slot is the next block's first: open one from the chunk's
      // region (kept in order through the list).
      if (((c - pool_) & (kBlockEntries - 1)) == 0) [[unlikely]]
        c = Open(d);
      cur_[d] = c;
    }

   private:
    friend class BucketBlocks;
    SortEntry* Open(uint64_t d);
    SortEntry* pool_;
    SortEntry** cur_;   // per bucket: the next free slot
    uint32_t* tail_;    // per bucket: its last block
    uint32_t* blocks_;  // per bucket: its blocks
    uint32_t* next_;    // per block: the next of its list
    uint32_t* free_;    // the chunk's next unused block
    uint64_t base_;     // the shared top bits, the rest 0
    uint64_t last_;     // the last bucket
    int shift_;
  };
  Writer writer(uint64_t chunk);

  // After every chunk's writer is done: the bucket starts of the sorted order (start[d] is the
  // first of bucket d, then n), and the size of the largest bucket.
  const std::vector<uint64_t>& Finish();
  uint64_t largest_bucket() const { return largest_; }
  int bits() const { return bits_; }
  int off() const { return off_; }

  // Copies bucket d's entries, in input order, to `to` (Finish's start[d + 1] - start[d] of them).
  void CopyBucket(uint64_t d, SortEntry* to) const;
  // Every bucket to to[start[d]...], in parallel on the caller's arena: the buckets in order.
  void CopyAll(SortEntry* to) const;

 private:
  // Entries of chunk c's list for bucket d.
  uint64_t ListEntries(uint64_t c, uint64_t d) const;

  SortEntry* pool_ = nullptr;
  uint64_t base_ = 0;
  int off_ = 0, bits_ = 0;
  uint64_t chunks_ = 0, buckets_ = 0;
  std::vector<SortEntry*> cur_;  // [chunk << bits | bucket]
  std::vector<uint32_t> head_, tail_, blocks_;
  std::vector<uint32_t> next_;  // per block of the pool
  // Per chunk, a cache line each: every chunk's writer bumps its own as blocks fill.
  struct alignas(64) FreeBlock {
    uint32_t next;
  };
  std::vector<FreeBlock> free_;
  std::vector<uint64_t> start_;
  uint64_t largest_ = 0;
};

}  // namespace rs::sort
