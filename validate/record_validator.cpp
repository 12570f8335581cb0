// validate/record_validator.cpp
#include "validate/record_validator.hpp"

#include <libdeflate.h>

#include <cstring>

#include "core/record.hpp"

namespace rs::validate {

Summary ValidateRecords(const uint8_t* records, uint64_t count) {
  Summary s;
  if (count == 0) return s;
  uint64_t unordered = 0, duplicates = 0, first_unordered = 0;
  u128 sum = 0;
  KeyWords prev = LoadKeyWords(records);
  sum += libdeflate_crc32(0, records, kRecordSize);
  for (uint64_t i = 1; i < count; ++i) {
    const uint8_t* rec = records + i * kRecordSize;
    KeyWords key = LoadKeyWords(rec);
    if (key.hi == prev.hi && key.lo == prev.lo) {
      ++duplicates;
    } else if (key.hi < prev.hi || (key.hi == prev.hi && key.lo < prev.lo)) {
      if (unordered++ == 0) first_unordered = i;
    }
    prev = key;
    sum += libdeflate_crc32(0, rec, kRecordSize);
  }
  s.first_unordered = first_unordered;
  s.unordered = unordered;
  s.records = count;
  s.duplicates = duplicates;
  s.checksum = Checksum128(sum);
  std::memcpy(s.first.data(), records, kRecordSize);
  std::memcpy(s.last.data(), records + (count - 1) * kRecordSize, kRecordSize);
  return s;
}

}  // namespace rs::validate
