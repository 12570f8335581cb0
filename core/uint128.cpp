// core/uint128.cpp — parsing and printing of 128-bit values.
#include "core/uint128.hpp"

#include <cstdio>

namespace rs {

std::optional<u128> ParseU128(std::string_view text) {
  if (text.empty()) return std::nullopt;
  constexpr u128 kMax = ~u128(0);
  u128 v = 0;
  for (char ch : text) {
    if (ch < '0' || ch > '9') return std::nullopt;
    unsigned d = unsigned(ch - '0');
    if (v > (kMax - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::string ToDecimal(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v != 0) {
    s.push_back(char('0' + unsigned(v % 10)));
    v /= 10;
  }
  return std::string(s.rbegin(), s.rend());
}

std::string ToValsortHex(u128 v) {
  char buf[48];
  if (Hi64(v) == 0) {
    std::snprintf(buf, sizeof buf, "%lx", static_cast<unsigned long>(Lo64(v)));
  } else {
    std::snprintf(buf, sizeof buf, "%lx%016lx", static_cast<unsigned long>(Hi64(v)),
                  static_cast<unsigned long>(Lo64(v)));
  }
  return buf;
}

std::optional<u128> ParseHexU128(std::string_view text) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.empty() || text.size() > 32) return std::nullopt;
  u128 v = 0;
  for (char ch : text) {
    unsigned d;
    if (ch >= '0' && ch <= '9')
      d = unsigned(ch - '0');
    else if (ch >= 'a' && ch <= 'f')
      d = unsigned(ch - 'a' + 10);
    else if (ch >= 'A' && ch <= 'F')
      d = unsigned(ch - 'A' + 10);
    else
      return std::nullopt;
    v = (v << 4) | d;
  }
  return v;
}

}  // namespace rs
