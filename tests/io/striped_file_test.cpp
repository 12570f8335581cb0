// tests/io/striped_file_test.cpp — StripedFile layout (MemberSize, Map) against brute-force models
// of docs/dataset.md#names, member-size checks at OpenRead, and Create/Commit/Discard on disk.
#include "io/striped_file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "tests/support/stripe_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs {
namespace {

namespace fs = std::filesystem;

// One subdirectory "d<i>" per member, each holding `name`; the directories are created.
std::vector<std::string> Members(const test::TempDir& dir, int k, const std::string& name) {
  return test::StripeMembers(dir.path(), k, name);
}

// Every entry of a directory, by file name.
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

bool HasTemporary(const std::string& dir) {
  for (const auto& name : Entries(dir)) {
    if (test::IsOutputTemporary(name)) return true;
  }
  return false;
}

std::string Parent(const std::string& path) { return fs::path(path).parent_path().string(); }

std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = char(rng());
  return s;
}

TEST(StripedFile, MemberSizeMatchesByteWalk) {
  for (int k = 1; k <= 5; ++k) {
    for (uint64_t unit : {uint64_t(1), uint64_t(3), uint64_t(4096), uint64_t(10000)}) {
      // counts[m] = bytes of member m for a logical file of `size` bytes, found by walking every
      // byte offset o < size and giving it to member (o / U) % K. Growing the file by one byte
      // walks one more offset, so all sizes 0 .. max are covered in one pass.
      std::vector<uint64_t> counts(size_t(k), 0);
      const uint64_t max_size = 3 * uint64_t(k) * unit + 7;
      for (uint64_t size = 0; size <= max_size; ++size) {
        if (size > 0) ++counts[size_t((size - 1) / unit % uint64_t(k))];
        for (int m = 0; m < k; ++m) {
          ASSERT_EQ(StripedFile::MemberSize(size, unit, k, m), counts[size_t(m)])
              << "K=" << k << " U=" << unit << " size=" << size << " member=" << m;
        }
      }
    }
  }
}

TEST(StripedFile, MemberSizesSumToSizeForLargeFiles) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const int k = int(rng() % 8) + 1;
    const uint64_t unit = (rng() % 3 == 0) ? (uint64_t(1) << (rng() % 24)) : rng() % 5000000 + 1;
    const uint64_t size = rng() % (uint64_t(1) << 50);
    uint64_t sum = 0, previous = UINT64_MAX;
    for (int m = 0; m < k; ++m) {
      uint64_t bytes = StripedFile::MemberSize(size, unit, k, m);
      // Earlier members never hold less, and at most one unit more, than later ones.
      ASSERT_LE(bytes, previous) << "K=" << k << " U=" << unit << " size=" << size;
      ASSERT_LE(StripedFile::MemberSize(size, unit, k, 0) - bytes, unit);
      previous = bytes;
      sum += bytes;
    }
    ASSERT_EQ(sum, size) << "K=" << k << " U=" << unit;
  }
}

TEST(StripedFile, MapCoversRangeOnceInLogicalOrder) {
  test::TempDir dir;
  std::mt19937_64 rng(42);
  int n = 0;
  for (int k = 1; k <= 5; ++k) {
    for (uint64_t unit : {uint64_t(1), uint64_t(3), uint64_t(4096), uint64_t(10000)}) {
      std::string name = "map";
      name += std::to_string(n++);
      auto file = StripedFile::Create(Members(dir, k, name), unit, /*direct=*/false, 0);
      ASSERT_TRUE(file.ok()) << file.status().message();
      ASSERT_EQ(file->member_count(), k);
      const uint64_t K = uint64_t(k), U = unit;
      std::vector<StripeExtent> extents;
      for (int trial = 0; trial < 60; ++trial) {
        uint64_t offset;
        switch (trial % 4) {
          case 0:
            offset = rng() % (4 * K * U + 10);
            break;
          case 1:
            offset = rng() % (4 * K * U) / U * U;
            break;  // on a unit boundary
          case 2:
            offset = (uint64_t(1) << 40) + rng() % (K * U);
            break;  // beyond 32 bits
          default:
            offset = rng() % 100000;
            break;
        }
        const uint64_t len = trial == 0 ? 0 : rng() % std::min<uint64_t>(3 * K * U + 5, 40000);
        // Extents already in the vector are kept: Map appends.
        extents.assign(1, StripeExtent{-1, 0, 0, 0});
        file->Map(offset, len, &extents);
        ASSERT_EQ(extents[0].member, -1) << "Map must append, not replace";
        uint64_t expect = offset;
        for (size_t i = 1; i < extents.size(); ++i) {
          const StripeExtent& e = extents[i];
          ASSERT_GT(e.len, 0u);
          ASSERT_EQ(e.logical_offset, expect) << "gap or overlap at extent " << i;
          ASSERT_GE(e.member, 0);
          ASSERT_LT(e.member, k);
          // Every byte of the extent against the striping formula (docs/dataset.md#names).
          for (uint64_t j = 0; j < e.len; ++j) {
            const uint64_t o = e.logical_offset + j;
            ASSERT_EQ(uint64_t(e.member), o / U % K) << "K=" << k << " U=" << U << " o=" << o;
            ASSERT_EQ(e.member_offset + j, o / U / K * U + o % U) << "K=" << k << " U=" << U << " o=" << o;
          }
          expect += e.len;
        }
        ASSERT_EQ(expect, offset + len) << "K=" << k << " U=" << U << " offset=" << offset << " len=" << len;
      }
    }
  }
}

TEST(StripedFile, OpenReadAcceptsEveryLayoutSize) {
  test::TempDir dir;
  const uint64_t unit = 4096;
  int n = 0;
  for (int k = 1; k <= 4; ++k) {
    for (uint64_t size : {uint64_t(0), uint64_t(1), unit - 1, unit, unit + 1, 3 * unit, 5 * unit + 77}) {
      std::string name = "ok";
      name += std::to_string(n++);
      auto members = Members(dir, k, name);
      for (int m = 0; m < k; ++m) {
        test::WriteFile(members[size_t(m)], std::string(StripedFile::MemberSize(size, unit, k, m), 'x'));
      }
      auto file = StripedFile::OpenRead(members, unit, /*direct=*/false);
      ASSERT_TRUE(file.ok()) << file.status().message();
      EXPECT_EQ(file->size(), size);
      EXPECT_EQ(file->member_count(), k);
      EXPECT_EQ(file->fds().size(), size_t(k));
    }
  }
}

// Writes members of the given sizes and expects OpenRead to refuse them, naming a member and the
// striping.
void ExpectRefused(const test::TempDir& dir, const std::string& name, const std::vector<uint64_t>& sizes,
                   uint64_t unit) {
  auto members = Members(dir, int(sizes.size()), name);
  for (size_t m = 0; m < sizes.size(); ++m) test::WriteFile(members[m], std::string(sizes[m], 'y'));
  auto file = StripedFile::OpenRead(members, unit, /*direct=*/false);
  ASSERT_FALSE(file.ok()) << name << ": member sizes do not fit the layout but OpenRead accepted them";
  const std::string& msg = file.status().message();
  bool names_member = false;
  for (const auto& m : members) names_member = names_member || msg.rfind(m + ": ", 0) == 0;
  EXPECT_TRUE(names_member) << msg;
  EXPECT_NE(msg.find("stripe"), std::string::npos) << msg;
}

TEST(StripedFile, OpenReadRefusesSizesThatDoNotFitTheLayout) {
  test::TempDir dir;
  const uint64_t U = 4096;
  // Member 1 larger than member 0 by a whole unit.
  ExpectRefused(dir, "bigger1", {U, 2 * U}, U);
  // Members listed in the wrong order: the one holding the tail is listed second.
  ExpectRefused(dir, "order3", {U, U + 100, U}, U);
  ExpectRefused(dir, "order2", {U, U + 5}, U);
  // A member with a partial unit before a full one.
  ExpectRefused(dir, "partial", {100, U}, U);
  // Two members each with a partial unit.
  ExpectRefused(dir, "twotails", {U + 1, 1}, U);
  // The right member sizes for units of U, opened with units of 2U (which would give 2U, U, 0).
  ExpectRefused(dir, "unit", {U, U, U}, 2 * U);
}

TEST(StripedFile, OpenReadNamesMissingMember) {
  test::TempDir dir;
  auto members = Members(dir, 3, "in");
  test::WriteFile(members[0], "a");
  test::WriteFile(members[2], "");
  auto file = StripedFile::OpenRead(members, 4096, false);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), members[1] + ": No such file or directory");
}

TEST(StripedFile, RefusesNoMembersAndZeroUnit) {
  test::TempDir dir;
  auto members = Members(dir, 2, "z");
  auto no_members = StripedFile::Create({}, 4096, false, 0);
  EXPECT_FALSE(no_members.ok());
  auto zero_unit = StripedFile::Create(members, 0, false, 0);
  ASSERT_FALSE(zero_unit.ok());
  EXPECT_NE(zero_unit.status().message().find("stripe unit"), std::string::npos) << zero_unit.status().message();
  for (const auto& m : members) EXPECT_TRUE(fs::is_empty(Parent(m))) << m;
  auto zero_unit_read = StripedFile::OpenRead(members, 0, false);
  EXPECT_FALSE(zero_unit_read.ok());
}

TEST(StripedFile, CreateCommitPublishesEveryMember) {
  test::TempDir dir;
  const int k = 3;
  const uint64_t unit = 4096;
  const std::string data = Pattern(7 * unit + 1234, 3);
  auto members = Members(dir, k, "out");
  {
    // Preallocated beyond the final size: Commit must cut each member to its share.
    auto file = StripedFile::Create(members, unit, /*direct=*/false, data.size() + 5 * unit);
    ASSERT_TRUE(file.ok()) << file.status().message();
    std::vector<int> fds = file->fds();
    ASSERT_EQ(fds.size(), size_t(k));
    std::vector<StripeExtent> extents;
    file->Map(0, data.size(), &extents);
    for (const auto& e : extents) {
      ASSERT_EQ(::pwrite(fds[size_t(e.member)], data.data() + e.logical_offset, e.len, off_t(e.member_offset)),
                ssize_t(e.len));
    }
    for (const auto& m : members) {
      EXPECT_FALSE(fs::exists(m)) << m << " appeared before Commit";
      EXPECT_TRUE(HasTemporary(Parent(m))) << "no temporary in " << Parent(m);
    }
    Status st = file->Commit(data.size());
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(file->size(), data.size());
  }
  // After the StripedFile is gone: the members stay, and no temporary is left.
  std::string joined(data.size(), '\0');
  for (int m = 0; m < k; ++m) {
    const std::string& path = members[size_t(m)];
    ASSERT_TRUE(fs::exists(path)) << path;
    EXPECT_EQ(fs::file_size(path), StripedFile::MemberSize(data.size(), unit, k, m)) << path;
    EXPECT_EQ(Entries(Parent(path)), std::vector<std::string>{"out"}) << Parent(path);
    // Reassemble with the formula, independently of Map.
    const std::string bytes = test::ReadFile(path);
    for (uint64_t mo = 0; mo < bytes.size(); ++mo) {
      const uint64_t row = mo / unit, o = (row * k + uint64_t(m)) * unit + mo % unit;
      ASSERT_LT(o, joined.size());
      joined[o] = bytes[mo];
    }
  }
  EXPECT_TRUE(joined == data) << "members do not hold the striped layout of the data (docs/dataset.md#names)";
  auto back = StripedFile::OpenRead(members, unit, false);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->size(), data.size());
}

TEST(StripedFile, CommitThatFailsPublishesNoMember) {
  test::TempDir dir;
  const uint64_t unit = 4096;
  auto members = Members(dir, 3, "out");
  // A non-empty directory under the last member's final name: renaming onto it fails, after the
  // first members were complete and could already have been renamed.
  fs::create_directories(members[2] + "/occupied");
  {
    auto file = StripedFile::Create(members, unit, /*direct=*/false, 0);
    ASSERT_TRUE(file.ok()) << file.status().message();
    const std::string data = Pattern(5 * unit, 4);
    test::WriteStripedData(*file, data);
    Status st = file->Commit(data.size());
    ASSERT_FALSE(st.ok()) << "renaming onto a non-empty directory succeeded";
    EXPECT_EQ(st.message().rfind(members[2] + ": ", 0), 0u) << st.message();
  }
  for (int m = 0; m < 3; ++m) EXPECT_FALSE(HasTemporary(Parent(members[size_t(m)]))) << Parent(members[size_t(m)]);
  EXPECT_TRUE(fs::is_directory(members[2]));
  // "All appear, or none" (striped_file.cpp, Commit): the members renamed before the failure
  // must not stay under their final names, or a failed output looks finished.
  EXPECT_FALSE(fs::exists(members[0]));
  EXPECT_FALSE(fs::exists(members[1]));
}

TEST(StripedFile, UncommittedCreateLeavesDirectoriesEmpty) {
  test::TempDir dir;
  auto members = Members(dir, 3, "gone");
  {
    auto file = StripedFile::Create(members, 4096, /*direct=*/false, 1 << 20);
    ASSERT_TRUE(file.ok()) << file.status().message();
    for (int fd : file->fds()) ASSERT_EQ(::pwrite(fd, "data", 4, 0), 4);
    for (const auto& m : members) EXPECT_FALSE(fs::is_empty(Parent(m)));
  }
  for (const auto& m : members) EXPECT_TRUE(fs::is_empty(Parent(m))) << Parent(m);

  // Discard() does the same before destruction, and is harmless twice.
  auto file = StripedFile::Create(members, 4096, false, 0);
  ASSERT_TRUE(file.ok()) << file.status().message();
  file->Discard();
  for (const auto& m : members) EXPECT_TRUE(fs::is_empty(Parent(m))) << Parent(m);
  file->Discard();
}

TEST(StripedFile, CreateIntoMissingDirectoryNamesPath) {
  test::TempDir dir;
  std::string path = dir.path();
  path += "/missing/out";
  auto file = StripedFile::Create({path}, 4096, /*direct=*/true, 0);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().message(), path + ": No such file or directory");
}

TEST(StripedFile, CreateWithOneMissingDirectoryLeavesNothingInTheOthers) {
  for (int missing = 0; missing < 3; ++missing) {
    test::TempDir dir;
    auto members = Members(dir, 3, "out");
    fs::remove(Parent(members[size_t(missing)]));
    for (bool direct : {false, true}) {
      for (uint64_t hint : {uint64_t(0), uint64_t(1) << 20}) {
        auto file = StripedFile::Create(members, 4096, direct, hint);
        ASSERT_FALSE(file.ok()) << "member " << missing << " has no directory";
        EXPECT_EQ(file.status().message(), members[size_t(missing)] + ": No such file or directory");
        for (int m = 0; m < 3; ++m) {
          if (m == missing) continue;
          EXPECT_TRUE(fs::is_empty(Parent(members[size_t(m)])))
              << Parent(members[size_t(m)]) << " keeps a file after a failed Create (missing member " << missing
              << ", direct=" << direct << ", hint=" << hint << ")";
        }
      }
    }
  }
}

}  // namespace
}  // namespace rs
