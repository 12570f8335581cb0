// core/checksum.hpp — per-record CRC-32 and the 128-bit checksum (sum of CRCs) of gensort/valsort.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/uint128.hpp"

namespace rs {

// Standard CRC-32 (zlib's crc32(0, rec, 100)), computed with libdeflate's PCLMUL code.
uint32_t RecordCrc(const uint8_t* record);

// Order-independent sum of per-record CRCs; 128 bits so a terabyte sort cannot overflow it.
class Checksum128 {
 public:
  constexpr Checksum128() = default;
  constexpr explicit Checksum128(u128 v) : value_(v) {}

  void AddRecord(const uint8_t* record) { value_ += RecordCrc(record); }
  // Adds the CRCs of `count` consecutive records of `size` bytes.
  void AddRecords(const uint8_t* records, size_t count, size_t size);
  Checksum128& operator+=(Checksum128 o) {
    value_ += o.value_;
    return *this;
  }
  friend bool operator==(Checksum128, Checksum128) = default;

  constexpr u128 value() const { return value_; }
  std::string ToString() const { return ToValsortHex(value_); }

 private:
  u128 value_ = 0;
};

}  // namespace rs
