// sort/selection/file_sorted_keys.hpp — a sorted work file on disk as SortedKeys (threepass phase 3a): an
// in-memory sparse index of every stride-th key, recorded while the file was written, and at most
// one read of `stride` records per query, so that parallel selection never binary-searches a disk.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "io/striped_file.hpp"
#include "partition/sorted_keys.hpp"
#include "sort/selection/key_index.hpp"

namespace rs::sort {

// The selection's key types, used throughout threepass.
using partition::Key;
using partition::SortedKeys;

// Keys of a sorted striped file of records of a shape. A query first searches the index in memory,
// then reads the one block of `stride` records that can hold the answer (unless the index or the
// query's range already decides it) and searches that block in memory; the last block read is
// kept, so queries that settle into one block read it once. Errors name the file (for read errors
// the member, from StripedFile::ReadAt) and the reason. Not thread-safe: one thread queries it at a
// time (any thread).
class FileSortedKeys final : public SortedKeys {
 public:
  // Opens the file striped over `members` in units of `stripe_unit` (buffered reads: the queries
  // are small and scattered). index.At(i) must be the key of record i·stride, one entry per started
  // block. Errors: the file cannot be opened, its size is not a multiple of the record size, or
  // the index has the wrong length for it.
  static Result<std::unique_ptr<FileSortedKeys>> Open(const std::vector<std::string>& members, uint64_t stripe_unit,
                                                      const RecordShape& shape, KeyIndex index,
                                                      uint64_t stride = config::external::kKeyIndexStride);

  uint64_t size() const override { return count_; }

 protected:
  Result<Key> ReadKey(uint64_t i) override;
  Result<uint64_t> Search(const Key& key, uint64_t lo, uint64_t hi, bool upper) override;

 private:
  FileSortedKeys(StripedFile file, std::string name, const RecordShape& shape, KeyIndex index, uint64_t stride);
  // Makes block b (records [b·stride, (b+1)·stride) ∩ [0, size())) the cached block.
  Status LoadBlock(uint64_t b);

  StripedFile file_;
  std::string name_;  // in messages
  RecordShape shape_;
  KeyIndex index_;
  uint64_t stride_;
  uint64_t count_;
  std::vector<uint8_t> block_;  // the records of block cached_
  uint64_t cached_;             // index_.size() while no block is cached
};

}  // namespace rs::sort
