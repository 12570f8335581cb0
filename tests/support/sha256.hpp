// tests/support/sha256.hpp — SHA-256 of a byte range as lower-case hex, to compare generated
// files with the spec's reference hashes without shelling out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace rs::test {
std::string Sha256Hex(const void* data, size_t len);
inline std::string Sha256Hex(const std::string& s) { return Sha256Hex(s.data(), s.size()); }
}  // namespace rs::test
