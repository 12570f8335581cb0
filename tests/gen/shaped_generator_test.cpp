// tests/gen/shaped_generator_test.cpp — records of other shapes (gen/shaped_generator.hpp):
// slices concatenate to the whole, gensort's records stay gensort's, --duplicates repeats about
// that fraction of keys from at most 64, --skew crowds the keys' first byte, and the key sits at
// its offset. Checksums and order are checked against the Python oracle in tests/cli/shape_test.sh.
#include "gen/shaped_generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "gen/gen_spec.hpp"

namespace rs::gen {
namespace {

std::vector<uint8_t> Make(const GenSpec& spec, u128 first, uint64_t count, Checksum128* sum = nullptr) {
  std::vector<uint8_t> out(count * spec.shape.size);
  Checksum128 s = spec.Generate(first, count, out.data());
  if (sum) *sum = s;
  return out;
}

// How many records hold each key.
std::map<std::string, uint64_t> KeyCounts(const GenSpec& spec, const std::vector<uint8_t>& data) {
  std::map<std::string, uint64_t> counts;
  const RecordShape& s = spec.shape;
  for (size_t off = 0; off < data.size(); off += s.size) {
    ++counts[std::string(reinterpret_cast<const char*>(data.data()) + off + s.key_offset, s.key_size)];
  }
  return counts;
}

TEST(ShapedGenerator, SlicesConcatenateToTheWhole) {
  for (RecordShape shape :
       {RecordShape{64, 8, 0}, RecordShape{8, 1, 7}, RecordShape{4097, 20, 3}, RecordShape{100, 10, 50}}) {
    for (double dup : {0.0, 0.3}) {
      for (bool skew : {false, true}) {
        GenSpec spec{{false, skew}, shape, dup};
        Checksum128 whole_sum, a_sum, b_sum;
        auto whole = Make(spec, 1000, 301, &whole_sum);
        auto a = Make(spec, 1000, 117, &a_sum);
        auto b = Make(spec, 1117, 184, &b_sum);
        a.insert(a.end(), b.begin(), b.end());
        EXPECT_TRUE(a == whole) << shape.ToString() << " dup " << dup << " skew " << skew;
        a_sum += b_sum;
        EXPECT_EQ(a_sum, whole_sum);
      }
    }
  }
}

TEST(ShapedGenerator, GensortShapeWithoutDuplicatesIsGensort) {
  GenSpec spec;  // 100/10/0
  EXPECT_TRUE(spec.Gensort());
  std::vector<uint8_t> gensort(1000 * kRecordSize);
  GenerateRecords(GenMode{}, 0, 1000, gensort.data());
  EXPECT_TRUE(Make(spec, 0, 1000) == gensort);
  spec.duplicates = 0.1;  // repeated keys: riversort's generator, still 100-byte records
  EXPECT_FALSE(spec.Gensort());
  EXPECT_FALSE(Make(spec, 0, 1000) == gensort);
  EXPECT_EQ(spec.GeneratorName(), "riversort-random/1");
}

TEST(ShapedGenerator, DuplicatesRepeatAboutThatFractionFromTheirPool) {
  constexpr uint64_t kRecords = 100000;
  for (double f : {0.0, 0.1, 0.5}) {
    GenSpec spec{{}, RecordShape{64, 16, 8}, f};
    auto counts = KeyCounts(spec, Make(spec, 0, kRecords));
    // 16-byte random keys never repeat by chance: every repeated key is a pooled one.
    uint64_t repeated = 0, pooled_keys = 0;
    for (const auto& [key, n] : counts) {
      if (n > 1) {
        repeated += n;
        ++pooled_keys;
      }
    }
    EXPECT_NEAR(double(repeated) / kRecords, f, 0.01) << f;
    EXPECT_LE(pooled_keys, kDuplicateKeys);
    if (f > 0) {
      EXPECT_GE(pooled_keys, kDuplicateKeys / 2);  // the pool is used, not one key
    }
  }
  GenSpec all{{}, RecordShape{16, 16, 0}, 1.0};
  EXPECT_LE(KeyCounts(all, Make(all, 0, 10000)).size(), kDuplicateKeys);
}

TEST(ShapedGenerator, SkewCrowdsTheFirstKeyByte) {
  constexpr uint64_t kRecords = 100000;
  for (bool skew : {false, true}) {
    GenSpec spec{{false, skew}, RecordShape{64, 8, 0}, 0};
    auto data = Make(spec, 0, kRecords);
    std::vector<uint64_t> first_byte(256);
    for (size_t off = 0; off < data.size(); off += 64) ++first_byte[data[off]];
    const double most = double(*std::max_element(first_byte.begin(), first_byte.end()));
    const double mean = double(kRecords) / 256;
    // Uniform: the fullest of 256 buckets of ~390 is within a few standard deviations (~20).
    if (skew) {
      EXPECT_GT(most, 5 * mean);
    } else {
      EXPECT_LT(most, 1.3 * mean);
    }
  }
}

// --skew with --duplicates: the records not drawn from the pool are still skewed (the skew's draw
// is not the duplicate draw's bits).
TEST(ShapedGenerator, SkewHoldsBesideDuplicates) {
  constexpr uint64_t kRecords = 100000;
  GenSpec spec{{false, true}, RecordShape{64, 16, 0}, 0.8};
  auto data = Make(spec, 0, kRecords);
  auto counts = KeyCounts(spec, data);
  std::vector<uint64_t> first_byte(256);
  uint64_t unpooled = 0;
  for (size_t off = 0; off < data.size(); off += 64) {
    if (counts[std::string(reinterpret_cast<const char*>(data.data()) + off, 16)] > 1) continue;  // pooled
    ++first_byte[data[off]];
    ++unpooled;
  }
  ASSERT_GT(unpooled, kRecords / 10);
  const double most = double(*std::max_element(first_byte.begin(), first_byte.end()));
  EXPECT_GT(most, 5 * double(unpooled) / 256);
}

TEST(ShapedGenerator, KeyAtItsOffsetAndTheRestVaries) {
  // 8/1/7: one key byte at offset 7 of each 8-byte record, all pooled: at most 64 distinct keys,
  // while the payload bytes before the key still differ between records.
  GenSpec spec{{}, RecordShape{8, 1, 7}, 1.0};
  auto data = Make(spec, 0, 2000);
  std::map<uint8_t, int> keys;
  std::map<std::string, int> payloads;
  for (size_t off = 0; off < data.size(); off += 8) {
    ++keys[data[off + 7]];
    ++payloads[std::string(reinterpret_cast<const char*>(data.data()) + off, 7)];
  }
  EXPECT_LE(keys.size(), kDuplicateKeys);
  EXPECT_EQ(payloads.size(), 2000u);
}

TEST(GenSpec, RefusesWhatItCannotMake) {
  EXPECT_EQ((GenSpec{{true, false}, RecordShape{64, 8, 0}, 0}).Check().message(),
            "--ascii: gensort's ASCII records are 100/10/0 without --duplicates (this is 64/8/0)");
  EXPECT_FALSE((GenSpec{{true, false}, RecordShape{}, 0.5}).Check().ok());
  EXPECT_TRUE((GenSpec{{true, true}, RecordShape{}, 0}).Check().ok());
  EXPECT_NE((GenSpec{{}, RecordShape{}, 1.5}).Check().message().find("--duplicates 1.5"), std::string::npos);
  EXPECT_FALSE((GenSpec{{}, RecordShape{}, -0.1}).Check().ok());
  EXPECT_FALSE((GenSpec{{}, RecordShape{7, 1, 0}, 0}).Check().ok());
}

}  // namespace
}  // namespace rs::gen
