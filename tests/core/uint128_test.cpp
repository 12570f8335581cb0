// tests/core/uint128_test.cpp — parsing and printing of 128-bit values (docs/gensort-spec.md §7 print form).
#include "core/uint128.hpp"

#include <gtest/gtest.h>

namespace rs {
namespace {

TEST(Uint128, ValsortHexForm) {
  EXPECT_EQ(ToValsortHex(0), "0");
  EXPECT_EQ(ToValsortHex(0x1ea6370b955), "1ea6370b955");
  // docs/gensort-spec.md §7: 2^64 + 5 prints as the upper part then exactly 16 lower digits.
  EXPECT_EQ(ToValsortHex(MakeU128(1, 5)), "10000000000000005");
  EXPECT_EQ(ToValsortHex(~u128(0)), "ffffffffffffffffffffffffffffffff");
}

TEST(Uint128, DecimalRoundTrip) {
  EXPECT_EQ(ToDecimal(0), "0");
  EXPECT_EQ(ToDecimal(u128(1) << 64), "18446744073709551616");
  EXPECT_EQ(ToDecimal(~u128(0)), "340282366920938463463374607431768211455");
  EXPECT_TRUE(ParseU128("21267647932558653966460912964485513210") == (u128(1) << 124) - 6);
  EXPECT_TRUE(ParseU128("340282366920938463463374607431768211455") == ~u128(0));
}

TEST(Uint128, ParseRejectsJunkAndOverflow) {
  EXPECT_FALSE(ParseU128(""));
  EXPECT_FALSE(ParseU128("-1"));
  EXPECT_FALSE(ParseU128("10abc"));  // gensort would take 10; we refuse
  EXPECT_FALSE(ParseU128(" 5"));
  EXPECT_FALSE(ParseU128("340282366920938463463374607431768211456"));  // 2^128
}

TEST(Uint128, ParseHex) {
  EXPECT_TRUE(ParseHexU128("1ea6370b955") == u128(0x1ea6370b955));
  EXPECT_TRUE(ParseHexU128("10000000000000005") == MakeU128(1, 5));
  EXPECT_TRUE(ParseHexU128("0xFF") == u128(255));
  EXPECT_FALSE(ParseHexU128("xyz"));
  EXPECT_FALSE(ParseHexU128(""));
  EXPECT_FALSE(ParseHexU128(std::string(33, 'f')));
}

}  // namespace
}  // namespace rs
