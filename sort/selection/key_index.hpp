// sort/selection/key_index.hpp — threepass's sparse key index of its sorted work file: the key of
// every kKeyIndexStride-th record, packed K bytes each (as planned: ThreepassKeyIndexBytes), and
// written to disk in the same bytes for --resume. Plain value type, one thread at a time.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "partition/key.hpp"

namespace rs::sort {

class KeyIndex {
 public:
  explicit KeyIndex(uint32_t key_size = 0) : key_size_(key_size) {}
  // `bytes`: keys of key_size bytes back to back (a kept index read back).
  KeyIndex(uint32_t key_size, std::vector<uint8_t> bytes) : key_size_(key_size), bytes_(std::move(bytes)) {}

  uint32_t key_size() const { return key_size_; }
  uint64_t size() const { return key_size_ == 0 ? 0 : bytes_.size() / key_size_; }
  void Reserve(uint64_t keys) { bytes_.reserve(keys * key_size_); }
  // Appends the key_size bytes at `key`.
  void Add(const uint8_t* key) { bytes_.insert(bytes_.end(), key, key + key_size_); }
  const uint8_t* KeyData(uint64_t i) const { return bytes_.data() + i * key_size_; }
  partition::Key At(uint64_t i) const { return partition::Key(KeyData(i), key_size_); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }

 private:
  uint32_t key_size_;
  std::vector<uint8_t> bytes_;
};

}  // namespace rs::sort
