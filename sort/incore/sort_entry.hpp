// sort/incore/sort_entry.hpp — the 16-byte sort entry of a 100-byte record: the 10-byte key as integers
// plus a 48-bit locator, so that comparing entries as 128-bit integers is (key, input order).
// Plain value type, any thread.
#pragma once

#include <cstdint>
#include <cstring>

#include "core/record.hpp"

namespace rs::sort {

// hi = key bytes 0..7 big-endian; lo = key bytes 8..9 big-endian in bits 63..48, then the
// locator (span index << 32 | record index within the span) in bits 47..0.
struct alignas(16) SortEntry {
  uint64_t hi;
  uint64_t lo;
};
static_assert(sizeof(SortEntry) == 16);

// Key bits held in an entry, counted from the top of hi: 64 in hi, 16 in lo.
inline constexpr int kKeyBits = int(kKeySize) * 8;
// The key part of lo.
inline constexpr uint64_t kLoKeyMask = ~uint64_t(0) << 48;
inline constexpr uint64_t kLocatorMask = ~kLoKeyMask;
inline constexpr int kSpanShift = 32;
inline constexpr uint64_t kRecordIndexMask = (uint64_t(1) << kSpanShift) - 1;
// Limits of the locator: 16 bits of span index, 32 bits of record index.
inline constexpr uint64_t kMaxSpans = uint64_t(1) << 16;
inline constexpr uint64_t kMaxRecordsPerSpan = uint64_t(1) << 32;

inline SortEntry MakeEntry(KeyWords k, uint64_t locator) { return {k.hi, (uint64_t(k.lo) << 48) | locator}; }
inline SortEntry MakeEntry(const uint8_t* record, uint64_t locator) { return MakeEntry(LoadKeyWords(record), locator); }

// Starts loading the cache lines at the start, 64 bytes in and at the end of the `size`-byte
// record at `record` (the gather's records a little ahead, the merge's inputs' next records):
// where records are read out of order or by DMA, the hardware prefetcher does not fetch them in
// time. All 2-3 lines of a 100-byte record. Unconditional on purpose: GCC 12 dropped prefetches
// behind an `if` on the size even where the size was the constant 100 (the gather then ran 4-9 %
// slower, bench/sort_bench). The second address stops at the record's last byte, so a record of
// at most 64 bytes (one line when aligned) never fetches the next record's line: in the gather
// that line is another random record's, a wasted line per record.
inline void PrefetchRecord(const uint8_t* record, size_t size) {
  __builtin_prefetch(record);
  __builtin_prefetch(record + (size > 64 ? 64 : size - 1));
  __builtin_prefetch(record + size - 1);
}

// Entries order as 128-bit integers: key first, then locator (input order). Branch-free.
inline bool EntryLess(const SortEntry& a, const SortEntry& b) {
  return ((unsigned __int128)a.hi << 64 | a.lo) < ((unsigned __int128)b.hi << 64 | b.lo);
}

}  // namespace rs::sort
