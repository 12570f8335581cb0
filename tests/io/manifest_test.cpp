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

}  // namespace
}  // namespace rs
