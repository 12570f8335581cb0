// core/checksum.cpp — CRC-32: ISA-L's folding code for streams, libdeflate's for single records
// (zlib's table CRC is several times slower than either; docs/machine.md#checksums).
#include "core/checksum.hpp"

#include <isa-l/crc.h>
#include <libdeflate.h>

#include <algorithm>

#include "core/record.hpp"

namespace rs {

uint32_t RecordCrc(const uint8_t* record) { return libdeflate_crc32(0, record, kRecordSize); }

// The same CRC (reflected 0xEDB88320, zlib's) by ISA-L, which folds 64 bytes per step with
// VPCLMULQDQ where the CPU has it: 44 GiB/s on 6,400-byte blocks in L1 (the gather's) against
// libdeflate 1.14's 12 GiB/s (PCLMUL, 16 bytes per step), here (docs/machine.md#checksums). Per
// 100-byte record libdeflate is the faster (3.8 against 2.8 GiB/s): RecordCrc keeps it.
uint32_t Crc32(uint32_t crc, const void* data, size_t bytes) {
  return crc32_gzip_refl(crc, static_cast<const unsigned char*>(data), bytes);
}

namespace {

// CRC-32's polynomial P without its x^32 term, bit-reflected: bit 31 holds x^0, bit 0 holds x^31.
constexpr uint32_t kReflectedPoly = 0xEDB88320u;
constexpr uint32_t kXPow0 = 0x80000000u;  // the polynomial 1
constexpr uint32_t kXPow8 = kXPow0 >> 8;  // x^8: one byte's shift

// a·b mod P for reflected polynomials of degree < 32.
uint32_t MultiplyModP(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (int i = 0; i < 32 && a != 0; ++i, a <<= 1) {  // a's term x^i sits in bit 31 after i shifts
    if (a & kXPow0) product ^= b;
    b = (b >> 1) ^ ((b & 1) ? kReflectedPoly : 0);  // b·x: x^31·x = x^32 ≡ P's lower terms
  }
  return product;
}

}  // namespace

uint32_t Crc32Join(uint32_t crc_a, uint32_t crc_b, uint64_t b_bytes) {
  // crc_a·x^(8·b_bytes) by squaring: `power` runs through x^8, x^16, x^32, ... (x^(8·2^k)).
  for (uint32_t power = kXPow8; b_bytes != 0; b_bytes >>= 1, power = MultiplyModP(power, power)) {
    if (b_bytes & 1) crc_a = MultiplyModP(crc_a, power);
  }
  return crc_a ^ crc_b;
}

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
