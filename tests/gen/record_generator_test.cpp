// tests/gen/record_generator_test.cpp — GenerateRecords, SkewIndex vs docs/gensort-spec.md §3-§5 and §12.1.
#include "gen/record_generator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/record.hpp"
#include "core/uint128.hpp"
#include "tests/support/sha256.hpp"

namespace rs::gen {
namespace {

constexpr GenMode kPlain{false, false};
constexpr GenMode kAscii{true, false};
constexpr GenMode kSkew{false, true};
constexpr GenMode kAsciiSkew{true, true};

struct Generated {
  std::vector<uint8_t> bytes;
  Checksum128 checksum;
};

Generated Generate(GenMode mode, u128 first, uint64_t count) {
  Generated g;
  g.bytes.resize(count * kRecordSize);
  g.checksum = GenerateRecords(mode, first, count, g.bytes.data());
  return g;
}

u128 Big(const char* decimal) {
  std::optional<u128> v = ParseU128(decimal);
  EXPECT_TRUE(v.has_value()) << decimal;
  return v.value_or(0);
}

std::string Sha(const std::vector<uint8_t>& bytes) { return test::Sha256Hex(bytes.data(), bytes.size()); }

std::string HexBytes(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s.push_back(kDigits[p[i] >> 4]);
    s.push_back(kDigits[p[i] & 15]);
  }
  return s;
}

std::string Text(const uint8_t* p, size_t n) { return std::string(reinterpret_cast<const char*>(p), n); }

std::string ModeName(GenMode mode) {
  if (mode.ascii && mode.skew) return "AsciiSkew";
  if (mode.ascii) return "Ascii";
  if (mode.skew) return "Skew";
  return "Plain";
}

// --- §12.1 whole-file reference cases --------------------------------------------------------

struct ReferenceCase {
  const char* name;
  GenMode mode;
  const char* start;  // decimal, as given to -b
  uint64_t count;
  const char* checksum;
  const char* sha256;
};

class ReferenceFileTest : public testing::TestWithParam<ReferenceCase> {};

TEST_P(ReferenceFileTest, BytesAndChecksumMatchSpec) {
  const ReferenceCase& c = GetParam();
  Generated g = Generate(c.mode, Big(c.start), c.count);
  EXPECT_EQ(g.bytes.size(), c.count * 100);
  EXPECT_EQ(g.checksum.ToString(), c.checksum);
  EXPECT_EQ(Sha(g.bytes), c.sha256);
}

INSTANTIATE_TEST_SUITE_P(
    Spec12_1, ReferenceFileTest,
    testing::Values(ReferenceCase{"G01", kPlain, "0", 0, "0",
                                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
                    ReferenceCase{"G02", kPlain, "0", 1, "9ea593a0",
                                  "7bda0438360efb41b7bdabebb95e86438c045fd8206ad0765f76942001506374"},
                    ReferenceCase{"G03", kPlain, "0", 1000, "1ea6370b955",
                                  "f524474116510d1debac6d38152e793a7e3cb71b1dd2bb45b6610e3c17698177"},
                    ReferenceCase{"G04", kPlain, "0", 1000000, "7a0e0d4868cd4",
                                  "515ea89a091c2a746500f46edd54dc5626878b4e9308d00ecf91656e8e3c3028"},
                    ReferenceCase{"G06", kAscii, "0", 1000, "1f5dfb3631a",
                                  "6c26b26a61464dd78038f9c60907c851ac043c07584b12835fe065cbca31aad2"},
                    ReferenceCase{"G07", kAscii, "0", 1000000, "7a19cff467438",
                                  "f0521447a8c0928e6591308bbb3198e1d844a105f31ebe823f6ed80c743aef68"},
                    ReferenceCase{"G08", kSkew, "0", 1000, "1e96301166b",
                                  "e29ce5d551d332a974d978a4a4b3535efcd5df559328fe4ee11bf7f481269444"},
                    ReferenceCase{"G09", kSkew, "0", 1000000, "79f9a7e6de673",
                                  "26c04b085341da0e8315cf26ba9347c08a1b143974831cde20704348a6417f08"},
                    ReferenceCase{"G10", kAsciiSkew, "0", 1000, "1eef17d1cac",
                                  "33dc462ab1da5ddedecf127d65c8856b59baec45a15b91f79aafd116514ac65e"},
                    ReferenceCase{"G11", kAsciiSkew, "0", 1000000, "7a135fbce6df2",
                                  "6412ad20e9729e0cc711c3ab0cb1cdab195be80737df7f8d96279a54964d51f7"},
                    ReferenceCase{"G17", kPlain, "1000000000000", 10, "4da90b9b9",
                                  "d8b904b1546f8b1cc9d7f8add6844a4ca2084319645a3426399f0e3df9d99151"},
                    ReferenceCase{"G18", kPlain, "18446744073709551616", 10, "4c099d855",
                                  "75ddfcb400d3957249195f611b08cd9c6ad983da7d62fb29d3d8417068ce6c55"}),
    [](const testing::TestParamInfo<ReferenceCase>& info) { return std::string(info.param.name); });

TEST(RecordGeneratorTest, G20StartAtFive) {
  Generated g = Generate(kPlain, 5, 3);
  ASSERT_EQ(g.bytes.size(), 300u);
  EXPECT_EQ(g.checksum.ToString(), "1b5fb21f3");
  EXPECT_EQ(HexBytes(g.bytes.data(), kKeySize), "72dc0ca51e333f324b7a");
}

// --- §12.1 G12-G14: two 500-record partitions ------------------------------------------------

struct HalvesCase {
  const char* name;
  GenMode mode;
  const char* first_half;
  const char* second_half;
  const char* total;
  const char* total_sha256;  // sha256 of the 1000-record file (G03 / G08 / G06)
};

class HalvesTest : public testing::TestWithParam<HalvesCase> {};

TEST_P(HalvesTest, PartitionsConcatenateAndChecksumsAdd) {
  const HalvesCase& c = GetParam();
  Generated p0 = Generate(c.mode, 0, 500);
  Generated p1 = Generate(c.mode, 500, 500);
  EXPECT_EQ(p0.checksum.ToString(), c.first_half);
  EXPECT_EQ(p1.checksum.ToString(), c.second_half);
  Checksum128 sum = p0.checksum;
  sum += p1.checksum;
  EXPECT_EQ(sum.ToString(), c.total);

  std::vector<uint8_t> cat = p0.bytes;
  cat.insert(cat.end(), p1.bytes.begin(), p1.bytes.end());
  EXPECT_EQ(Sha(cat), c.total_sha256);
  Generated whole = Generate(c.mode, 0, 1000);
  EXPECT_TRUE(cat == whole.bytes);
  EXPECT_EQ(whole.checksum.ToString(), c.total);
}

INSTANTIATE_TEST_SUITE_P(Spec12_1, HalvesTest,
                         testing::Values(HalvesCase{"G12", kPlain, "f63842aeda", "f42b2e0a7b", "1ea6370b955",
                                                    "f524474116510d1debac6d38152e793a7e3cb71b1dd2bb45b6610e3c17698177"},
                                         HalvesCase{"G13", kSkew, "1001862db4d", "e94a9e3b1e", "1e96301166b",
                                                    "e29ce5d551d332a974d978a4a4b3535efcd5df559328fe4ee11bf7f481269444"},
                                         HalvesCase{
                                             "G14", kAscii, "f7f1e01efc", "fdedd3441e", "1f5dfb3631a",
                                             "6c26b26a61464dd78038f9c60907c851ac043c07584b12835fe065cbca31aad2"}),
                         [](const testing::TestParamInfo<HalvesCase>& info) { return std::string(info.param.name); });

// --- §12.1 G15: ten 100,000-record slices make the 1,000,000-record file ---------------------

TEST(RecordGeneratorTest, G15TenSlicesConcatenateToG04) {
  constexpr uint64_t kSlice = 100000;
  std::vector<uint8_t> cat(10 * kSlice * kRecordSize);
  Checksum128 sum;
  for (uint64_t k = 0; k < 10; ++k) {
    sum += GenerateRecords(kPlain, k * kSlice, kSlice, cat.data() + k * kSlice * kRecordSize);
  }
  EXPECT_EQ(Sha(cat), "515ea89a091c2a746500f46edd54dc5626878b4e9308d00ecf91656e8e3c3028");
  EXPECT_EQ(sum.ToString(), "7a0e0d4868cd4");
}

// --- §3 / §4: record layouts -----------------------------------------------------------------

TEST(RecordGeneratorTest, BinaryRecordZeroSpotCheck) {
  Generated g = Generate(kPlain, 0, 1);
  EXPECT_EQ(HexBytes(g.bytes.data(), kRecordSize),
            "4a696d4772617952495065080060836b392cd58b8f5e55961855e79b87f02283a466b6aab1f9e0ca"
            "cf1e26b3292afd1064bb18b56ac07d6f656b1d2f430d57bde7e47d81f36a6dd267948bbc2397bfe2"
            "8c334e4ad82b8e70166293cfaa0116bfda3bb1ab");
  EXPECT_EQ(Text(g.bytes.data(), kKeySize), "JimGrayRIP");
  EXPECT_EQ(HexBytes(g.bytes.data() + 10, 10), "65080060836b392cd58b");
  EXPECT_EQ(g.checksum.ToString(), "9ea593a0");
}

TEST(RecordGeneratorTest, AsciiFirstThreeRecords) {
  Generated g = Generate(kAscii, 0, 3);
  ASSERT_EQ(g.bytes.size(), 300u);
  EXPECT_EQ(Text(g.bytes.data(), 100),
            "AsfAGHM5om  00000000000000000000000000000000  "
            "0000222200002222000022220000222200002222000000001111\r\n");
  EXPECT_EQ(Text(g.bytes.data() + 100, 100),
            "~sHd0jDv6X  00000000000000000000000000000001  "
            "77779999444488885555CCCC777755555555BBBB666644446666\r\n");
  EXPECT_EQ(Text(g.bytes.data() + 200, 100),
            "uI^EYm8s=|  00000000000000000000000000000002  "
            "CCCCFFFF777799995555FFFF11112222999988884444DDDDFFFF\r\n");
}

TEST(RecordGeneratorTest, AsciiRecordNumberFieldAcrossWordAndWrapBoundaries) {
  // §4: bytes 12..43 are N as 32 upper-case hex digits; N is taken mod 2^128.
  Generated g = Generate(kAscii, (u128(1) << 64) - 1, 2);
  EXPECT_EQ(Text(g.bytes.data() + 12, 32), "0000000000000000FFFFFFFFFFFFFFFF");
  EXPECT_EQ(Text(g.bytes.data() + 112, 32), "00000000000000010000000000000000");
  Generated w = Generate(kAscii, ~u128(0), 2);
  EXPECT_EQ(Text(w.bytes.data() + 12, 32), "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
  EXPECT_EQ(Text(w.bytes.data() + 112, 32), "00000000000000000000000000000000");
  // Record 0 after the wrap is record 0 of §4.
  EXPECT_EQ(Text(w.bytes.data() + 100, 10), "AsfAGHM5om");
}

// --- §5: skew --------------------------------------------------------------------------------

TEST(RecordGeneratorTest, AsciiSkewSampleAt1000) {
  // gensort -a -s -b1000 5
  Generated g = Generate(kAsciiSkew, 1000, 5);
  ASSERT_EQ(g.bytes.size(), 500u);
  const std::string expected[5] = {
      R"rs(zVW*x%S".R  000000000000000000000000000003E8  )rs"
      "88885555000011110000DDDDEEEEEEEECCCC5555CCCCFFFF9999",
      R"rs(E?G?:O`7($  000000000000000000000000000003E9  )rs"
      "222299995555444400001111444499998888777755551111EEEE",
      R"rs(`PkVtV{Kyy  000000000000000000000000000003EA  )rs"
      "1111EEEEAAAA2222333322223333AAAAAAAA8888555511117777",
      R"rs(`PkXQ">ywj  000000000000000000000000000003EB  )rs"
      "77775555AAAA66665555FFFF00004444EEEE1111999933334444",
      R"rs(h[ Ot)y3TR  000000000000000000000000000003EC  )rs"
      "FFFF99996666BBBB888855552222DDDD4444EEEE333300005555",
  };
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(Text(g.bytes.data() + 100 * i, 100), expected[i] + "\r\n") << "record " << 1000 + i;
    EXPECT_EQ(SkewIndex(1000 + i), 10) << "record " << 1000 + i;
  }
}

TEST(RecordGeneratorTest, BinarySkewKeysOfFirstRecords) {
  Generated g = Generate(kSkew, 0, 3);
  EXPECT_EQ(HexBytes(g.bytes.data(), kKeySize), "4a696d47726179524950");
  EXPECT_EQ(HexBytes(g.bytes.data() + 100, kKeySize), "95e0e48262b3edfe0447");
  EXPECT_EQ(HexBytes(g.bytes.data() + 200, kKeySize), "45979353dbed5329365c");
}

TEST(RecordGeneratorTest, HotPrefixSourcesMatchSpecExamples) {
  // §5: hot prefix k is the first 6 key bytes (characters) of the unskewed record k.
  struct BinaryEntry {
    uint64_t k;
    const char* prefix;
  };
  for (const BinaryEntry& e :
       {BinaryEntry{0, "4a696d477261"}, BinaryEntry{1, "95e0e48262b3"}, BinaryEntry{2, "45979353dbed"},
        BinaryEntry{20, "68d0cc3c1999"}, BinaryEntry{64, "33d5b5b15c70"}, BinaryEntry{128, "e1dc46b645c4"}}) {
    Generated g = Generate(kPlain, e.k, 1);
    EXPECT_EQ(HexBytes(g.bytes.data(), 6), e.prefix) << "binary[" << e.k << "]";
  }
  struct AsciiEntry {
    uint64_t k;
    const char* prefix;
  };
  for (const AsciiEntry& e :
       {AsciiEntry{0, "AsfAGH"}, AsciiEntry{1, "~sHd0j"}, AsciiEntry{10, "`PkXQ<"}, AsciiEntry{128, "12NSK|"}}) {
    Generated g = Generate(kAscii, e.k, 1);
    EXPECT_EQ(Text(g.bytes.data(), 6), e.prefix) << "ASCII[" << e.k << "]";
  }
}

TEST(RecordGeneratorTest, SkewChangesOnlyTheFirstSixKeyBytes) {
  // §5: skew overwrites at most 48 key bits (binary) or 6 key characters (ASCII); everything
  // else is the unskewed record.
  for (const char* start : {"0", "21267647932558653966460912964485513210"}) {
    for (bool ascii : {false, true}) {
      SCOPED_TRACE(std::string(start) + (ascii ? " ascii" : " binary"));
      Generated plain = Generate(GenMode{ascii, false}, Big(start), 1000);
      Generated skew = Generate(GenMode{ascii, true}, Big(start), 1000);
      int changed = 0;
      for (size_t r = 0; r < 1000; ++r) {
        const uint8_t* p = plain.bytes.data() + r * kRecordSize;
        const uint8_t* s = skew.bytes.data() + r * kRecordSize;
        ASSERT_EQ(std::memcmp(p + 6, s + 6, kRecordSize - 6), 0) << "record " << r;
        if (std::memcmp(p, s, 6) != 0) ++changed;
      }
      EXPECT_GT(changed, 0);
    }
  }
}

TEST(RecordGeneratorTest, SkewIndexTable) {
  struct Row {
    u128 n;
    int s;
  };
  const u128 one = 1;
  const Row rows[] = {
      {0, 0},
      {1, 1},
      {2, 2},
      {3, 2},
      {4, 3},
      {7, 3},
      {8, 4},
      {(one << 60) - 1, 60},
      {one << 60, 64},  // quirk: not 61
      {(one << 64) - 1, 64},
      {one << 64, 65},
      {(one << 64) + 1, 65},
      {(one << 124) - 1, 124},
      {one << 124, 128},  // quirk: not 125
      {~u128(0), 128},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(SkewIndex(row.n), row.s) << "N = " << ToDecimal(row.n);
  }
}

// --- §12.1 "Checksums for 1000 records at other starts" --------------------------------------

struct OtherStartCase {
  const char* label;
  const char* start;
  GenMode mode;
  const char* checksum;
};

class OtherStartTest : public testing::TestWithParam<OtherStartCase> {};

TEST_P(OtherStartTest, ChecksumMatchesSpec) {
  const OtherStartCase& c = GetParam();
  Generated g = Generate(c.mode, Big(c.start), 1000);
  EXPECT_EQ(g.checksum.ToString(), c.checksum);
}

constexpr const char* k500 = "500";
constexpr const char* k999999 = "999999";
constexpr const char* k123456789 = "123456789";
constexpr const char* k2p60m6 = "1152921504606846970";
constexpr const char* k2p64m6 = "18446744073709551610";
constexpr const char* k2p124m6 = "21267647932558653966460912964485513210";

INSTANTIATE_TEST_SUITE_P(Spec12_1, OtherStartTest,
                         testing::Values(OtherStartCase{"b500", k500, kPlain, "1effb332bd5"},
                                         OtherStartCase{"b500", k500, kAscii, "203b6e97486"},
                                         OtherStartCase{"b500", k500, kSkew, "1de0c11e0a6"},
                                         OtherStartCase{"b500", k500, kAsciiSkew, "1f35b7390ac"},
                                         OtherStartCase{"b999999", k999999, kPlain, "1f90c8f20bd"},
                                         OtherStartCase{"b999999", k999999, kAscii, "1fb00bf15ca"},
                                         OtherStartCase{"b999999", k999999, kSkew, "1e5a4c55a93"},
                                         OtherStartCase{"b999999", k999999, kAsciiSkew, "1f0e012383a"},
                                         OtherStartCase{"b123456789", k123456789, kPlain, "1f013ceee6d"},
                                         OtherStartCase{"b123456789", k123456789, kAscii, "1fa1846b082"},
                                         OtherStartCase{"b123456789", k123456789, kSkew, "1f04c48d34d"},
                                         OtherStartCase{"b123456789", k123456789, kAsciiSkew, "1eb24ed69f9"},
                                         OtherStartCase{"b2p60m6", k2p60m6, kPlain, "1fccfd3ee44"},
                                         OtherStartCase{"b2p60m6", k2p60m6, kAscii, "1f908908e3d"},
                                         OtherStartCase{"b2p60m6", k2p60m6, kSkew, "20440b15c4a"},
                                         OtherStartCase{"b2p60m6", k2p60m6, kAsciiSkew, "1eebb7518be"},
                                         OtherStartCase{"b2p64m6", k2p64m6, kPlain, "1f4634ef8e9"},
                                         OtherStartCase{"b2p64m6", k2p64m6, kAscii, "1efeccf90fb"},
                                         OtherStartCase{"b2p64m6", k2p64m6, kSkew, "1f92034bbbb"},
                                         OtherStartCase{"b2p64m6", k2p64m6, kAsciiSkew, "1f63f3be0a8"},
                                         OtherStartCase{"b2p124m6", k2p124m6, kPlain, "1eef5188303"},
                                         OtherStartCase{"b2p124m6", k2p124m6, kAscii, "1fc02b6070c"},
                                         OtherStartCase{"b2p124m6", k2p124m6, kSkew, "1f414b9c1fa"},
                                         OtherStartCase{"b2p124m6", k2p124m6, kAsciiSkew, "1ef80664188"}),
                         [](const testing::TestParamInfo<OtherStartCase>& info) {
                           return std::string(info.param.label) + "_" + ModeName(info.param.mode);
                         });

TEST(RecordGeneratorTest, OtherStartValuesAreThePowersOfTwoMinusSix) {
  // The table's decimal starts are 2^60-6, 2^64-6 and 2^124-6.
  const u128 one = 1;
  EXPECT_EQ(ToDecimal(Big(k2p60m6)), ToDecimal((one << 60) - 6));
  EXPECT_EQ(ToDecimal(Big(k2p64m6)), ToDecimal((one << 64) - 6));
  EXPECT_EQ(ToDecimal(Big(k2p124m6)), ToDecimal((one << 124) - 6));
}

// --- Property: one call equals the same range in pieces --------------------------------------

struct SplitCase {
  const char* label;
  GenMode mode;
  u128 start;
};

class SplitTest : public testing::TestWithParam<SplitCase> {};

constexpr uint64_t kSplitCount = 1000;

TEST_P(SplitTest, PiecesEqualOneCall) {
  const SplitCase& c = GetParam();
  Generated whole = Generate(c.mode, c.start, kSplitCount);
  const uint64_t cuts[] = {0, 1, 7, 333, 500, 999, kSplitCount};
  std::vector<uint8_t> pieces(kSplitCount * kRecordSize);
  Checksum128 sum;
  for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
    sum += GenerateRecords(c.mode, c.start + cuts[i], cuts[i + 1] - cuts[i], pieces.data() + cuts[i] * kRecordSize);
  }
  EXPECT_TRUE(pieces == whole.bytes);
  EXPECT_EQ(sum.ToString(), whole.checksum.ToString());
}

TEST(RecordGeneratorTest, RecordNumbersWrapModulo2To128) {
  // The records after 2^128 - 1 are records 0, 1, ... (docs/gensort-spec.md §1: arithmetic mod 2^128).
  constexpr uint64_t kBeforeWrap = 500;
  const u128 start = u128(0) - kBeforeWrap;
  for (GenMode mode : {kPlain, kAscii, kSkew, kAsciiSkew}) {
    SCOPED_TRACE(ModeName(mode));
    Generated whole = Generate(mode, start, kSplitCount);
    Generated from_zero = Generate(mode, 0, kSplitCount - kBeforeWrap);
    EXPECT_EQ(
        std::memcmp(whole.bytes.data() + kBeforeWrap * kRecordSize, from_zero.bytes.data(), from_zero.bytes.size()), 0);
  }
}

std::vector<SplitCase> SplitCases() {
  const u128 one = 1;
  const struct {
    const char* label;
    u128 start;
  } starts[] = {
      {"From0", 0},
      {"From123456789", 123456789},
      {"Across2p64", (one << 64) - 500},
      {"Across2p128", u128(0) - 500},
  };
  std::vector<SplitCase> cases;
  for (const auto& s : starts) {
    for (GenMode mode : {kPlain, kAscii, kSkew, kAsciiSkew}) {
      cases.push_back({s.label, mode, s.start});
    }
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Property, SplitTest, testing::ValuesIn(SplitCases()),
                         [](const testing::TestParamInfo<SplitCase>& info) {
                           return std::string(info.param.label) + "_" + ModeName(info.param.mode);
                         });

}  // namespace
}  // namespace rs::gen
