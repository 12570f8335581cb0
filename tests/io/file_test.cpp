// tests/io/file_test.cpp — File and OutputFile: retries, atomic publish, errors with path+reason.
#include "io/file.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/temp_dir.hpp"

namespace rs {
namespace {

TEST(File, OpenMissingNamesPathAndReason) {
  auto f = File::Open("/nonexistent-dir/x", O_RDONLY);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().message(), "/nonexistent-dir/x: No such file or directory");
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
  EXPECT_EQ(out.status().message(), "/nonexistent-dir/out.dat: No such file or directory");
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

}  // namespace
}  // namespace rs
