// core/record_shape.hpp — the shape of a fixed-size record: R bytes with a K-byte key at offset O,
// keys compared as unsigned bytes (memcmp). gensort's 100/10/0 is the default and the shape the
// compile-time constants of core/record.hpp describe (docs/records.md).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

#include "core/record.hpp"
#include "core/status.hpp"

namespace rs {

struct RecordShape {
  // The Sort Benchmark's range for user records (issue 16): an 8-byte tuple up to 64 KiB.
  static constexpr uint32_t kMinSize = 8;
  static constexpr uint32_t kMaxSize = 65536;

  uint32_t size = kRecordSize;
  uint32_t key_size = kKeySize;
  uint32_t key_offset = 0;

  bool IsGensort() const { return size == kRecordSize && key_size == kKeySize && key_offset == 0; }

  // The one line naming the flag and the allowed range when the shape is out of range.
  Status Check() const;

  // lcm(R, 4096): the smallest buffer of whole records that is also whole 4 KiB blocks (102,400
  // for 100-byte records), or 0 when that exceeds config::kMaxRecordBlock: such shapes (4097 bytes:
  // 16 MiB) stream through the page cache in buffers of whole records (docs/records.md#alignment).
  uint64_t AlignedBlock() const;
  // The unit record buffers are made of: AlignedBlock(), else one record.
  uint64_t Block() const;

  // memcmp order of the two records' keys.
  int CompareKeys(const uint8_t* a, const uint8_t* b) const {
    return std::memcmp(a + key_offset, b + key_offset, key_size);
  }

  std::string ToString() const;  // "R/K/O"
  // The flags that give this shape, for messages: "--record-size 64 --key-size 8 --key-offset 0".
  std::string Flags() const;

  friend bool operator==(const RecordShape&, const RecordShape&) = default;
};

}  // namespace rs
