// tests/io/manifest_test.cpp — the dataset manifest round-trips and refuses what is not one.
#include "io/manifest.hpp"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace rs {
namespace {

TEST(Manifest, RoundTripKeeps128BitValues) {
  Manifest m;
  m.ascii = true;
  m.start = (u128(1) << 124) - 6;
  m.records = 3;
  m.checksum = Checksum128(MakeU128(1, 5));
  m.partitions.push_back({0, m.start, 3, m.checksum, {"/d/in.0"}});
  test::TempDir dir;
  ASSERT_TRUE(m.Save(dir.File("m.json")).ok());
  auto back = Manifest::Load(dir.File("m.json"));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back->start == m.start);
  EXPECT_EQ(back->checksum, m.checksum);
  EXPECT_TRUE(back->ascii);
  ASSERT_EQ(back->partitions.size(), 1u);
  EXPECT_EQ(back->partitions[0].files, std::vector<std::string>{"/d/in.0"});
}

TEST(Manifest, RefusesOtherJson) {
  auto bad = Manifest::Parse("{\"format\": \"something-else\"}", "x.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("x.json: not a riversort manifest"), std::string::npos);
  EXPECT_FALSE(Manifest::Parse("not json", "y.json").ok());
  EXPECT_FALSE(Manifest::Parse("{\"format\": \"riversort-dataset/1\"}", "z.json").ok());
  EXPECT_FALSE(Manifest::Load("/nonexistent/m.json").ok());
}

// docs/dataset.md#manifest: gensort's records keep format /1; other shapes write /2 with their
// shape, so a binary that knows only 100-byte records refuses them.
TEST(Manifest, ShapeRoundTripsAndOldManifestsAreGensort) {
  Manifest m;
  m.shape = {64, 8, 4};
  test::TempDir dir;
  ASSERT_TRUE(m.Save(dir.File("m.json")).ok());
  auto back = Manifest::Load(dir.File("m.json"));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->shape, (RecordShape{64, 8, 4}));
  EXPECT_NE(m.ToJson().find("riversort-dataset/2"), std::string::npos);
  EXPECT_NE(Manifest().ToJson().find("riversort-dataset/1"), std::string::npos);
  // A manifest from before shapes: no key_size or key_offset.
  const std::string old =
      R"({"format": "riversort-dataset/1", "record_size": 100, "ascii": false, "skew": false, "start": "0",
          "records": 0, "checksum": "0", "partitions": []})";
  auto gensort = Manifest::Parse(old, "old.json");
  ASSERT_TRUE(gensort.ok()) << gensort.status().message();
  EXPECT_TRUE(gensort->shape.IsGensort());
  EXPECT_TRUE(gensort->CheckShape("old.json", RecordShape{}).ok());
  Status other = gensort->CheckShape("old.json", RecordShape{64, 8, 0});
  EXPECT_EQ(other.message(),
            "old.json: the manifest's records are 100/10/0 (R/K/O), the flags say 64/8/0 (give --record-size 100 "
            "--key-size 10 --key-offset 0)");
}

TEST(Manifest, RefusesAShapeItsFormatCannotHold) {
  // Format /1 promises 100-byte records; a shape out of range is refused whatever the format.
  auto one = Manifest::Parse(R"({"format": "riversort-dataset/1", "record_size": 64, "ascii": false, "skew": false,
                                 "start": "0", "records": 0, "checksum": "0", "partitions": []})",
                             "a.json");
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.status().message().find("with a shape other than 100/10/0"), std::string::npos);
  auto range = Manifest::Parse(R"({"format": "riversort-dataset/2", "record_size": 64, "key_size": 65,
                                   "ascii": false, "skew": false, "start": "0", "records": 0, "checksum": "0",
                                   "partitions": []})",
                               "b.json");
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.status().message().find("record shape 64/65/0"), std::string::npos);
}

}  // namespace
}  // namespace rs
