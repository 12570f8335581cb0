// tests/gen/partition_writer_test.cpp — GeneratePartition: file bytes, size, checksum, errors.
#include "gen/partition_writer.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/checksum.hpp"
#include "core/record.hpp"
#include "core/uint128.hpp"
#include "gen/record_generator.hpp"
#include "tests/support/expect_status.hpp"
#include "tests/support/faulty_env.hpp"
#include "tests/support/sha256.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs::gen {
namespace {

namespace fs = std::filesystem;

DiskOptions Disk(bool direct) {
  DiskOptions o;
  o.direct = direct;
  return o;
}

constexpr GenMode kPlain{false, false};

struct Expected {
  std::string bytes;
  Checksum128 checksum;
};

Expected ExpectedRecords(GenMode mode, u128 first, uint64_t count) {
  Expected e;
  e.bytes.resize(count * kRecordSize);
  e.checksum = GenerateRecords(mode, first, count, reinterpret_cast<uint8_t*>(e.bytes.data()));
  return e;
}

// Names in `dir`, sorted, for readable failure messages.
std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

bool HasTempFile(const std::string& dir) {
  for (const auto& n : Listing(dir)) {
    if (test::IsOutputTemporary(n)) return true;
  }
  return false;
}

// A fresh directory under /dev/shm, removed with its contents afterwards.
class ShmDir {
 public:
  ShmDir() {
    std::string tmpl = "/dev/shm/riversort-gen-test-XXXXXX";
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ShmDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  ShmDir(const ShmDir&) = delete;
  ShmDir& operator=(const ShmDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool DevShmIsTmpfs() {
  struct statfs sfs;
  return ::statfs("/dev/shm", &sfs) == 0 && sfs.f_type == TMPFS_MAGIC;
}

// --- Bytes, size and checksum equal GenerateRecords ------------------------------------------

// GeneratePartition leaves the partition complete but unpublished (gen publishes all ranks'
// together); these tests publish it on its own.
Result<PartitionWriteResult> Generate(GenMode mode, u128 first, uint64_t count, const std::vector<std::string>& members,
                                      const DiskOptions& options) {
  auto result = GeneratePartition(GenSpec{mode, RecordShape{}, 0}, first, count, members, options);
  if (result.ok() && result->sink) {
    RS_RETURN_IF_ERROR(result->sink->Publish());
    result->sink->Settle();
  }
  return result;
}

struct WriteCase {
  uint64_t count;
  bool direct;
};

class PartitionWriteTest : public testing::TestWithParam<WriteCase> {};

TEST_P(PartitionWriteTest, FileEqualsGeneratedRecords) {
  const WriteCase& c = GetParam();
  test::TempDir dir;
  const std::string path = dir.File("part.dat");
  auto result = Generate(kPlain, 0, c.count, {path}, Disk(c.direct));
  ASSERT_TRUE(result.ok()) << result.status().message();

  Expected expected = ExpectedRecords(kPlain, 0, c.count);
  EXPECT_EQ(result->checksum.ToString(), expected.checksum.ToString());
  EXPECT_EQ(fs::file_size(path), c.count * 100);
  std::string bytes = test::ReadFile(path);
  ASSERT_EQ(bytes.size(), expected.bytes.size());
  EXPECT_TRUE(bytes == expected.bytes) << "file differs from GenerateRecords output";
  EXPECT_FALSE(HasTempFile(dir.path())) << Joined(Listing(dir.path()));
  EXPECT_EQ(Listing(dir.path()), std::vector<std::string>{"part.dat"});
}

std::vector<WriteCase> WriteCases() {
  std::vector<WriteCase> cases;
  for (uint64_t count : {0, 1, 1023, 1024, 1025, 20479, 20480, 20481, 100000, 250007}) {
    for (bool direct : {true, false}) cases.push_back({count, direct});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Counts, PartitionWriteTest, testing::ValuesIn(WriteCases()),
                         [](const testing::TestParamInfo<WriteCase>& info) {
                           return std::to_string(info.param.count) + (info.param.direct ? "_Direct" : "_Buffered");
                         });

TEST(PartitionWriterTest, AllModesAcrossChunksAnd2To64) {
  // Two chunks and one record, starting 5000 before 2^64: a partial third chunk, and the
  // carry into bit 64 inside the first chunk.
  const u128 first = (u128(1) << 64) - 5000;
  constexpr uint64_t kCount = 20481 + 20480;
  for (GenMode mode : {GenMode{false, false}, GenMode{true, false}, GenMode{false, true}, GenMode{true, true}}) {
    SCOPED_TRACE(std::string(mode.ascii ? "ascii" : "binary") + (mode.skew ? " skew" : ""));
    test::TempDir dir;
    const std::string path = dir.File("modes.dat");
    auto result = Generate(mode, first, kCount, {path}, Disk(true));
    ASSERT_TRUE(result.ok()) << result.status().message();
    Expected expected = ExpectedRecords(mode, first, kCount);
    EXPECT_EQ(result->checksum.ToString(), expected.checksum.ToString());
    EXPECT_TRUE(test::ReadFile(path) == expected.bytes);
  }
}

// --- Spec reference values through the writer ------------------------------------------------

TEST(PartitionWriterTest, G03ThroughTheWriter) {
  for (bool direct : {true, false}) {
    SCOPED_TRACE(direct ? "direct" : "buffered");
    test::TempDir dir;
    const std::string path = dir.File("g1000.dat");
    auto result = Generate(kPlain, 0, 1000, {path}, Disk(direct));
    ASSERT_TRUE(result.ok()) << result.status().message();
    EXPECT_EQ(result->checksum.ToString(), "1ea6370b955");
    EXPECT_EQ(test::Sha256Hex(test::ReadFile(path)),
              "f524474116510d1debac6d38152e793a7e3cb71b1dd2bb45b6610e3c17698177");
  }
}

TEST(PartitionWriterTest, G19DevNullChecksumsWithoutWriting) {
  // gensort -c 1000000 /dev/null prints 7a0e0d4868cd4 and writes nothing.
  for (bool direct : {true, false}) {
    SCOPED_TRACE(direct ? "direct" : "buffered");
    auto result = Generate(kPlain, 0, 1000000, {"/dev/null"}, Disk(direct));
    ASSERT_TRUE(result.ok()) << result.status().message();
    EXPECT_EQ(result->checksum.ToString(), "7a0e0d4868cd4");
    // /dev/null is still the character device, and no temporary file was left next to it.
    struct stat st;
    ASSERT_EQ(::stat("/dev/null", &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_FALSE(HasTempFile("/dev"));
  }
}

// --- Errors ----------------------------------------------------------------------------------

TEST(PartitionWriterTest, MissingDirectoryNamesPathAndLeavesNothing) {
  for (bool direct : {true, false}) {
    SCOPED_TRACE(direct ? "direct" : "buffered");
    test::TempDir dir;
    const std::string path = dir.File("missing/part.dat");
    auto result = Generate(kPlain, 0, 1000, {path}, Disk(direct));
    ASSERT_FALSE(result.ok());
    const std::string& message = result.status().message();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
    EXPECT_EQ(message.find(".riversort-"), std::string::npos) << message;
    EXPECT_TRUE(Listing(dir.path()).empty()) << Joined(Listing(dir.path()));
  }
}

TEST(PartitionWriterTest, ReadOnlyDirectoryIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: directory permissions are not enforced";
  for (bool direct : {true, false}) {
    SCOPED_TRACE(direct ? "direct" : "buffered");
    test::TempDir dir;
    const std::string ro = dir.File("ro");
    ASSERT_EQ(::mkdir(ro.c_str(), 0555), 0) << std::strerror(errno);
    const std::string path = ro + "/part.dat";
    auto result = Generate(kPlain, 0, 1000, {path}, Disk(direct));
    ASSERT_EQ(::chmod(ro.c_str(), 0755), 0);  // so TempDir can clean up
    ASSERT_FALSE(result.ok());
    const std::string& message = result.status().message();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
    EXPECT_TRUE(Listing(ro).empty()) << Joined(Listing(ro));
  }
}

// The same refusal for any user, root included: the output's open is refused (tests/support/faulty_env.hpp).
TEST(PartitionWriterTest, RefusedOpenIsPermissionDeniedWithPath) {
  for (bool direct : {true, false}) {
    SCOPED_TRACE(direct ? "direct" : "buffered");
    test::TempDir dir;
    const std::string path = dir.File("part.dat");
    test::FaultyEnv env("part.dat");
    env.FailOpen(EACCES);
    ScopedDefaultEnv scoped(&env);
    auto result = Generate(kPlain, 0, 1000, {path}, Disk(direct));
    ASSERT_FALSE(result.ok());
    test::ExpectFailure(result.status(), path + ": Permission denied", StatusCode::kPermissionDenied, EACCES, path);
    EXPECT_TRUE(Listing(dir.path()).empty()) << Joined(Listing(dir.path()));
  }
}

// --- tmpfs -----------------------------------------------------------------------------------

TEST(PartitionWriterTest, TmpfsWriteWithDirectSucceeds) {
  if (!DevShmIsTmpfs()) GTEST_SKIP() << "/dev/shm does not exist or is not tmpfs";
  ShmDir dir;
  ASSERT_FALSE(dir.path().empty()) << "mkdtemp in /dev/shm failed: " << std::strerror(errno);
  const std::string path = dir.path() + "/part.dat";
  constexpr uint64_t kCount = 20481;
  auto result = Generate(kPlain, 0, kCount, {path}, Disk(true));
  ASSERT_TRUE(result.ok()) << result.status().message();
  Expected expected = ExpectedRecords(kPlain, 0, kCount);
  EXPECT_EQ(result->checksum.ToString(), expected.checksum.ToString());
  EXPECT_EQ(fs::file_size(path), kCount * 100);
  EXPECT_TRUE(test::ReadFile(path) == expected.bytes);
  EXPECT_FALSE(HasTempFile(dir.path())) << Joined(Listing(dir.path()));
}

TEST(PartitionWriterTest, TmpfsRefusingDirectFallsBackToBuffered) {
  if (!DevShmIsTmpfs()) GTEST_SKIP() << "/dev/shm does not exist or is not tmpfs";
  ShmDir dir;
  ASSERT_FALSE(dir.path().empty()) << "mkdtemp in /dev/shm failed: " << std::strerror(errno);
  // Linux >= 6.6 lets tmpfs open files with O_DIRECT; then there is no refusal to observe.
  const std::string probe = dir.path() + "/probe";
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_DIRECT | O_CLOEXEC, 0644);
  const int open_errno = errno;
  if (fd >= 0) {
    ::close(fd);
    ::unlink(probe.c_str());
    GTEST_SKIP() << "this kernel's tmpfs accepts O_DIRECT (Linux >= 6.6), so the O_DIRECT-refused notice "
                    "cannot be observed on /dev/shm";
  }
  ASSERT_EQ(open_errno, EINVAL) << "unexpected error probing O_DIRECT: " << std::strerror(open_errno);

  const std::string path = dir.path() + "/part.dat";
  constexpr uint64_t kCount = 1025;
  auto result = Generate(kPlain, 0, kCount, {path}, Disk(true));
  ASSERT_TRUE(result.ok()) << result.status().message();
  EXPECT_TRUE(std::any_of(result->notices.begin(), result->notices.end(), [](const std::string& n) {
    return n.find("refuses O_DIRECT") != std::string::npos;
  })) << "no notice that the filesystem refused O_DIRECT";
  Expected expected = ExpectedRecords(kPlain, 0, kCount);
  EXPECT_EQ(result->checksum.ToString(), expected.checksum.ToString());
  EXPECT_TRUE(test::ReadFile(path) == expected.bytes);
}

// The same fallback on any kernel: the refusal is provoked (tests/support/faulty_env.hpp).
TEST(PartitionWriterTest, RefusedDirectFallsBackToBufferedWithNotice) {
  test::TempDir dir;
  const std::string path = dir.File("part.dat");
  test::FaultyEnv env("part.dat");
  env.RefuseDirect();
  ScopedDefaultEnv scoped(&env);
  constexpr uint64_t kCount = 1025;
  auto result = Generate(kPlain, 0, kCount, {path}, Disk(true));
  ASSERT_TRUE(result.ok()) << result.status().message();
  const std::string notice = path + ": the filesystem refuses O_DIRECT; using buffered I/O";
  EXPECT_NE(std::find(result->notices.begin(), result->notices.end(), notice), result->notices.end())
      << Joined(result->notices);
  Expected expected = ExpectedRecords(kPlain, 0, kCount);
  EXPECT_EQ(result->checksum.ToString(), expected.checksum.ToString());
  EXPECT_TRUE(test::ReadFile(path) == expected.bytes);
}

}  // namespace
}  // namespace rs::gen
