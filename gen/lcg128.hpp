// gen/lcg128.hpp — gensort's 128-bit LCG, X_{k+1} = A*X_k + C mod 2^128, with skip-ahead to any
// state in at most 128 affine steps (docs/gensort-spec.md §2). Pure functions; safe from any thread.
#pragma once

#include <array>

#include "core/uint128.hpp"

namespace rs::gen {

inline constexpr u128 kLcgA = MakeU128(0x2360ED051FC65DA4ULL, 0x4385DF649FCCF645ULL);
inline constexpr u128 kLcgC = MakeU128(0x4A696D4772617952ULL, 0x4950202020202001ULL);

inline constexpr u128 LcgStep(u128 x) { return kLcgA * x + kLcgC; }

struct Affine {
  u128 a;
  u128 c;
};

// Entry i is f^(2^i): a_0 = A, c_0 = C, a_{i+1} = a_i^2, c_{i+1} = (a_i + 1) c_i.
inline constexpr std::array<Affine, 128> MakeSkipTable() {
  std::array<Affine, 128> t{};
  t[0] = {kLcgA, kLcgC};
  for (int i = 1; i < 128; ++i) t[i] = {t[i - 1].a * t[i - 1].a, (t[i - 1].a + 1) * t[i - 1].c};
  return t;
}
inline constexpr std::array<Affine, 128> kSkipTable = MakeSkipTable();

// X_n, the n-th state from X_0 = 0.
inline constexpr u128 LcgState(u128 n) {
  u128 x = 0;
  for (int i = 0; i < 128; ++i) {
    if ((n >> i) & 1) x = kSkipTable[i].a * x + kSkipTable[i].c;
  }
  return x;
}

}  // namespace rs::gen
