// validate/record_validator.cpp
#include "validate/record_validator.hpp"

#include <libdeflate.h>

#include <cstring>

#include "core/record.hpp"

namespace rs::validate {

namespace {

// One pass over the records: `load` takes a record's key, `equal` and `less` compare two keys.
// Templated so gensort's records keep their two integer loads per key (validate runs after every
// --validate sort) while other shapes compare with memcmp.
template <class Load, class Equal, class Less>
Summary Scan(const uint8_t* records, uint64_t count, const RecordShape& shape, Load load, Equal equal, Less less) {
  Summary s(shape);
  if (count == 0) return s;
  const size_t size = shape.size;
  uint64_t unordered = 0, duplicates = 0, first_unordered = 0;
  u128 sum = 0;
  auto prev = load(records);
  sum += libdeflate_crc32(0, records, size);
  for (uint64_t i = 1; i < count; ++i) {
    const uint8_t* rec = records + i * size;
    auto key = load(rec);
    if (equal(key, prev)) {
      ++duplicates;
    } else if (less(key, prev)) {
      if (unordered++ == 0) first_unordered = i;
    }
    prev = key;
    sum += libdeflate_crc32(0, rec, size);
  }
  s.first_unordered = first_unordered;
  s.unordered = unordered;
  s.records = count;
  s.duplicates = duplicates;
  s.checksum = Checksum128(sum);
  std::memcpy(s.first.data(), records, size);
  std::memcpy(s.last.data(), records + (count - 1) * size, size);
  return s;
}

}  // namespace

Summary ValidateRecords(const uint8_t* records, uint64_t count, const RecordShape& shape) {
  if (shape.IsGensort()) {
    return Scan(
        records, count, shape, [](const uint8_t* rec) { return LoadKeyWords(rec); },
        [](KeyWords a, KeyWords b) { return a.hi == b.hi && a.lo == b.lo; },
        [](KeyWords a, KeyWords b) { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo); });
  }
  const size_t offset = shape.key_offset, bytes = shape.key_size;
  return Scan(
      records, count, shape, [offset](const uint8_t* rec) { return rec + offset; },
      [bytes](const uint8_t* a, const uint8_t* b) { return std::memcmp(a, b, bytes) == 0; },
      [bytes](const uint8_t* a, const uint8_t* b) { return std::memcmp(a, b, bytes) < 0; });
}

}  // namespace rs::validate
