// partition/sorted_keys.cpp
#include "partition/sorted_keys.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace rs::partition {

uint64_t SearchRecords(const uint8_t* records, uint64_t lo, uint64_t hi, const Key& key, bool upper,
                       const RecordShape& shape) {
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    const int c = std::memcmp(records + mid * shape.size + shape.key_offset, key.data(), shape.key_size);
    if (upper ? c <= 0 : c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

Result<Key> SortedKeys::KeyAt(uint64_t i) {
  if (i >= size()) {
    return Status::Error("sorted keys: position " + std::to_string(i) + " is past the end (" + std::to_string(size()) +
                         " keys)");
  }
  return ReadKey(i);
}

Result<uint64_t> SortedKeys::Bound(const Key& key, uint64_t lo, uint64_t hi, bool upper) {
  if (lo > hi || hi > size()) {
    return Status::Error("sorted keys: range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                         ") is not within [0, " + std::to_string(size()) + ")");
  }
  if (lo == hi) return lo;
  return Search(key, lo, hi, upper);
}

Result<uint64_t> KeyArraySortedKeys::Search(const Key& key, uint64_t lo, uint64_t hi, bool upper) {
  const Key* first = keys_ + lo;
  const Key* last = keys_ + hi;
  return uint64_t((upper ? std::upper_bound(first, last, key) : std::lower_bound(first, last, key)) - keys_);
}

}  // namespace rs::partition
