// tests/io/file_test.cpp — File and OutputFile: retries, atomic publish, errors with path+reason
// (code, errno and the exact line), the failures a disk has provoked through a FaultyEnv.
#include "io/file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "tests/support/expect_status.hpp"
#include "tests/support/faulty_env.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs {
namespace {

TEST(File, OpenMissingNamesPathAndReason) {
  auto f = File::Open("/nonexistent-dir/x", O_RDONLY);
  ASSERT_FALSE(f.ok());
  test::ExpectFailure(f.status(), "/nonexistent-dir/x: No such file or directory", StatusCode::kNotFound, ENOENT,
                      "/nonexistent-dir/x");
}

TEST(OutputFile, NothingUnderFinalNameUntilCommit) {
  test::TempDir dir;
  std::string path = dir.File("out.dat");
  {
    auto out = OutputFile::Create(path);
    ASSERT_TRUE(out.ok()) << out.status().message();
    ASSERT_TRUE(out->file().WriteAt("hello", 5, 0).ok());
    EXPECT_FALSE(std::filesystem::exists(path));
    // Destroyed without Commit: the temporary disappears too.
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));

  auto out = OutputFile::Create(path);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->file().WriteAt("hello world", 11, 0).ok());
  ASSERT_TRUE(out->Commit(5).ok());  // truncates to the logical size
  EXPECT_EQ(test::ReadFile(path), "hello");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(OutputFile, MissingDirectoryNamesFinalPath) {
  auto out = OutputFile::Create("/nonexistent-dir/out.dat");
  ASSERT_FALSE(out.ok());
  test::ExpectFailure(out.status(), "/nonexistent-dir/out.dat: No such file or directory", StatusCode::kNotFound,
                      ENOENT, "/nonexistent-dir/out.dat");
}

TEST(File, ReadAtStopsAtEndOfFile) {
  test::TempDir dir;
  test::WriteFile(dir.File("f"), "abcdef");
  auto f = File::Open(dir.File("f"), O_RDONLY);
  ASSERT_TRUE(f.ok());
  char buf[16];
  auto n = f->ReadAt(buf, sizeof buf, 2);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 4u);
  EXPECT_EQ(std::string(buf, 4), "cdef");
}

TEST(File, DirectRefusedOnTmpfsFallsBack) {
  if (!std::filesystem::exists("/dev/shm")) GTEST_SKIP() << "no /dev/shm tmpfs on this machine";
  std::string path = "/dev/shm/riversort-direct-test-" + std::to_string(::getpid());
  auto f = File::Open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT);
  ASSERT_TRUE(f.ok()) << f.status().message();
  bool refused = f->direct_refused();
  (void)f->Close();
  std::filesystem::remove(path);
  if (!refused) GTEST_SKIP() << "/dev/shm accepts O_DIRECT here (newer kernels' tmpfs does)";
  EXPECT_FALSE(f->direct());
}

// --- through a FaultyEnv: always runs, as any user ---------------------------------------------

// The tmpfs refusal above, provoked: where O_DIRECT is refused the file is opened buffered.
TEST(File, DirectRefusedFallsBackToBuffered) {
  test::TempDir dir;
  test::FaultyEnv env("f");
  env.RefuseDirect();
  auto f = File::Open(dir.File("f"), O_WRONLY | O_CREAT | O_DIRECT, 0644, &env);
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_TRUE(f->direct_refused());
  EXPECT_FALSE(f->direct());
  EXPECT_TRUE(f->WriteAt("abc", 3, 0).ok());  // unaligned: only possible because it is buffered
  EXPECT_EQ(f->env(), &env);
}

TEST(File, DiskFullIsNoSpaceWithErrnoAndPath) {
  test::TempDir dir;
  test::FaultyEnv env("f");
  env.FailWritesAfter(8192);
  const std::string path = dir.File("f");
  auto f = File::Open(path, O_WRONLY | O_CREAT, 0644, &env);
  ASSERT_TRUE(f.ok()) << f.status().message();
  std::string data(16384, 'x');
  Status st = f->WriteAt(data.data(), data.size(), 0);
  ASSERT_FALSE(st.ok());
  test::ExpectFailure(st, path + ": write: No space left on device", StatusCode::kNoSpace, ENOSPC, path);
  EXPECT_EQ(env.bytes_written(), 8192u);  // what fitted was written (a short write), then ENOSPC
  EXPECT_EQ(std::filesystem::file_size(path), 8192u);
}

TEST(File, ShortTransfersAreResumed) {
  test::TempDir dir;
  test::FaultyEnv env("f");
  env.ShortTransfers(1000);
  auto f = File::Open(dir.File("f"), O_RDWR | O_CREAT, 0644, &env);
  ASSERT_TRUE(f.ok()) << f.status().message();
  std::string data(10000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = char(i * 7);
  ASSERT_TRUE(f->WriteAt(data.data(), data.size(), 0).ok());
  std::string back(data.size(), '\0');
  auto n = f->ReadAt(back.data(), back.size(), 0);
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, data.size());
  EXPECT_TRUE(back == data);
  EXPECT_GE(env.short_transfers(), 18u);  // 10 writes and 10 reads, all but the last of each cut
}

TEST(File, ReadErrorIsIoErrorWithErrnoAndPath) {
  test::TempDir dir;
  const std::string path = dir.File("f");
  test::WriteFile(path, std::string(8192, 'r'));
  test::FaultyEnv env("f");
  env.ShortTransfers(4096);
  env.FailRead(2);  // the second read: after the first 4096 bytes arrived
  auto f = File::Open(path, O_RDONLY, 0, &env);
  ASSERT_TRUE(f.ok()) << f.status().message();
  char buf[8192];
  auto n = f->ReadAt(buf, sizeof buf, 0);
  ASSERT_FALSE(n.ok());
  test::ExpectFailure(n.status(), path + ": read: Input/output error", StatusCode::kIoError, EIO, path);
}

// OutputFile's errors name the final path, never the temporary, with code and errno intact.
// Each test arms one fault on the output (its temporary's name contains the final one).
class FaultyOutputFile : public ::testing::Test {
 protected:
  test::TempDir dir;
  const std::string path = dir.File("out.dat");
  test::FaultyEnv env{"out.dat"};
  ScopedDefaultEnv scoped{&env};
};

TEST_F(FaultyOutputFile, PermissionDeniedNamesFinalPath) {
  env.FailOpen(EACCES);
  auto out = OutputFile::Create(path);
  ASSERT_FALSE(out.ok());
  test::ExpectFailure(out.status(), path + ": Permission denied", StatusCode::kPermissionDenied, EACCES, path);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST_F(FaultyOutputFile, FsyncErrorNamesFinalPathAndPublishesNothing) {
  env.FailFsync(EIO);
  auto out = OutputFile::Create(path);
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_TRUE(out->file().WriteAt("hello", 5, 0).ok());
  Status st = out->Commit(5);
  test::ExpectFailure(st, path + ": fsync: Input/output error", StatusCode::kIoError, EIO, path);
  out->Discard();
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST_F(FaultyOutputFile, PreallocationBeyondSpaceNamesFinalPath) {
  env.FailWritesAfter(1 << 20);
  auto out = OutputFile::Create(path);
  ASSERT_TRUE(out.ok()) << out.status().message();
  EXPECT_TRUE(out->Allocate(1 << 20).ok());
  Status st = out->Allocate(4 << 20);
  test::ExpectFailure(st, path + ": allocate: No space left on device", StatusCode::kNoSpace, ENOSPC, path);
}

TEST(WriteFileAtomically, FailedWriteLeavesNothing) {
  test::TempDir dir;
  const std::string path = dir.File("small.json");
  test::FaultyEnv env("small.json");
  env.FailWritesAfter(0);
  ScopedDefaultEnv scoped(&env);
  Status st = WriteFileAtomically(path, "{}\n");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kNoSpace);
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace rs
