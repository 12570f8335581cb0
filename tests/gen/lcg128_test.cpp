// tests/gen/lcg128_test.cpp — the 128-bit LCG, its skip table and skip-ahead against docs/gensort-spec.md §2.
#include "gen/lcg128.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "core/uint128.hpp"

namespace rs::gen {
namespace {

// 32 upper-case hex digits, so failures print like the spec's values.
std::string Hex32(u128 v) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string s(32, '0');
  for (int i = 31; i >= 0; --i) {
    s[size_t(i)] = kDigits[unsigned(v & 15)];
    v >>= 4;
  }
  return s;
}

u128 Dec(const char* text) {
  std::optional<u128> v = ParseU128(text);
  EXPECT_TRUE(v.has_value()) << text;
  return v.value_or(0);
}

u128 Apply(const Affine& f, u128 x) { return f.a * x + f.c; }

u128 StepTimes(u128 x, uint64_t times) {
  for (uint64_t k = 0; k < times; ++k) x = LcgStep(x);
  return x;
}

TEST(Lcg128Test, ConstantsMatchSpec) {
  // §2 gives A and C both in hex and in decimal; the decimal form is an independent check.
  EXPECT_EQ(Hex32(kLcgA), "2360ED051FC65DA44385DF649FCCF645");
  EXPECT_EQ(Hex32(kLcgC), "4A696D47726179524950202020202001");
  EXPECT_EQ(Hex32(kLcgA), Hex32(Dec("47026247687942121848144207491837523525")));
  EXPECT_EQ(Hex32(kLcgC), Hex32(Dec("98910279301475397889117759788405497857")));
  // C read as bytes: "JimGrayRIP", five spaces, 0x01.
  std::string bytes;
  for (int shift = 120; shift >= 0; shift -= 8) bytes.push_back(char(uint8_t(kLcgC >> shift)));
  EXPECT_EQ(bytes, std::string("JimGrayRIP     \x01", 16));
}

TEST(Lcg128Test, SpecExampleStates) {
  EXPECT_EQ(Hex32(LcgState(0)), Hex32(0));
  EXPECT_EQ(Hex32(LcgState(1)), "4A696D47726179524950202020202001");  // X_1 = C
  EXPECT_EQ(Hex32(LcgState(2)), "95E0E48262B3EDFE04479485C755B646");
  EXPECT_EQ(Hex32(LcgState(3)), "45979353DBED5329365CF795F12984DF");
  EXPECT_EQ(Hex32(LcgStep(0)), "4A696D47726179524950202020202001");
  EXPECT_EQ(Hex32(LcgStep(LcgStep(0))), "95E0E48262B3EDFE04479485C755B646");
  EXPECT_EQ(Hex32(LcgStep(LcgStep(LcgStep(0)))), "45979353DBED5329365CF795F12984DF");
}

TEST(Lcg128Test, StateMatchesSteppingFromZero) {
  u128 x = 0;  // X_0
  for (uint64_t n = 0; n <= 2000; ++n) {
    ASSERT_EQ(Hex32(LcgState(n)), Hex32(x)) << "n = " << n;
    x = LcgStep(x);
  }
}

TEST(Lcg128Test, SkipAheadComposes) {
  const u128 starts[] = {
      (u128(1) << 64) - 3,
      (u128(1) << 124) - 1,
      (u128(1) << 127) + 5,
      u128(1000000000000ULL),
  };
  for (u128 a : starts) {
    SCOPED_TRACE("a = " + ToDecimal(a));
    u128 x = LcgState(a);
    for (uint64_t b = 0; b <= 300; ++b) {
      ASSERT_EQ(Hex32(LcgState(a + b)), Hex32(x)) << "b = " << b;
      x = LcgStep(x);
    }
  }
}

TEST(Lcg128Test, SkipTableFollowsRecurrence) {
  EXPECT_EQ(Hex32(kSkipTable[0].a), "2360ED051FC65DA44385DF649FCCF645");
  EXPECT_EQ(Hex32(kSkipTable[0].c), "4A696D47726179524950202020202001");
  for (size_t i = 0; i + 1 < kSkipTable.size(); ++i) {
    const Affine& cur = kSkipTable[i];
    const Affine& next = kSkipTable[i + 1];
    EXPECT_EQ(Hex32(next.a), Hex32(cur.a * cur.a)) << "a_" << i + 1;
    EXPECT_EQ(Hex32(next.c), Hex32((cur.a + 1) * cur.c)) << "c_" << i + 1;
  }
}

TEST(Lcg128Test, SkipTableEntryIsTwoToTheIthPower) {
  // Entry i is f^(2^i): applying it once equals 2^i single steps, from any starting state.
  const u128 origins[] = {0, kLcgC, MakeU128(0x0123456789ABCDEFULL, 0xFEDCBA9876543210ULL), ~u128(0)};
  for (int i = 0; i <= 12; ++i) {
    for (u128 x : origins) {
      EXPECT_EQ(Hex32(Apply(kSkipTable[size_t(i)], x)), Hex32(StepTimes(x, uint64_t(1) << i)))
          << "i = " << i << ", x = " << Hex32(x);
    }
  }
}

TEST(Lcg128Test, FullPeriodWrapsToZero) {
  // A = 1 mod 4 and C odd give the full period 2^128 (docs/gensort-spec.md §1: record numbers are taken mod
  // 2^128), so X_{2^128} = X_0 = 0 and no earlier power-of-two skip returns to 0.
  EXPECT_EQ(Hex32(kLcgA & 3), Hex32(1));
  EXPECT_EQ(Hex32(kLcgC & 1), Hex32(1));
  const u128 last = ~u128(0);  // 2^128 - 1
  EXPECT_EQ(Hex32(LcgStep(LcgState(last))), Hex32(0));
  EXPECT_EQ(Hex32(Apply(kSkipTable[127], LcgState(u128(1) << 127))), Hex32(0));
  EXPECT_NE(Hex32(LcgState(u128(1) << 127)), Hex32(0));
}

}  // namespace
}  // namespace rs::gen
