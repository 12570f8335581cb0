// core/uint128.hpp — the 128-bit unsigned integer used for record numbers, counts and checksums.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rs {

using u128 = unsigned __int128;

inline constexpr u128 MakeU128(uint64_t hi, uint64_t lo) { return (u128(hi) << 64) | lo; }
inline constexpr uint64_t Hi64(u128 v) { return uint64_t(v >> 64); }
inline constexpr uint64_t Lo64(u128 v) { return uint64_t(v); }

// Parses a plain decimal number (no sign, no suffix, no spaces); nullopt on junk or overflow.
std::optional<u128> ParseU128(std::string_view text);
std::string ToDecimal(u128 v);
// valsort's checksum form (docs/gensort-spec.md §7): lower 64 bits in hex when the upper half is zero,
// otherwise upper half in hex followed by the lower half as exactly 16 hex digits.
std::string ToValsortHex(u128 v);
// Inverse of ToValsortHex (also accepts any plain hex up to 32 digits); nullopt on junk.
std::optional<u128> ParseHexU128(std::string_view text);

}  // namespace rs
