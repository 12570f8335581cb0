// sort/selection/sorted_keys.cpp
#include "sort/selection/sorted_keys.hpp"

#include <cstring>
#include <string>

namespace rs::sort {

Key KeyOf(const uint8_t* record) {
  Key key;
  std::memcpy(key.data(), record, kKeySize);
  return key;
}

uint64_t SearchRecords(const uint8_t* records, uint64_t lo, uint64_t hi, const Key& key, bool upper) {
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    const int c = CompareKeys(records + mid * kRecordSize, key.data());
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

}  // namespace rs::sort
