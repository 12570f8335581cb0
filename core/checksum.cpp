// core/checksum.cpp — CRC-32 via libdeflate (PCLMUL; zlib's table CRC is several times slower).
#include "core/checksum.hpp"

#include <libdeflate.h>

#include <algorithm>

#include "core/record.hpp"

namespace rs {

uint32_t RecordCrc(const uint8_t* record) { return libdeflate_crc32(0, record, kRecordSize); }

void Checksum128::AddRecords(const uint8_t* records, size_t count, size_t size) {
  // A 64-bit partial sum cannot overflow within 2^32 records; fold it into 128 bits per block.
  constexpr size_t kBlock = size_t(1) << 30;
  for (size_t done = 0; done < count;) {
    size_t n = std::min(kBlock, count - done);
    uint64_t sum = 0;
    for (size_t i = 0; i < n; ++i) sum += libdeflate_crc32(0, records + (done + i) * size, size);
    value_ += sum;
    done += n;
  }
}

}  // namespace rs
