// tests/validate/summary_test.cpp — the 280-byte partition summary (docs/gensort-spec.md §9): layout, round trip,
// Combine (valsort -s) and ParseSummaries.
#include "validate/summary.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "gen/record_generator.hpp"
#include "validate/record_validator.hpp"
#include "validate/report.hpp"

namespace rs::validate {
namespace {

using RecordBytes = std::vector<uint8_t>;

// Bytes from a hex dump; whitespace is ignored.
std::vector<uint8_t> FromHex(const std::string& hex) {
  auto nibble = [](char c) -> uint8_t {
    if (c >= '0' && c <= '9') return uint8_t(c - '0');
    return uint8_t(c - 'a' + 10);
  };
  std::vector<uint8_t> out;
  int half = -1;
  for (char c : hex) {
    if (c == ' ' || c == '\n') continue;
    if (half < 0) {
      half = nibble(c);
    } else {
      out.push_back(uint8_t(half << 4 | nibble(c)));
      half = -1;
    }
  }
  return out;
}

// A record whose 10 key bytes are all `key_byte` and whose payload is `fill`.
RecordBytes MakeRecord(uint8_t key_byte, uint8_t fill = 0xEE) {
  RecordBytes r(kRecordSize, fill);
  std::memset(r.data(), key_byte, kKeySize);
  return r;
}

// A sorted partition of `records` records from key `first_key` to key `last_key`.
Summary MakeSummary(uint64_t records, uint8_t first_key, uint8_t last_key, uint64_t checksum) {
  Summary s;
  s.records = records;
  s.checksum = Checksum128(checksum);
  s.first = MakeRecord(first_key, 0x11);
  s.last = MakeRecord(last_key, 0x22);
  return s;
}

// The first 80 bytes of the summary of the unsorted 1000-record file (docs/gensort-spec.md §9, hex dump).
const char kSpecG1000SummaryHead[] =
    "0000 0000 0000 0000 0200 0000 0000 0000"
    "0000 0000 0000 0000 e301 0000 0000 0000"
    "0000 0000 0000 0000 e803 0000 0000 0000"
    "0000 0000 0000 0000 0000 0000 0000 0000"
    "0000 0000 0000 0000 55b9 7063 ea01 0000";

std::vector<uint8_t> G1000() {
  std::vector<uint8_t> data(1000 * kRecordSize);
  gen::GenerateRecords(gen::GenMode{}, 0, 1000, data.data());
  return data;
}

TEST(SummaryTest, SerializeDeserializeRoundTrip) {
  Summary s;
  s.first_unordered = MakeU128(0x0102030405060708, 0x1112131415161718);
  s.unordered = MakeU128(7, 0xFFFFFFFFFFFFFFFF);
  s.records = MakeU128(0, 123456789);
  s.duplicates = MakeU128(0xABCDEF, 42);
  s.checksum = Checksum128(MakeU128(1, 5));
  for (size_t i = 0; i < kRecordSize; ++i) {
    s.first[i] = uint8_t(i);
    s.last[i] = uint8_t(255 - i);
  }
  std::vector<uint8_t> bytes = s.Serialize();
  ASSERT_EQ(bytes.size(), 280u);
  Summary back = Summary::Deserialize(bytes.data(), RecordShape{});
  EXPECT_EQ(back, s);
  EXPECT_EQ(back.Serialize(), bytes);
}

TEST(SummaryTest, LayoutOfCraftedSummaryMatchesSpecHexDump) {
  // The field values the spec gives for the unsorted 1000-record file.
  Summary s;
  s.first_unordered = 2;
  s.unordered = 483;
  s.records = 1000;
  s.duplicates = 0;
  s.checksum = Checksum128(0x1ea6370b955);
  s.first = MakeRecord(0xA1, 0x33);
  s.last = MakeRecord(0xB2, 0x44);
  std::vector<uint8_t> bytes = s.Serialize();
  std::vector<uint8_t> want_head = FromHex(kSpecG1000SummaryHead);
  ASSERT_EQ(want_head.size(), 80u);
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 80), want_head);
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 80, bytes.begin() + 180),
            std::vector<uint8_t>(s.first.begin(), s.first.end()));
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin() + 180, bytes.end()), std::vector<uint8_t>(s.last.begin(), s.last.end()));
}

TEST(SummaryTest, SummaryOfUnsortedG1000MatchesSpecHexDump) {
  std::vector<uint8_t> g1000 = G1000();
  Summary s = ValidateRecords(g1000.data(), 1000, RecordShape{});
  std::vector<uint8_t> bytes = s.Serialize();
  EXPECT_EQ(std::vector<uint8_t>(bytes.begin(), bytes.begin() + 80), FromHex(kSpecG1000SummaryHead));
  // Offsets 80 and 180 hold the whole first and last records of the partition.
  EXPECT_EQ(std::memcmp(bytes.data() + 80, g1000.data(), kRecordSize), 0);
  EXPECT_EQ(std::memcmp(bytes.data() + 180, g1000.data() + 999 * kRecordSize, kRecordSize), 0);
}

// docs/records.md#summaries: other shapes' summaries carry their shape; a file of one shape is
// refused under the flags of another, naming both, even where its size is a multiple of 280 bytes.
TEST(SummaryTest, OtherShapesRoundTripAndAreRefusedUnderAnotherShape) {
  const RecordShape s64{64, 8, 4};
  std::vector<uint8_t> recs(3 * 64);
  for (size_t i = 0; i < recs.size(); ++i) recs[i] = uint8_t(i * 7);
  Summary s = ValidateRecords(recs.data(), 3, s64);
  std::vector<uint8_t> bytes = s.Serialize();
  ASSERT_EQ(bytes.size(), Summary::Bytes(s64));
  EXPECT_EQ(bytes.size(), 100u + 2 * 64);
  EXPECT_TRUE(Summary::Deserialize(bytes.data(), s64) == s);
  const std::string file(bytes.begin(), bytes.end());
  auto back = ParseSummaries(file + file, s64);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->size(), 2u);
  auto gensort = ParseSummaries(file, RecordShape{});
  ASSERT_FALSE(gensort.ok());
  EXPECT_EQ(gensort.status().message(),
            "the summaries are of records 64/8/4 (R/K/O), the flags say 100/10/0 (give --record-size 64 --key-size 8 "
            "--key-offset 4)");
  // A 90-byte record's summary is 280 bytes, a valsort summary's size: still refused as 90/10/0.
  const RecordShape s90{90, 10, 0};
  auto b90 = Summary(s90).Serialize();
  ASSERT_EQ(b90.size(), Summary::kBytes);
  auto as_valsort = ParseSummaries(std::string(b90.begin(), b90.end()), RecordShape{});
  ASSERT_FALSE(as_valsort.ok());
  EXPECT_NE(as_valsort.status().message().find("records 90/10/0"), std::string::npos);
  // A second summary without its header.
  std::string broken = file + std::string(file.size(), '\0');
  auto bad = ParseSummaries(broken, s64);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "summary 1 does not start with the header of records 64/8/4");
}

TEST(SummaryTest, HighWordIsStoredBeforeLowWord) {
  // docs/gensort-spec.md §7/§9: a crafted summary with checksum 2^64+5 prints 10000000000000005.
  std::vector<uint8_t> bytes(Summary::kBytes);
  bytes[40] = 1;  // records = 1 (low word)
  bytes[64] = 1;  // checksum high word = 1
  bytes[72] = 5;  // checksum low word = 5
  Summary s = Summary::Deserialize(bytes.data(), RecordShape{});
  EXPECT_EQ(s.records, u128(1));
  EXPECT_EQ(s.checksum.value(), MakeU128(1, 5));
  EXPECT_EQ(s.checksum.ToString(), "10000000000000005");
  Report r = MakeReport(s);
  EXPECT_EQ(r.text,
            "Records: 1\n"
            "Checksum: 10000000000000005\n"
            "Duplicate keys: 0\n"
            "SUCCESS - all records are in order\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(s.Serialize(), bytes);
}

TEST(CombineTest, SingleSummaryIsReturnedUnchanged) {
  Summary s = MakeSummary(250, 0x10, 0x20, 0x7714226a13);
  s.first_unordered = 17;
  s.unordered = 4;
  s.duplicates = 3;
  std::vector<Summary> parts = {s};
  EXPECT_EQ(Combine(parts), s);
}

TEST(CombineTest, AscendingBoundaryAddsCountsAndKeepsOuterRecords) {
  Summary a = MakeSummary(5, 0x10, 0x20, 100);
  a.duplicates = 2;
  Summary b = MakeSummary(7, 0x30, 0x40, 23);
  b.duplicates = 1;
  std::vector<Summary> parts = {a, b};
  Summary t = Combine(parts);
  EXPECT_EQ(t.records, u128(12));
  EXPECT_EQ(t.unordered, u128(0));
  EXPECT_EQ(t.first_unordered, u128(0));
  EXPECT_EQ(t.duplicates, u128(3));
  EXPECT_EQ(t.checksum.value(), u128(123));
  EXPECT_EQ(t.first, a.first);
  EXPECT_EQ(t.last, b.last);
}

TEST(CombineTest, BoundaryEqualKeysCountOneDuplicate) {
  Summary a = MakeSummary(5, 0x10, 0x20, 1);
  Summary b = MakeSummary(7, 0x20, 0x40, 2);
  // Same key, different payloads: still a duplicate, never disorder (docs/gensort-spec.md §8).
  b.first[50] = 0x00;
  a.last[50] = 0xFF;
  std::vector<Summary> parts = {a, b};
  Summary t = Combine(parts);
  EXPECT_EQ(t.duplicates, u128(1));
  EXPECT_EQ(t.unordered, u128(0));
  EXPECT_EQ(t.first_unordered, u128(0));
  EXPECT_EQ(t.records, u128(12));
}

TEST(CombineTest, BoundaryDescendingCountsOneUnorderedAtRecordsSoFar) {
  Summary a = MakeSummary(5, 0x10, 0x50, 1);
  Summary b = MakeSummary(7, 0x60, 0x70, 2);
  Summary c = MakeSummary(4, 0x30, 0x40, 3);  // starts below b's last key
  std::vector<Summary> parts = {a, b, c};
  Summary t = Combine(parts);
  EXPECT_EQ(t.unordered, u128(1));
  EXPECT_EQ(t.first_unordered, u128(12));  // global index of c's first record
  EXPECT_EQ(t.records, u128(16));
  EXPECT_EQ(t.duplicates, u128(0));
  EXPECT_EQ(t.checksum.value(), u128(6));
  EXPECT_EQ(t.first, a.first);
  EXPECT_EQ(t.last, c.last);
}

TEST(CombineTest, BoundaryDescendingKeepsEarlierFirstUnordered) {
  Summary a = MakeSummary(5, 0x10, 0x50, 1);
  a.first_unordered = 3;
  a.unordered = 2;
  Summary b = MakeSummary(7, 0x30, 0x70, 2);
  std::vector<Summary> parts = {a, b};
  Summary t = Combine(parts);
  EXPECT_EQ(t.first_unordered, u128(3));
  EXPECT_EQ(t.unordered, u128(3));
}

TEST(CombineTest, LaterPartitionFirstUnorderedIsOffsetByRecordsBefore) {
  Summary a = MakeSummary(5, 0x10, 0x20, 1);
  Summary b = MakeSummary(7, 0x30, 0x40, 2);
  Summary c = MakeSummary(9, 0x50, 0x60, 3);
  c.first_unordered = 4;
  c.unordered = 2;
  std::vector<Summary> parts = {a, b, c};
  Summary t = Combine(parts);
  EXPECT_EQ(t.first_unordered, u128(5 + 7 + 4));
  EXPECT_EQ(t.unordered, u128(2));
  EXPECT_EQ(t.records, u128(21));
}

TEST(CombineTest, LaterPartitionFirstUnorderedIsOffsetAfterEqualBoundary) {
  Summary a = MakeSummary(5, 0x10, 0x20, 1);
  Summary b = MakeSummary(7, 0x20, 0x40, 2);
  b.first_unordered = 6;
  b.unordered = 1;
  std::vector<Summary> parts = {a, b};
  Summary t = Combine(parts);
  EXPECT_EQ(t.duplicates, u128(1));
  EXPECT_EQ(t.first_unordered, u128(11));
  EXPECT_EQ(t.unordered, u128(1));
}

TEST(CombineTest, LaterPartitionFirstUnorderedIgnoredWhenAlreadyUnordered) {
  Summary a = MakeSummary(5, 0x10, 0x20, 1);
  a.first_unordered = 2;
  a.unordered = 1;
  Summary b = MakeSummary(7, 0x30, 0x40, 2);
  b.first_unordered = 3;
  b.unordered = 1;
  std::vector<Summary> parts = {a, b};
  Summary t = Combine(parts);
  EXPECT_EQ(t.first_unordered, u128(2));
  EXPECT_EQ(t.unordered, u128(2));
}

TEST(CombineTest, ChecksumSumCarriesIntoHighWord) {
  Summary a = MakeSummary(1, 0x10, 0x10, 0);
  a.checksum = Checksum128(MakeU128(0, 0xFFFFFFFFFFFFFFFF));
  Summary b = MakeSummary(1, 0x20, 0x20, 6);
  std::vector<Summary> parts = {a, b};
  Summary t = Combine(parts);
  EXPECT_EQ(t.checksum.value(), MakeU128(1, 5));
  EXPECT_EQ(t.checksum.ToString(), "10000000000000005");
}

// Empty partitions (records == 0, all-zero first/last records) must not take part in any
// boundary comparison: a zero key would otherwise look smaller than every real key.
class CombineEmptyTest : public ::testing::Test {
 protected:
  Summary a_ = MakeSummary(5, 0x10, 0x20, 100);
  Summary b_ = MakeSummary(7, 0x30, 0x40, 23);
  Summary empty_{};

  void ExpectSameAsWithoutEmpty(const Summary& t) {
    EXPECT_EQ(t.records, u128(12));
    EXPECT_EQ(t.unordered, u128(0));
    EXPECT_EQ(t.first_unordered, u128(0));
    EXPECT_EQ(t.duplicates, u128(0));
    EXPECT_EQ(t.checksum.value(), u128(123));
    EXPECT_EQ(t.first, a_.first);
    EXPECT_EQ(t.last, b_.last);
  }
};

TEST_F(CombineEmptyTest, SkippedFirst) {
  std::vector<Summary> parts = {empty_, a_, b_};
  ExpectSameAsWithoutEmpty(Combine(parts));
}

TEST_F(CombineEmptyTest, SkippedInTheMiddle) {
  std::vector<Summary> parts = {a_, empty_, empty_, b_};
  ExpectSameAsWithoutEmpty(Combine(parts));
}

TEST_F(CombineEmptyTest, SkippedLast) {
  std::vector<Summary> parts = {a_, b_, empty_};
  ExpectSameAsWithoutEmpty(Combine(parts));
}

TEST_F(CombineEmptyTest, SkippedEverywhere) {
  std::vector<Summary> parts = {empty_, a_, empty_, b_, empty_};
  ExpectSameAsWithoutEmpty(Combine(parts));
}

TEST_F(CombineEmptyTest, EmptyBeforeLaterFirstUnorderedDoesNotShiftIt) {
  b_.first_unordered = 3;
  b_.unordered = 1;
  std::vector<Summary> parts = {empty_, a_, empty_, b_};
  Summary t = Combine(parts);
  EXPECT_EQ(t.first_unordered, u128(8));
  EXPECT_EQ(t.unordered, u128(1));
}

TEST_F(CombineEmptyTest, OnlyEmptySummariesGiveNoRecords) {
  std::vector<Summary> parts = {empty_, empty_};
  EXPECT_EQ(Combine(parts).records, u128(0));
}

TEST(ParseSummariesTest, EmptyInputNeedsAtLeastOneRecord) {
  Result<std::vector<Summary>> r = ParseSummaries("", RecordShape{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "there must be at least one record to be validated");
}

TEST(ParseSummariesTest, ThreeHundredBytesIsAPartialSummary) {
  Result<std::vector<Summary>> r = ParseSummaries(std::string(300, '\0'), RecordShape{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "partial partition summary found at end");
}

TEST(ParseSummariesTest, ConcatenatedSummariesAreReadInOrder) {
  Summary a = MakeSummary(5, 0x10, 0x20, 100);
  Summary b = MakeSummary(7, 0x30, 0x40, 23);
  b.first_unordered = 2;
  b.unordered = 1;
  auto ab = a.Serialize();
  auto bb = b.Serialize();
  std::string bytes(ab.begin(), ab.end());
  bytes.append(bb.begin(), bb.end());
  ASSERT_EQ(bytes.size(), 560u);
  Result<std::vector<Summary>> r = ParseSummaries(bytes, RecordShape{});
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], a);
  EXPECT_EQ((*r)[1], b);
  // 560 + 1 bytes is no longer a whole number of summaries.
  Result<std::vector<Summary>> bad = ParseSummaries(bytes + '\0', RecordShape{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "partial partition summary found at end");
}

}  // namespace
}  // namespace rs::validate
