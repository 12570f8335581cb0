// core/units.cpp
#include "core/units.hpp"

#include <cctype>

namespace rs {

namespace {
// Digits, then nothing or one unit letter K/M/G/T followed exactly by one of `tails`.
std::optional<uint64_t> ParseScaled(std::string_view text, uint64_t base,
                                    std::initializer_list<std::string_view> tails) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    unsigned d = unsigned(text[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
    ++i;
  }
  if (i == 0) return std::nullopt;
  if (i == text.size()) return v;
  int power;
  switch (std::toupper(static_cast<unsigned char>(text[i]))) {
    case 'K':
      power = 1;
      break;
    case 'M':
      power = 2;
      break;
    case 'G':
      power = 3;
      break;
    case 'T':
      power = 4;
      break;
    default:
      return std::nullopt;
  }
  std::string_view rest = text.substr(i + 1);
  bool tail_ok = rest.empty();
  for (auto t : tails) tail_ok = tail_ok || rest == t;
  if (!tail_ok) return std::nullopt;
  uint64_t mul = 1;
  for (int p = 0; p < power; ++p) mul *= base;
  if (v != 0 && mul > UINT64_MAX / v) return std::nullopt;
  return v * mul;
}
}  // namespace

std::optional<uint64_t> ParseCount(std::string_view text) { return ParseScaled(text, 1000, {}); }

std::optional<uint64_t> ParseBytes(std::string_view text) { return ParseScaled(text, 1024, {"i", "iB", "B"}); }

std::string MibText(uint64_t bytes) { return std::to_string((bytes + (uint64_t(1) << 20) - 1) >> 20) + " MiB"; }

}  // namespace rs
