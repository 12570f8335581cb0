// partition/sorted_keys.hpp — one rank's sorted sequence of keys as parallel selection sees it
// (partition/parallel_selection.hpp): its length, the key at a position, and where a key falls
// within a range. MemorySortedKeys: records in memory; KeyArraySortedKeys: bare keys (the sample
// splitter's sorted sample); FileSortedKeys (sort/selection/file_sorted_keys.hpp): threepass's
// sorted work file on disk.
#pragma once

#include <cstdint>

#include "core/record_shape.hpp"
#include "core/status.hpp"
#include "partition/key.hpp"

namespace rs::partition {

// First position in [lo, hi) of `records` (of `shape`, sorted by key) whose key is not less than
// `key` (upper: greater than `key`), or hi when there is none. `key` has the shape's key size.
uint64_t SearchRecords(const uint8_t* records, uint64_t lo, uint64_t hi, const Key& key, bool upper,
                       const RecordShape& shape);

// A sequence of keys sorted in memcmp order. Queries are not const because an implementation may
// cache what it read. Not thread-safe: one thread queries it at a time.
class SortedKeys {
 public:
  explicit SortedKeys(uint32_t key_size) : key_size_(key_size) {}
  virtual ~SortedKeys() = default;
  virtual uint64_t size() const = 0;
  // Bytes per key (the records' K): known even where there are no keys, for the selection's
  // wire elements.
  uint32_t key_size() const { return key_size_; }

  // The key at position i (i < size()).
  Result<Key> KeyAt(uint64_t i);
  // First position in [lo, hi) whose key is >= key, or hi when there is none (lo <= hi <= size()).
  // Since the sequence is sorted, the result minus lo counts the keys of [lo, hi) below `key`.
  Result<uint64_t> LowerBound(const Key& key, uint64_t lo, uint64_t hi) { return Bound(key, lo, hi, false); }
  // First position in [lo, hi) whose key is > key, or hi when there is none (lo <= hi <= size()).
  Result<uint64_t> UpperBound(const Key& key, uint64_t lo, uint64_t hi) { return Bound(key, lo, hi, true); }

 protected:
  // The public calls check the arguments, so implementations see only valid positions and ranges.
  virtual Result<Key> ReadKey(uint64_t i) = 0;
  virtual Result<uint64_t> Search(const Key& key, uint64_t lo, uint64_t hi, bool upper) = 0;

 private:
  Result<uint64_t> Bound(const Key& key, uint64_t lo, uint64_t hi, bool upper);
  uint32_t key_size_;
};

// `count` sorted records of `shape` in memory (records may be null when count is 0); they must
// outlive this.
class MemorySortedKeys final : public SortedKeys {
 public:
  MemorySortedKeys(const uint8_t* records, uint64_t count, const RecordShape& shape)
      : SortedKeys(shape.key_size), records_(records), count_(count), shape_(shape) {}
  uint64_t size() const override { return count_; }

 protected:
  Result<Key> ReadKey(uint64_t i) override { return Key::Of(records_ + i * shape_.size, shape_); }
  Result<uint64_t> Search(const Key& key, uint64_t lo, uint64_t hi, bool upper) override {
    return SearchRecords(records_, lo, hi, key, upper, shape_);
  }

 private:
  const uint8_t* records_;
  uint64_t count_;
  RecordShape shape_;
};

// `count` sorted keys of key_size bytes in memory (keys may be null when count is 0); they must
// outlive this.
class KeyArraySortedKeys final : public SortedKeys {
 public:
  KeyArraySortedKeys(const Key* keys, uint64_t count, uint32_t key_size)
      : SortedKeys(key_size), keys_(keys), count_(count) {}
  uint64_t size() const override { return count_; }

 protected:
  Result<Key> ReadKey(uint64_t i) override { return keys_[i]; }
  Result<uint64_t> Search(const Key& key, uint64_t lo, uint64_t hi, bool upper) override;

 private:
  const Key* keys_;
  uint64_t count_;
};

}  // namespace rs::partition
