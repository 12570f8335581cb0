// core/units.hpp — parsing of command-line numbers (record counts and byte sizes with suffixes),
// and the one way messages write a size in MiB.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rs {

// A record count: decimal digits with an optional k, M, G or T suffix meaning 10^3, 10^6, 10^9,
// 10^12 (the Sort Benchmark counts records in powers of ten: "10M records" is 10,000,000).
std::optional<uint64_t> ParseCount(std::string_view text);
// A byte size: decimal digits with an optional K, M, G or T suffix (optionally followed by "i"
// or "iB"/"B") meaning 2^10, 2^20, 2^30, 2^40.
std::optional<uint64_t> ParseBytes(std::string_view text);
// "N MiB", rounded up: a budget or a need is never shown smaller than it is.
std::string MibText(uint64_t bytes);

}  // namespace rs
