// sort/incore/entry_radix_sort.cpp — MSD radix sort of sort entries.
//
// Every level is a stable scatter by one digit of the key (bits [off, off + bits) counted from
// the key's first bit) from one buffer into the other; the buckets are then sorted recursively
// with the buffers' roles swapped. Buckets of at least kParallelMinEntries use a parallel level
// (per-chunk histograms, per-chunk stable offsets), smaller ones a sequential in-cache level whose
// digit width follows the bucket size. A digit that is constant over a bucket (skewed or equal
// keys) is not scattered: the common prefix of the bucket's keys is measured and skipped at
// once. Buckets of at most kInsertionSortMax entries are finished by one insertion pass over each
// run of them, comparing whole entries, whose locator bits keep equal keys in input order.
#include "sort/incore/entry_radix_sort.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>

#include "core/config.hpp"

namespace rs::sort {

namespace {

using config::sort::kInsertionSortMax;
using config::sort::kMaxSeqDigitBits;
using config::sort::kParallelMinEntries;

// Calls body(digit) where digit(entry) returns key bits [off, off + bits), with the extraction
// specialized for bits lying in hi, in lo, or straddling both. 1 <= bits <= 16, off + bits <= 80.
template <class Body>
inline void WithDigit(int off, int bits, Body&& body) {
  const uint32_t mask = (uint32_t(1) << bits) - 1;
  if (off + bits <= 64) {
    const int s = 64 - off - bits;
    body([s, mask](const SortEntry& e) { return uint32_t(e.hi >> s) & mask; });
  } else if (off >= 64) {
    const int s = 128 - off - bits;
    body([s, mask](const SortEntry& e) { return uint32_t(e.lo >> s) & mask; });
  } else {
    const int sl = off + bits - 64, sr = 128 - off - bits;
    body([sl, sr, mask](const SortEntry& e) { return uint32_t((e.hi << sl) | (e.lo >> sr)) & mask; });
  }
}

int CommonPrefixBits(const SortEntry* e, uint64_t n) {
  uint64_t dh = 0, dl = 0;
  const uint64_t fh = e[0].hi, fl = e[0].lo;
  for (uint64_t i = 0; i < n; ++i) {
    dh |= e[i].hi ^ fh;
    dl |= e[i].lo ^ fl;
  }
  return PrefixBitsFromDiff(dh, dl);
}

int ParallelCommonPrefixBits(const SortEntry* e, uint64_t n) {
  const SortEntry first = e[0];
  struct Diff {
    uint64_t hi = 0, lo = 0;
  };
  Diff d = tbb::parallel_reduce(
      tbb::blocked_range<uint64_t>(0, n, config::sort::kMinChunkEntries), Diff{},
      [&](const tbb::blocked_range<uint64_t>& r, Diff acc) {
        for (uint64_t i = r.begin(); i < r.end(); ++i) {
          acc.hi |= e[i].hi ^ first.hi;
          acc.lo |= e[i].lo ^ first.lo;
        }
        return acc;
      },
      [](Diff a, Diff b) {
        return Diff{a.hi | b.hi, a.lo | b.lo};
      });
  return PrefixBitsFromDiff(d.hi, d.lo);
}

void ParallelCopy(SortEntry* to, const SortEntry* from, uint64_t n) {
  tbb::parallel_for(tbb::blocked_range<uint64_t>(0, n, config::sort::kMinChunkEntries),
                    [&](const tbb::blocked_range<uint64_t>& r) {
                      std::memcpy(to + r.begin(), from + r.begin(), r.size() * sizeof(SortEntry));
                    });
}

using U128 = unsigned __int128;
inline U128 Load128(const SortEntry& e) { return (U128(e.hi) << 64) | e.lo; }
inline void Store128(SortEntry& e, U128 v) { e = {uint64_t(v >> 64), uint64_t(v)}; }

// Insertion-sorts from[0, n) into to[0, n) by whole entry; `to` may equal `from`. Tuned for
// input that is nearly sorted with short inversions (buckets of 0-2 entries in order): each new
// entry is compared and swapped with its predecessor without a branch, and only an entry that
// must move two or more places takes the (rare, so well predicted) insertion loop.
inline void InsertionSortTo(const SortEntry* from, SortEntry* to, uint32_t n) {
  U128 last = Load128(from[0]);  // to[i - 1]
  U128 before = 0;               // to[i - 2], or 0 (below every entry) when i < 2
  to[0] = from[0];
  for (uint32_t i = 1; i < n; ++i) {
    const U128 x = Load128(from[i]);
    const bool lt = x < last;
    const U128 low = lt ? x : last, high = lt ? last : x;
    Store128(to[i - 1], low);
    Store128(to[i], high);
    if (x < before) [[unlikely]] {
      uint32_t j = i - 1;
      while (j > 0 && x < Load128(to[j - 1])) {
        to[j] = to[j - 1];
        --j;
      }
      Store128(to[j], x);
      before = Load128(to[i - 1]);
    } else {
      before = low;
    }
    last = high;
  }
}

void SortSeq(SortEntry* src, SortEntry* dst, uint32_t n, int off, bool result_in_src);

// Digit width of a parallel level over n entries at key bit `off`.
int ParallelDigitBits(uint64_t n, int off) {
  const int want = int(std::bit_width((n - 1) / config::sort::kParallelBucketEntries));
  return std::min(std::clamp(want, config::sort::kMinParallelDigitBits, config::sort::kMaxParallelDigitBits),
                  kKeyBits - off);
}

// One sequential level with a digit of `bits` <= kCapBits. Returns false (and does nothing) when
// the digit is the same for all entries.
template <int kCapBits>
bool SeqLevel(SortEntry* src, SortEntry* dst, uint32_t n, int off, int bits, bool result_in_src) {
  uint32_t pos[uint32_t(1) << kCapBits];
  const uint32_t buckets = uint32_t(1) << bits;
  bool constant = false;
  WithDigit(off, bits, [&](auto digit) {
    std::fill_n(pos, buckets, 0u);
    for (uint32_t i = 0; i < n; ++i) ++pos[digit(src[i])];
    if (pos[digit(src[0])] == n) {
      constant = true;
      return;
    }
    uint32_t sum = 0;
    for (uint32_t b = 0; b < buckets; ++b) {
      const uint32_t c = pos[b];
      pos[b] = sum;
      sum += c;
    }
    for (uint32_t i = 0; i < n; ++i) {
      const SortEntry e = src[i];
      dst[pos[digit(e)]++] = e;
    }
  });
  if (constant) return false;
  // Now pos[b] is the end of bucket b. The data is in dst; the result belongs in src when
  // result_in_src, i.e. in the "other" buffer of the next level. Large buckets recurse; runs of
  // consecutive small buckets are finished by one insertion sort over the run: the buckets are
  // already in order, so only entries of the same bucket move, and the compare that ends each
  // insertion is mostly false and well predicted (cheaper than a sort call per tiny bucket).
  SortEntry* const target = result_in_src ? src : dst;
  uint32_t run = 0, begin = 0;
  for (uint32_t b = 0; b < buckets; ++b) {
    const uint32_t end = pos[b], m = end - begin;
    if (m > kInsertionSortMax) {
      if (begin > run) InsertionSortTo(dst + run, target + run, begin - run);
      SortSeq(dst + begin, src + begin, m, off + bits, !result_in_src);
      run = end;
    }
    begin = end;
  }
  if (n > run) InsertionSortTo(dst + run, target + run, n - run);
  return true;
}

// Sorts src[0, n), whose entries share key bits [0, off); the result goes to src when
// result_in_src, else to dst; the other buffer is scratch.
void SortSeq(SortEntry* src, SortEntry* dst, uint32_t n, int off, bool result_in_src) {
  for (;;) {
    if (n <= kInsertionSortMax) {
      if (n > 0) InsertionSortTo(src, result_in_src ? src : dst, n);
      return;
    }
    if (off >= kKeyBits) {  // all keys equal: input order is the stable order
      if (!result_in_src) std::memcpy(dst, src, size_t(n) * sizeof(SortEntry));
      return;
    }
    const int log2n = int(std::bit_width(n)) - 1;
    const int bits = std::clamp(log2n - config::sort::kSeqLeafLog2, 1, std::min(kMaxSeqDigitBits, kKeyBits - off));
    const bool split = bits <= 8 ? SeqLevel<8>(src, dst, n, off, bits, result_in_src)
                                 : SeqLevel<kMaxSeqDigitBits>(src, dst, n, off, bits, result_in_src);
    if (split) return;
    off = CommonPrefixBits(src, n);  // > off + bits - 1: skips every constant digit at once
  }
}

// A parallel level (or, below kParallelMinEntries, the sequential sort); arguments as SortSeq.
// `pre` holds the first-digit histograms when the caller computed them at this offset. With
// `pending`, a parallel level leaves its buckets there unsorted instead of sorting them; when
// no parallel level runs (too few entries, or all keys equal), the whole sort is done here and
// `pending` stays empty.
void SortParallel(SortEntry* src, SortEntry* dst, uint64_t n, int off, bool result_in_src, const FirstDigitCounts* pre,
                  RadixBuckets* pending = nullptr) {
  for (;;) {
    if (n < kParallelMinEntries) {
      SortSeq(src, dst, uint32_t(n), off, result_in_src);
      return;
    }
    if (off >= kKeyBits) {
      if (!result_in_src) ParallelCopy(dst, src, n);
      return;
    }
    const int bits = ParallelDigitBits(n, off);
    const uint64_t buckets = uint64_t(1) << bits;
    uint64_t chunks;
    std::vector<uint64_t> own_counts;
    const uint64_t* counts;
    if (pre != nullptr && pre->bits == bits && pre->off == off) {
      chunks = pre->chunks;
      counts = pre->counts.data();
    } else {
      chunks = ParallelChunks(n);
      own_counts.assign(chunks << bits, 0);
      tbb::parallel_for(uint64_t(0), chunks, [&](uint64_t c) {
        uint64_t* h = own_counts.data() + (c << bits);
        const uint64_t b = ChunkBegin(n, chunks, c), e = ChunkBegin(n, chunks, c + 1);
        WithDigit(off, bits, [&](auto digit) {
          for (uint64_t i = b; i < e; ++i) ++h[digit(src[i])];
        });
      });
      counts = own_counts.data();
    }
    // Bucket starts, and each chunk's first slot in every bucket (chunk order keeps stability).
    std::vector<uint64_t> start(buckets + 1, 0);
    bool constant = false;
    for (uint64_t d = 0; d < buckets; ++d) {
      uint64_t total = 0;
      for (uint64_t c = 0; c < chunks; ++c) total += counts[(c << bits) | d];
      if (total == n) constant = true;
      start[d + 1] = start[d] + total;
    }
    if (constant) {
      off = pre != nullptr ? pre->common_prefix_bits : ParallelCommonPrefixBits(src, n);
      pre = nullptr;
      continue;
    }
    std::vector<uint64_t> slot(chunks << bits);
    for (uint64_t d = 0; d < buckets; ++d) {
      uint64_t at = start[d];
      for (uint64_t c = 0; c < chunks; ++c) {
        slot[(c << bits) | d] = at;
        at += counts[(c << bits) | d];
      }
    }
    tbb::parallel_for(uint64_t(0), chunks, [&](uint64_t c) {
      SortEntry* out[uint64_t(1) << config::sort::kMaxParallelDigitBits];
      for (uint64_t d = 0; d < buckets; ++d) out[d] = dst + slot[(c << bits) | d];
      const uint64_t b = ChunkBegin(n, chunks, c), e = ChunkBegin(n, chunks, c + 1);
      WithDigit(off, bits, [&](auto digit) {
        for (uint64_t i = b; i < e; ++i) {
          const SortEntry x = src[i];
          *out[digit(x)]++ = x;
        }
      });
    });
    const int next = off + bits;
    if (pending != nullptr) {
      *pending = {src, dst, next, result_in_src, std::move(start)};
      return;
    }
    tbb::parallel_for(tbb::blocked_range<uint64_t>(0, buckets, 1), [&](const tbb::blocked_range<uint64_t>& r) {
      for (uint64_t d = r.begin(); d < r.end(); ++d) {
        const uint64_t s = start[d], m = start[d + 1] - s;
        if (m > 0) SortParallel(dst + s, src + s, m, next, !result_in_src, nullptr);
      }
    });
    return;
  }
}

}  // namespace

uint64_t ParallelChunks(uint64_t n) {
  const uint64_t max_chunks =
      uint64_t(std::max(1, config::sort::kChunksPerThread * tbb::this_task_arena::max_concurrency()));
  return std::clamp<uint64_t>(n / config::sort::kMinChunkEntries, 1, max_chunks);
}

int PrefixBitsFromDiff(uint64_t diff_hi, uint64_t diff_lo) {
  diff_lo &= kLoKeyMask;
  if (diff_hi != 0) return std::countl_zero(diff_hi);
  if (diff_lo != 0) return 64 + std::countl_zero(diff_lo);
  return kKeyBits;
}

int FirstDigitBits(uint64_t n) { return n >= kParallelMinEntries ? ParallelDigitBits(n, 0) : 0; }

void StagedRadixSort::Start(SortEntry* data, SortEntry* scratch, uint64_t n, const FirstDigitCounts* first) {
  pending_ = {};
  next_ = 0;
  n_ = n;
  first_level_ = {};
  if (n == 0) return;
  const bool measured = first != nullptr && first->bits > 0;
  const bool usable = measured && first->bits == FirstDigitBits(n) && first->chunks > 0 &&
                      first->counts.size() == (first->chunks << first->bits) &&
                      first->common_prefix_bits >= first->off && first->off + first->bits <= 64;
  // Without usable counts the first level counts from the shared prefix the builder measured
  // (every entry has those bits), not from bit 0: one rank's keys of a partitioned sort share
  // their top bits, which would leave most first-level buckets empty.
  const int off = usable ? first->off : measured ? first->common_prefix_bits : 0;
  first_level_ = {off, usable};
  SortParallel(data, scratch, n, off, true, usable ? first : nullptr, &pending_);
}

// A bucket sorted from its blocks uses one thread's scratch of kBlockBucketMaxEntries: it must stay
// below a parallel level's size, whose tasks could run another bucket on the same thread meanwhile.
static_assert(config::sort::kBlockBucketMaxEntries < kParallelMinEntries);

void StagedRadixSort::StartFromBlocks(SortEntry* data, SortEntry* scratch, uint64_t n, BucketBlocks* blocks,
                                      int common_prefix_bits) {
  pending_ = {};
  next_ = 0;
  n_ = n;
  first_level_ = {};
  if (n == 0) return;
  std::vector<uint64_t> start = blocks->Finish();
  const int off = blocks->off(), next = off + blocks->bits();
  // Entries below or above the bits the builder guessed all share are in the first or last
  // bucket (BucketBlocks::Init), sorted from the bits all do share.
  const int edge_off = common_prefix_bits < off ? common_prefix_bits : -1;
  first_level_ = {off, true, true};
  if (blocks->largest_bucket() <= config::sort::kBlockBucketMaxEntries) {
    pending_ = {data, nullptr, next, true, std::move(start), blocks, edge_off};
    return;
  }
  // A bucket too large for a thread's scratch (skewed keys): the buckets to data, in order, then
  // sorted as a level of Start leaves them (in scratch, for data); all of them from the bits all
  // entries share if the guess was wrong.
  blocks->CopyAll(data);
  if (edge_off >= 0) {
    first_level_ = {common_prefix_bits, false, false};
    SortParallel(data, scratch, n, common_prefix_bits, true, nullptr, &pending_);
    return;
  }
  pending_ = {scratch, data, next, false, std::move(start), nullptr, -1};
}

uint64_t StagedRadixSort::finished() const { return next_ + 1 < pending_.start.size() ? pending_.start[next_] : n_; }

uint64_t StagedRadixSort::FinishThrough(uint64_t end, uint64_t min_buckets) {
  const size_t buckets = pending_.start.empty() ? 0 : pending_.start.size() - 1;
  size_t last = next_;
  while (last < buckets && (pending_.start[last] < end || last - next_ < min_buckets)) ++last;
  const RadixBuckets& p = pending_;
  tbb::parallel_for(tbb::blocked_range<size_t>(next_, last, 1), [&](const tbb::blocked_range<size_t>& r) {
    for (size_t d = r.begin(); d < r.end(); ++d) {
      const uint64_t s = p.start[d], m = p.start[d + 1] - s;
      if (m == 0) continue;
      if (p.blocks == nullptr) {
        SortParallel(p.dst + s, p.src + s, m, p.off, !p.result_in_src, nullptr);
        continue;
      }
      p.blocks->CopyBucket(d, p.src + s);
      auto& own = bucket_scratch_.local();
      if (!own) own = std::make_unique_for_overwrite<SortEntry[]>(config::sort::kBlockBucketMaxEntries);
      const bool edge = p.edge_off >= 0 && (d == 0 || d + 2 == p.start.size());
      SortParallel(p.src + s, own.get(), m, edge ? p.edge_off : p.off, true, nullptr);
    }
  });
  next_ = last;
  return finished();
}

void RadixSortEntries(SortEntry* data, SortEntry* scratch, uint64_t n, const FirstDigitCounts* first) {
  StagedRadixSort sort;
  sort.Start(data, scratch, n, first);
  sort.FinishThrough(n, std::numeric_limits<uint64_t>::max());
}

}  // namespace rs::sort
