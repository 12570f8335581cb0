// sort/incore/bucket_blocks.cpp — first-level buckets as lists of blocks.
#include "sort/incore/bucket_blocks.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace rs::sort {

bool BucketBlocks::Init(SortEntry* pool, uint64_t capacity, uint64_t shared_hi, int off, int bits,
                        std::vector<uint64_t> chunk_begin) {
  const uint64_t chunks = chunk_begin.size() - 1, buckets = uint64_t(1) << bits;
  // Chunk c's region: a first block per bucket, and one more each time one fills.
  std::vector<uint64_t> first(chunks + 1, 0);
  for (uint64_t c = 0; c < chunks; ++c) {
    first[c + 1] = first[c] + buckets + (chunk_begin[c + 1] - chunk_begin[c]) / kBlockEntries + 1;
  }
  // Block indices are 32-bit: a pool of more than 2^32 blocks (2^38 entries) is refused too.
  if (first[chunks] * kBlockEntries > capacity || first[chunks] > std::numeric_limits<uint32_t>::max()) return false;
  pool_ = pool;
  base_ = off == 0 ? 0 : shared_hi & ~(~uint64_t(0) >> off);
  off_ = off;
  bits_ = bits;
  chunks_ = chunks;
  buckets_ = buckets;
  cur_.resize(chunks << bits);
  head_.resize(chunks << bits);
  tail_.resize(chunks << bits);
  blocks_.assign(chunks << bits, 1);
  next_.resize(first[chunks]);
  free_.resize(chunks);
  for (uint64_t c = 0; c < chunks; ++c) {
    for (uint64_t d = 0; d < buckets; ++d) {
      const uint64_t k = (c << bits) | d, block = first[c] + d;
      head_[k] = tail_[k] = uint32_t(block);
      cur_[k] = pool + block * kBlockEntries;
    }
    free_[c].next = uint32_t(first[c] + buckets);
  }
  start_.clear();
  largest_ = 0;
  return true;
}

BucketBlocks::Writer BucketBlocks::writer(uint64_t chunk) {
  Writer w;
  const uint64_t k = chunk << bits_;
  w.pool_ = pool_;
  w.cur_ = cur_.data() + k;
  w.tail_ = tail_.data() + k;
  w.blocks_ = blocks_.data() + k;
  w.next_ = next_.data();
  w.free_ = &free_[chunk].next;
  w.base_ = base_;
  w.last_ = buckets_ - 1;
  w.shift_ = 64 - off_ - bits_;
  return w;
}

SortEntry* BucketBlocks::Writer::Open(uint64_t d) {
  const uint32_t block = (*free_)++;
  next_[tail_[d]] = block;
  tail_[d] = block;
  ++blocks_[d];
  return pool_ + uint64_t(block) * kBlockEntries;
}

uint64_t BucketBlocks::ListEntries(uint64_t c, uint64_t d) const {
  const uint64_t k = (c << bits_) | d;
  const uint64_t in_tail = uint64_t(cur_[k] - (pool_ + uint64_t(tail_[k]) * kBlockEntries));
  return uint64_t(blocks_[k] - 1) * kBlockEntries + in_tail;
}

const std::vector<uint64_t>& BucketBlocks::Finish() {
  start_.assign(buckets_ + 1, 0);
  largest_ = 0;
  for (uint64_t d = 0; d < buckets_; ++d) {
    uint64_t m = 0;
    for (uint64_t c = 0; c < chunks_; ++c) m += ListEntries(c, d);
    start_[d + 1] = start_[d] + m;
    largest_ = std::max(largest_, m);
  }
  return start_;
}

void BucketBlocks::CopyBucket(uint64_t d, SortEntry* to) const {
  for (uint64_t c = 0; c < chunks_; ++c) {
    const uint64_t k = (c << bits_) | d;
    for (uint32_t block = head_[k];; block = next_[block]) {
      const SortEntry* from = pool_ + uint64_t(block) * kBlockEntries;
      const uint64_t n = block == tail_[k] ? uint64_t(cur_[k] - from) : kBlockEntries;
      std::memcpy(static_cast<void*>(to), from, n * sizeof(SortEntry));
      to += n;
      if (block == tail_[k]) break;
    }
  }
}

void BucketBlocks::CopyAll(SortEntry* to) const {
  tbb::parallel_for(tbb::blocked_range<uint64_t>(0, buckets_), [&](const tbb::blocked_range<uint64_t>& r) {
    for (uint64_t d = r.begin(); d < r.end(); ++d) CopyBucket(d, to + start_[d]);
  });
}

}  // namespace rs::sort
