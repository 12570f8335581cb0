// core/checksum.hpp — per-record CRC-32 and the 128-bit checksum (sum of CRCs) of gensort/valsort.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/uint128.hpp"

namespace rs {

// Standard CRC-32 (zlib's crc32(0, rec, 100)), computed with libdeflate's PCLMUL code.
uint32_t RecordCrc(const uint8_t* record);

// The standard CRC-32 of `bytes` bytes at `data`, continuing from `crc` (0 to start): crc of
// A then B is Crc32(Crc32(0, A), B). The one definition of the CRC of a run, a work file or a
// journal line (docs/fault-tolerance.md); per-record CRCs use RecordCrc. Same values as
// RecordCrc's code (zlib's crc32), by the code that is fastest for long buffers.
uint32_t Crc32(uint32_t crc, const void* data, size_t bytes);

// The CRC-32 of A followed by B, from the CRC-32s of A and B and B's length, without the bytes:
// so pieces of one stream can be summed in parallel and joined in stream order. CRC-32 is linear
// over GF(2): crc(A‖B) = crc(A)·x^(8·|B|) mod P + crc(B) (the initial and final inversions
// cancel). Costs about log2(|B|) + 1 multiplications modulo P of 32 steps each.
uint32_t Crc32Join(uint32_t crc_a, uint32_t crc_b, uint64_t b_bytes);

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
