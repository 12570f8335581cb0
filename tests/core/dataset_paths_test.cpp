// tests/core/dataset_paths_test.cpp — partition names from --dir/--name.
#include "core/dataset_paths.hpp"

#include <gtest/gtest.h>

namespace rs {
namespace {

TEST(DatasetPaths, PatternWithRank) {
  DatasetPaths p{{"/d1"}, {"in.{rank}"}};
  EXPECT_TRUE(p.Check(3).ok());
  EXPECT_EQ(p.Members(2), std::vector<std::string>{"/d1/in.2"});
  EXPECT_EQ(p.DefaultManifestPath(), "/d1/in.manifest.json");
}

TEST(DatasetPaths, StripedMembersOnePerDir) {
  DatasetPaths p{{"/d1", "/d2"}, {"in.{rank}"}};
  EXPECT_EQ(p.Members(0), (std::vector<std::string>{"/d1/in.0", "/d2/in.0"}));
}

TEST(DatasetPaths, OneNamePerRank) {
  DatasetPaths p{{"/d"}, {"a.dat", "b.dat"}};
  EXPECT_TRUE(p.Check(2).ok());
  EXPECT_EQ(p.Members(1), std::vector<std::string>{"/d/b.dat"});
  EXPECT_FALSE(p.Check(3).ok());
}

TEST(DatasetPaths, Refusals) {
  EXPECT_NE(DatasetPaths({{"/d"}, {"same.dat"}}).Check(2).message().find("{rank}"), std::string::npos);
  EXPECT_TRUE(DatasetPaths({{"/d"}, {"same.dat"}}).Check(1).ok());
  EXPECT_FALSE(DatasetPaths({{}, {"x"}}).Check(1).ok());
  EXPECT_FALSE(DatasetPaths({{"/d"}, {"sub/x"}}).Check(1).ok());
  EXPECT_EQ(DatasetPaths({{"/d"}, {"g.dat"}}).DefaultManifestPath(), "/d/g.dat.manifest.json");
}

}  // namespace
}  // namespace rs
