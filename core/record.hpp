// core/record.hpp — the Sort Benchmark record: 100 bytes, a 10-byte key compared as unsigned bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace rs {

inline constexpr size_t kRecordSize = 100;
inline constexpr size_t kKeySize = 10;

// memcmp compares as unsigned char, which is the benchmark's key order.
inline int CompareKeys(const uint8_t* a, const uint8_t* b) { return std::memcmp(a, b, kKeySize); }

}  // namespace rs
