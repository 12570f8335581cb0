// sort/incore/record_sorter.hpp — in-core sort of fixed-size records (docs/architecture.md#algorithms): build 16-byte
// key-prefix entries, radix-sort them in parallel, break ties of keys longer than the prefix
// (docs/records.md#sorting-other-shapes), then move each record once into the output.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/record_shape.hpp"
#include "core/status.hpp"
#include "io/aligned_buffer.hpp"
#include "sort/incore/entry_radix_sort.hpp"

namespace rs::sort {

// `count` whole records starting at `data` (data may be null when count is 0).
struct RecordSpan {
  const uint8_t* data;
  uint64_t count;
};

// Sorts batches of records held in memory. Owns the entry arrays (allocated once for up to
// max_records, reused by every Sort). One thread calls it at a time (any thread, not several at
// once); each call runs its parallel phases on the calling thread's TBB arena (wrap the call in
// task_arena::execute to bound the threads).
class RecordSorter {
 public:
  // Allocates the two entry arrays (Bytes: 34 bytes per record) in one AlignedBuffer (MADV_HUGEPAGE).
  // The memory is not touched here: the first Sort pays the first touch (1-2 s/GiB on this VM,
  // i.e. 0.2-0.3 s for 5 M records) unless Prefault ran before.
  static Result<std::unique_ptr<RecordSorter>> Create(uint64_t max_records, const RecordShape& shape);
  // What Create allocates for max_records: the result array, and the scratch array that also
  // holds the build's first-level blocks (1/config::sort::kBlockPoolSlack longer): 34 bytes a record.
  // Besides, each thread that sorts a bucket out of its blocks keeps a scratch of
  // config::sort::kBlockBucketMaxEntries entries (1 MiB) for the sorter's life.
  static uint64_t Bytes(uint64_t max_records);

  // Touches every page of the entry arrays (in parallel on the caller's arena), so that the
  // first Sort runs at reuse speed. Call it early, e.g. while the input is still being read.
  void Prefault();

  // Sorts the records of all spans by their key (memcmp order); records with equal keys keep
  // their input order (span order, then position). Writes the sorted records contiguously to
  // out[0, R * total). `out` must not overlap the spans. Refuses more than max_records
  // records, more than 65536 spans, or a span of 2^32 or more records.
  // Same as SortEntries(spans) then Gather(0, total, out).
  Status Sort(std::span<const RecordSpan> spans, uint8_t* out);

  // How much of the radix sort SortEntries does before it returns: all of it, or only the first
  // level, leaving each of its buckets (256-2,048 of them, near 8 Ki entries each where there are
  // enough) to the first Gather that needs it. The second suits a caller whose gathers wait on
  // something slower than the CPU, such as onepass's writes to disk: the sort's later levels then
  // run while the disk writes (docs/architecture.md#algorithms).
  enum class Finish { kNow, kWhenGathered };

  // The two halves of Sort, for callers that write the output in pieces (e.g. into pool
  // buffers): SortEntries builds and sorts the entries, or with Finish::kWhenGathered starts
  // sorting them (same refusals as Sort); Gather then writes sorted records [first, first +
  // count) to out[0, R * count), finishing their sort first where needed, as often as needed,
  // while the spans stay valid and unchanged. Records past sorted_records() are not written.
  // Given `crc`, Gather also continues the CRC-32 in *crc over the bytes it writes, in order
  // (core/checksum.hpp Crc32): each block is summed just after it is filled (in the L1 staging
  // block where it is streamed), in parallel, instead of read back from memory afterwards.
  Status SortEntries(std::span<const RecordSpan> spans, Finish finish = Finish::kNow);
  void Gather(uint64_t first, uint64_t count, uint8_t* out, uint32_t* crc = nullptr);
  // Records the last successful SortEntries (or Sort) took to sort; 0 after a refusal.
  uint64_t sorted_records() const { return sorted_; }

  // Seconds spent in the phases of the last Sort (or SortEntries and the Gathers since):
  // building the entries (with the first-digit histograms), radix-sorting them, and gathering
  // the records into the output.
  // sort_s includes sort_in_gather_s, the part of the sort that Finish::kWhenGathered left to the
  // Gathers.
  struct Timings {
    double build_s = 0, sort_s = 0, gather_s = 0, sort_in_gather_s = 0;
  };
  Timings last_timings() const { return timings_; }
  // Where the last sort's first radix level counted its digit (below the key bits the records
  // share, from the build's guess or counted again: StagedRadixSort::FirstLevel).
  StagedRadixSort::FirstLevel first_level() const { return radix_.first_level(); }

  uint64_t max_records() const { return max_records_; }

 private:
  RecordSorter(uint64_t max_records, const RecordShape& shape, AlignedBuffer entries);
  // Validates the spans against the limits; the total record count.
  Result<uint64_t> CountRecords(std::span<const RecordSpan> spans) const;
  // The span holding record i (0 <= i < the total), from span_begin_.
  uint64_t SpanOf(uint64_t i) const;
  // The phases for one record shape's key prefix (core/key_prefix.hpp): gensort's is a
  // compile-time type, so its loops are what they were before other shapes existed.
  template <class Prefix>
  bool Build(const Prefix& prefix, std::span<const RecordSpan> spans, uint64_t n);
  // Gather's copy, of entries [first, first + count) that FinishSort has made final (first <
  // sorted_, count > 0).
  template <class Prefix>
  void GatherRecords(const Prefix& prefix, uint64_t first, uint64_t count, uint8_t* out, uint32_t* crc);
  // Sorts the radix buckets that begin before `end` (and enough more to occupy the arena's
  // threads), then breaks their ties; entries [0, end) are final after it.
  void FinishSort(uint64_t end);
  // Keys longer than the entry's 10 key bytes: orders each run of entries with equal prefixes in
  // [begin, end) by the rest of the key, then by input order. No run may cross begin or end.
  void BreakTies(uint64_t begin, uint64_t end);

  uint64_t max_records_;
  RecordShape shape_;
  AlignedBuffer entries_;  // [0, max) the sort's result array, then its scratch (and blocks' pool)
  uint64_t scratch_entries_ = 0;
  BucketBlocks blocks_;  // the build's first level, while its buckets are pending
  SortEntry* data_;
  SortEntry* scratch_;
  std::vector<uint64_t> span_begin_;       // first global record index of each span, then n
  std::vector<const uint8_t*> span_data_;  // each span's records, by span index
  // Gather's CRC pieces, kept at each task's first block: the task's CRC-32 and the block after
  // its last. A member so that a gather per write buffer allocates nothing once it has grown.
  struct TaskCrc {
    uint32_t crc;
    uint64_t end;
  };
  std::vector<TaskCrc> task_crc_;
  FirstDigitCounts first_;
  StagedRadixSort radix_;
  uint64_t final_ = 0;  // entries [0, final_) are in their final order, ties broken
  uint64_t sorted_ = 0;
  Timings timings_;
};

}  // namespace rs::sort
