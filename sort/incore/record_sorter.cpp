// sort/incore/record_sorter.cpp — the three phases of the in-core sort: build entries, sort, gather.
#include "sort/incore/record_sorter.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/config.hpp"
#include "core/elapsed.hpp"
#include "core/key_prefix.hpp"
#include "core/record.hpp"
#include "sort/incore/sort_entry.hpp"

// The gather streams its output with SSE2 non-temporal stores where the CPU has them (every
// x86-64); elsewhere it copies with plain stores, which is correct, only slower to the cache.
#if defined(__SSE2__)
#include <emmintrin.h>
#define RS_STREAMING_STORES 1
#else
#define RS_STREAMING_STORES 0
#endif

namespace rs::sort {

namespace {

// The gather's L1 staging block: kGatherBlockRecords of gensort's records (6,400 bytes). Records
// of `size` bytes fill it in whole 16-byte units (so every block starts 16-byte aligned when the
// output does); 0 for records too large to stage, which are copied straight to the output.
constexpr uint64_t kStageBytes = config::sort::kGatherBlockRecords * kRecordSize;
constexpr uint64_t GatherBlockRecords(uint64_t size) {
  const uint64_t unit = 16 / std::gcd(size, uint64_t(16));  // records per whole 16-byte unit
  return kStageBytes / size / unit * unit;
}
static_assert(GatherBlockRecords(kRecordSize) == config::sort::kGatherBlockRecords);

// Entries that hold the same 80 key bits.
inline bool SamePrefix(const SortEntry& a, const SortEntry& b) {
  return a.hi == b.hi && ((a.lo ^ b.lo) & kLoKeyMask) == 0;
}

// The scratch array's entries: the result array's, and room for the build's partly filled blocks.
uint64_t ScratchEntries(uint64_t max_records) { return max_records + max_records / config::sort::kBlockPoolSlack; }

}  // namespace

RecordSorter::RecordSorter(uint64_t max_records, const RecordShape& shape, AlignedBuffer entries)
    : max_records_(max_records), shape_(shape), entries_(std::move(entries)) {
  data_ = reinterpret_cast<SortEntry*>(entries_.data());
  scratch_ = data_ == nullptr ? nullptr : data_ + max_records_;
  scratch_entries_ = ScratchEntries(max_records_);
}

uint64_t RecordSorter::Bytes(uint64_t max_records) {
  return (max_records + ScratchEntries(max_records)) * sizeof(SortEntry);
}

Result<std::unique_ptr<RecordSorter>> RecordSorter::Create(uint64_t max_records, const RecordShape& shape) {
  if (max_records > (uint64_t(1) << 40)) {
    return Status::Error("record sorter: max_records " + std::to_string(max_records) + " is too large");
  }
  Result<AlignedBuffer> buffer = AlignedBuffer::Allocate(size_t(Bytes(max_records)));
  if (!buffer.ok()) return buffer.status();
  return std::unique_ptr<RecordSorter>(new RecordSorter(max_records, shape, std::move(buffer.value())));
}

void RecordSorter::Prefault() {
  uint8_t* const base = entries_.data();
  const size_t bytes = entries_.size();
  tbb::parallel_for(tbb::blocked_range<size_t>(0, bytes, config::sort::kPrefaultGrainBytes),
                    [&](const tbb::blocked_range<size_t>& r) {
                      // One write per 4 KiB page (at each page start in the range, so no
                      // two tasks write the same byte) faults it in with or without THP.
                      constexpr size_t kPage = 4096;
                      for (size_t o = (r.begin() + kPage - 1) & ~(kPage - 1); o < r.end(); o += kPage) {
                        base[o] = 0;
                      }
                    });
}

Result<uint64_t> RecordSorter::CountRecords(std::span<const RecordSpan> spans) const {
  if (spans.size() > kMaxSpans) {
    return Status::Error("record sorter: " + std::to_string(spans.size()) + " spans (at most " +
                         std::to_string(kMaxSpans) + ")");
  }
  uint64_t n = 0;
  for (size_t s = 0; s < spans.size(); ++s) {
    if (spans[s].count >= kMaxRecordsPerSpan) {
      std::string msg = "record sorter: span ";
      msg += std::to_string(s);
      msg += " has ";
      msg += std::to_string(spans[s].count);
      msg += " records (at most 2^32 - 1)";
      return Status::Error(msg);
    }
    n += spans[s].count;  // cannot overflow: at most 2^16 spans of < 2^32 records
  }
  if (n > max_records_) {
    return Status::Error("record sorter: " + std::to_string(n) + " records exceed the capacity of " +
                         std::to_string(max_records_));
  }
  return n;
}

// The last span starting at or before record i, i.e. the one holding it (empty spans skipped).
uint64_t RecordSorter::SpanOf(uint64_t i) const {
  return uint64_t(std::upper_bound(span_begin_.begin(), span_begin_.end(), i) - span_begin_.begin() - 1);
}

Status RecordSorter::Sort(std::span<const RecordSpan> spans, uint8_t* out) {
  Result<uint64_t> n = CountRecords(spans);
  if (!n.ok()) {
    timings_ = {};
    sorted_ = 0;
    return n.status();
  }
  if (*n > 0 && out == nullptr) return Status::Error("record sorter: no output buffer");
  RS_RETURN_IF_ERROR(SortEntries(spans));
  Gather(0, sorted_, out);
  return Status::Ok();
}

Status RecordSorter::SortEntries(std::span<const RecordSpan> spans, Finish finish) {
  timings_ = {};
  sorted_ = 0;
  final_ = 0;
  Result<uint64_t> counted = CountRecords(spans);
  if (!counted.ok()) return counted.status();
  const uint64_t n = *counted;
  if (n == 0) return Status::Ok();

  span_begin_.resize(spans.size() + 1);
  span_data_.resize(spans.size());
  uint64_t at = 0;
  for (size_t s = 0; s < spans.size(); ++s) {
    span_begin_[s] = at;
    span_data_[s] = spans[s].data;
    at += spans[s].count;
  }
  span_begin_[spans.size()] = at;

  auto t0 = std::chrono::steady_clock::now();
  const bool into_blocks = WithKeyPrefix(shape_, [&](const auto& prefix) { return Build(prefix, spans, n); });
  timings_.build_s = SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  if (into_blocks) {
    radix_.StartFromBlocks(data_, scratch_, n, &blocks_, first_.common_prefix_bits);
  } else {
    radix_.Start(data_, scratch_, n, &first_);
  }
  timings_.sort_s = SecondsSince(t0);
  sorted_ = n;
  if (finish == Finish::kNow) FinishSort(n);
  return Status::Ok();
}

void RecordSorter::FinishSort(uint64_t end) {
  if (final_ >= end) return;
  const auto t0 = std::chrono::steady_clock::now();
  // A few buckets per thread at least: one Gather's records may lie in one or two buckets.
  const uint64_t min_buckets =
      uint64_t(config::sort::kChunksPerThread) * uint64_t(tbb::this_task_arena::max_concurrency());
  const uint64_t to = radix_.FinishThrough(end, min_buckets);
  // Equal prefixes share every radix digit, so a run of them never crosses a bucket boundary.
  if (shape_.key_size > kKeySize) BreakTies(final_, to);
  final_ = to;
  timings_.sort_s += SecondsSince(t0);
}

// The entries in ParallelChunks(n) chunks, each chunk's in input order: written straight into
// their first-digit buckets' blocks (BucketBlocks) where the pool has room for the chunks' lists,
// else into data_ in input order with each chunk counting its first digits. Either way each chunk
// ORs (entry ^ first entry) to find the key bits all entries share. Returns whether the entries
// went into blocks.
template <class Prefix>
bool RecordSorter::Build(const Prefix& prefix, std::span<const RecordSpan> spans, uint64_t n) {
  const auto size = prefix.record_size();
  const size_t key_at = prefix.key_offset();
  const int bits = FirstDigitBits(n);
  uint64_t chunks = ParallelChunks(n);
  first_.bits = bits;
  first_.counts.clear();
  const SortEntry first = MakeEntry(prefix(spans[SpanOf(0)].data), 0);
  // The first digit is counted below the key bits a spread-out handful of records share: one
  // rank's share of a partitioned sort shares its top bits (half the key space at P = 2, a
  // thousandth at P = 1,000), and counting from bit 0 would leave that share of the buckets
  // empty and the rest too large for the cache. A guess: should some record not share the bits
  // (diff below), the first level is sorted again from the prefix all of them share.
  if (bits > 0) {
    uint64_t guess_hi = 0;
    for (uint64_t k = 1; k < config::sort::kFirstDigitGuessSamples; ++k) {
      const uint64_t i = n / config::sort::kFirstDigitGuessSamples * k;
      const uint64_t s = SpanOf(i);
      guess_hi |= MakeEntry(prefix(span_data_[s] + (i - span_begin_[s]) * size), 0).hi ^ first.hi;
    }
    first_.off = std::min(guess_hi == 0 ? 64 : std::countl_zero(guess_hi), 64 - bits);
  } else {
    first_.off = 0;
  }
  const int off = first_.off;
  bool into_blocks = false;
  if (bits > 0) {
    // As many chunks as the pool has room for their lists, up to ParallelChunks; into blocks
    // only with one chunk per thread at least (else the build would run on fewer threads).
    const uint64_t fit = (scratch_entries_ - n) / BucketBlocks::ChunkSlackEntries(bits);
    if (fit >= uint64_t(tbb::this_task_arena::max_concurrency())) {
      const uint64_t c = std::min(chunks, fit);
      std::vector<uint64_t> chunk_begin(c + 1);
      for (uint64_t k = 0; k <= c; ++k) chunk_begin[k] = ChunkBegin(n, c, k);
      into_blocks = blocks_.Init(scratch_, scratch_entries_, first.hi, off, bits, std::move(chunk_begin));
      if (into_blocks) chunks = c;
    }
  }
  first_.chunks = chunks;
  if (bits > 0 && !into_blocks) first_.counts.assign(chunks << bits, 0);
  std::vector<uint64_t> diff(2 * chunks, 0);

  tbb::parallel_for(uint64_t(0), chunks, [&](uint64_t c) {
    const uint64_t begin = ChunkBegin(n, chunks, c), end = ChunkBegin(n, chunks, c + 1);
    uint64_t dh = 0, dl = 0;
    // Calls emit(entry, i) for the chunk's records in order, with their key's line prefetched a
    // few records ahead (past a span's end the address is never faulted).
    auto each = [&](auto&& emit) {
      uint64_t s = SpanOf(begin);
      uint64_t i = begin;
      while (i < end) {
        const uint64_t span_end = std::min(end, span_begin_[s + 1]);
        const uint8_t* rec = span_data_[s] + (i - span_begin_[s]) * size;
        uint64_t loc = (s << kSpanShift) | (i - span_begin_[s]);
        for (; i < span_end; ++i, ++loc, rec += size) {
          __builtin_prefetch(rec + config::sort::kBuildPrefetchRecords * size + key_at);
          const SortEntry e = MakeEntry(prefix(rec), loc);
          dh |= e.hi ^ first.hi;
          dl |= e.lo ^ first.lo;
          emit(e, i);
        }
        ++s;
      }
    };
    if (into_blocks) {
      BucketBlocks::Writer w = blocks_.writer(c);
      each([&](const SortEntry& e, uint64_t) { w.Put(e); });
    } else if (bits > 0) {
      uint64_t* h = first_.counts.data() + (c << bits);
      const int shift = 64 - bits;
      each([&](const SortEntry& e, uint64_t i) {
        data_[i] = e;
        ++h[(e.hi << off) >> shift];
      });
    } else {
      each([&](const SortEntry& e, uint64_t i) { data_[i] = e; });
    }
    diff[2 * c] = dh;
    diff[2 * c + 1] = dl;
  });
  uint64_t dh = 0, dl = 0;
  for (uint64_t c = 0; c < chunks; ++c) {
    dh |= diff[2 * c];
    dl |= diff[2 * c + 1];
  }
  // Only measured along with the first digit (bits > 0); unused otherwise.
  first_.common_prefix_bits = bits == 0 ? 0 : PrefixBitsFromDiff(dh, dl);
  return into_blocks;
}

void RecordSorter::BreakTies(uint64_t begin, uint64_t end) {
  const size_t size = shape_.size, rest_at = shape_.key_offset + kKeySize, rest = shape_.key_size - kKeySize;
  const uint8_t* const* span_data = span_data_.data();
  auto record = [&](const SortEntry& e) {
    return span_data[(e.lo & kLocatorMask) >> kSpanShift] + (e.lo & kRecordIndexMask) * size;
  };
  // (rest of the key, locator): a total order, so any sort of a run gives the one stable result.
  auto less = [&](const SortEntry& a, const SortEntry& b) {
    const int c = std::memcmp(record(a) + rest_at, record(b) + rest_at, rest);
    return c < 0 || (c == 0 && (a.lo & kLocatorMask) < (b.lo & kLocatorMask));
  };
  SortEntry* const data = data_ + begin;
  const uint64_t n = end - begin;
  // A run belongs to the chunk holding its first entry and may reach past the chunk's end. Each
  // chunk's first run start is found before any run is sorted, so no chunk reads entries another
  // is moving.
  const uint64_t chunks = ParallelChunks(n);
  std::vector<uint64_t> start(chunks, n);
  tbb::parallel_for(uint64_t(0), chunks, [&](uint64_t c) {
    const uint64_t chunk_end = ChunkBegin(n, chunks, c + 1);
    uint64_t i = ChunkBegin(n, chunks, c);
    while (i > 0 && i < chunk_end && SamePrefix(data[i], data[i - 1])) ++i;  // a run of an earlier chunk
    start[c] = i;
  });
  tbb::parallel_for(uint64_t(0), chunks, [&](uint64_t c) {
    const uint64_t chunk_end = ChunkBegin(n, chunks, c + 1);
    uint64_t i = start[c];
    while (i < chunk_end) {
      uint64_t j = i + 1;
      while (j < n && SamePrefix(data[j], data[i])) ++j;
      if (j - i >= config::sort::kRecordGrain) {
        tbb::parallel_sort(data + i, data + j, less);  // e.g. every key sharing its first 10 bytes
      } else if (j - i > 1) {
        std::sort(data + i, data + j, less);
      }
      i = j;
    }
  });
}

// out[i] = the record of sorted entry first + i. Reads are random, so records a little ahead
// are prefetched (all 2-3 cache lines of each). Records go through an L1 staging block that is
// streamed to the output with non-temporal stores when the output is 16-byte aligned.
void RecordSorter::Gather(uint64_t first, uint64_t count, uint8_t* out, uint32_t* crc) {
  if (first >= sorted_ || count == 0) return;
  const double sort_before = timings_.sort_s;
  FinishSort(first + std::min(count, sorted_ - first));
  timings_.sort_in_gather_s += timings_.sort_s - sort_before;
  WithKeyPrefix(shape_, [&](const auto& prefix) { GatherRecords(prefix, first, count, out, crc); });
}

template <class Prefix>
void RecordSorter::GatherRecords(const Prefix& prefix, uint64_t first, uint64_t count, uint8_t* out, uint32_t* crc) {
  const auto size = prefix.record_size();
  const uint64_t n = std::min(count, sorted_ - first);
  const auto t0 = std::chrono::steady_clock::now();
  const SortEntry* const entries = data_ + first;
  // Prefetches may look past the range (records of the next call), not past the sorted entries.
  const uint64_t prefetch_limit = final_ - first;
  const uint8_t* const* span_data = span_data_.data();
  auto record = [&](uint64_t i) {
    const uint64_t lo = entries[i].lo;
    return span_data[(lo & kLocatorMask) >> kSpanShift] + (lo & kRecordIndexMask) * size;
  };
  // Records too large for the staging block go straight to the output, one per block.
  const uint64_t staged_block = GatherBlockRecords(size);
  const uint64_t kBlock = staged_block > 0 ? staged_block : 1;
  const bool stream = RS_STREAMING_STORES && staged_block > 0 && (reinterpret_cast<uintptr_t>(out) & 15) == 0;
  const uint64_t blocks = (n + kBlock - 1) / kBlock;
  // With `crc`: each task sums its consecutive blocks on; the tasks' CRCs are joined in order below.
  if (crc != nullptr && task_crc_.size() < blocks) task_crc_.resize(blocks);
  tbb::parallel_for(tbb::blocked_range<uint64_t>(0, blocks, std::max<uint64_t>(1, config::sort::kRecordGrain / kBlock)),
                    [&](const tbb::blocked_range<uint64_t>& r) {
                      alignas(64) uint8_t stage[kStageBytes];
                      uint32_t sum = 0;
                      for (uint64_t b = r.begin(); b < r.end(); ++b) {
                        const uint64_t begin = b * kBlock, in_block = std::min(kBlock, n - begin);
                        uint8_t* const to = out + begin * size;
                        uint8_t* const staged = stream ? stage : to;
                        for (uint64_t k = 0; k < in_block; ++k) {
                          const uint64_t ahead = begin + k + config::sort::kGatherPrefetchDistance;
                          if (ahead < prefetch_limit) {
                            PrefetchRecord(record(ahead), size);
                          }
                          std::memcpy(staged + k * size, record(begin + k), size);
                        }
                        // Summed where the block was just written: the L1 staging block when
                        // streaming, else the output (not read back from memory later).
                        if (crc != nullptr) sum = Crc32(sum, staged, in_block * size);
                        if (!stream) continue;
#if RS_STREAMING_STORES
                        const uint64_t bytes = in_block * size, whole = bytes & ~uint64_t(15);
                        for (uint64_t o = 0; o < whole; o += 16) {
                          _mm_stream_si128(reinterpret_cast<__m128i*>(to + o),
                                           _mm_load_si128(reinterpret_cast<const __m128i*>(stage + o)));
                        }
                        std::memcpy(to + whole, stage + whole, bytes - whole);
#endif
                      }
#if RS_STREAMING_STORES
                      // Non-temporal stores are weakly ordered: fence before the task reports
                      // completion.
                      if (stream) _mm_sfence();
#endif
                      if (crc != nullptr) task_crc_[r.begin()] = {sum, r.end()};
                    });
  // The tasks' ranges partition [0, blocks): walk them in order.
  for (uint64_t b = 0; crc != nullptr && b < blocks; b = task_crc_[b].end) {
    const uint64_t bytes = (std::min(task_crc_[b].end * kBlock, n) - b * kBlock) * size;
    *crc = Crc32Join(*crc, task_crc_[b].crc, bytes);
  }
  timings_.gather_s += SecondsSince(t0);
}

}  // namespace rs::sort
