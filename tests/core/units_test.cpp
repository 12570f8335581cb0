// tests/core/units_test.cpp — counts (powers of ten) and byte sizes (powers of two).
#include "core/units.hpp"

#include <gtest/gtest.h>

namespace rs {
namespace {

TEST(Units, Counts) {
  EXPECT_EQ(ParseCount("0"), 0u);
  EXPECT_EQ(ParseCount("1000"), 1000u);
  EXPECT_EQ(ParseCount("10M"), 10000000u);
  EXPECT_EQ(ParseCount("1k"), 1000u);
  EXPECT_EQ(ParseCount("2G"), 2000000000u);
  EXPECT_FALSE(ParseCount("-5"));
  EXPECT_FALSE(ParseCount("ten"));
  EXPECT_FALSE(ParseCount("10MB"));
  EXPECT_FALSE(ParseCount("1.5M"));
  EXPECT_FALSE(ParseCount(""));
  EXPECT_FALSE(ParseCount("18446744073709551616"));  // 2^64
  EXPECT_FALSE(ParseCount("99999999T"));             // overflows with its suffix
}

TEST(Units, Bytes) {
  EXPECT_EQ(ParseBytes("4096"), 4096u);
  EXPECT_EQ(ParseBytes("2M"), 2u << 20);
  EXPECT_EQ(ParseBytes("2MiB"), 2u << 20);
  EXPECT_EQ(ParseBytes("512K"), 512u << 10);
  EXPECT_EQ(ParseBytes("1G"), 1u << 30);
  EXPECT_FALSE(ParseBytes("2X"));
  EXPECT_FALSE(ParseBytes("M"));
  EXPECT_FALSE(ParseBytes("2MM"));
}

}  // namespace
}  // namespace rs
