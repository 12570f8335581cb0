// tests/io/write_guard_test.cpp — the write guard, output locks, publishing all-or-none without
// losing what final names held, and the leftover scan behind `riversort clean`. Ranks are threads
// (LoopbackGroup), so every collective path runs here with real files.
#include "io/write_guard.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "core/loopback_comm.hpp"
#include "io/file.hpp"
#include "io/job_files.hpp"
#include "io/publish_together.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs {
namespace {

namespace fs = std::filesystem;

// Runs GuardWrites on `plans.size()` ranks; returns each rank's status message ("" when ok).
std::vector<std::string> Guard(const std::vector<WritePlan>& plans) {
  std::vector<std::string> out(plans.size());
  LoopbackGroup(int(plans.size())).Run([&](Comm& c) {
    auto g = GuardWrites(c, plans[size_t(c.rank())]);
    out[size_t(c.rank())] = g.ok() ? "" : g.status().message();
  });
  return out;
}

TEST(WriteGuard, OutputThatIsAnotherRanksInputIsRefusedOnEveryRank) {
  test::TempDir d;
  test::WriteFile(d.File("in.0"), "a");
  test::WriteFile(d.File("in.1"), "b");
  // The case: --out-name in.1 in.0 swaps the inputs' names between ranks.
  auto got = Guard({{{d.File("in.0")}, {d.File("in.1")}, {}}, {{d.File("in.1")}, {d.File("in.0")}, {}}});
  for (const auto& m : got) {
    EXPECT_EQ(m, "rank 0: " + d.File("in.1") + ": output is the input (rank 1's input " + d.File("in.1") +
                     " is the same file); inputs are never written: choose another output path");
  }
  EXPECT_EQ(test::ReadFile(d.File("in.0")), "a");
}

TEST(WriteGuard, SameFileUnderAnotherSpellingOrHardLinkIsFound) {
  test::TempDir d;
  fs::create_directories(d.File("sub"));
  test::WriteFile(d.File("in"), "x");
  ASSERT_EQ(::link(d.File("in").c_str(), d.File("hard").c_str()), 0);
  auto spelled = Guard({{{d.File("in")}, {d.File("sub/../in")}, {}}});
  EXPECT_NE(spelled[0].find("output is the input"), std::string::npos) << spelled[0];
  auto linked = Guard({{{d.File("in")}, {d.File("hard")}, {}}});
  EXPECT_NE(linked[0].find("output is the input"), std::string::npos) << linked[0];
  // A symbolic link at an output name is replaced by the rename, never followed: not a collision.
  ASSERT_EQ(::symlink(d.File("in").c_str(), d.File("link").c_str()), 0);
  auto sym = Guard({{{d.File("in")}, {d.File("link")}, {}}});
  EXPECT_EQ(sym[0], "");
}

TEST(WriteGuard, OutputReplacingTheLinkAnInputIsReadThroughIsRefused) {
  test::TempDir d;
  test::WriteFile(d.File("data.0"), "a");
  test::WriteFile(d.File("data.1"), "b");
  ASSERT_EQ(::symlink(d.File("data.0").c_str(), d.File("lnk.0").c_str()), 0);
  ASSERT_EQ(::symlink(d.File("data.1").c_str(), d.File("lnk.1").c_str()), 0);
  // Rank 0 would rename its output over the link rank 1 reads its input through.
  auto got = Guard({{{d.File("lnk.0")}, {d.File("lnk.1")}, {}}, {{d.File("lnk.1")}, {d.File("o.1")}, {}}});
  EXPECT_NE(got[0].find("rank 0: " + d.File("lnk.1") + ": output is the input"), std::string::npos) << got[0];
}

TEST(WriteGuard, HostIsTheKernelsBootId) {
  // /proc files report size 0: ReadWholeFile must read to the end (the guard keys inodes by it).
  auto boot = ReadWholeFile("/proc/sys/kernel/random/boot_id");
  ASSERT_TRUE(boot.ok()) << boot.status().message();
  EXPECT_EQ(boot->size(), 37u) << *boot;  // a UUID and a newline
}

TEST(WriteGuard, NameWrittenTwiceIsRefused) {
  test::TempDir d;
  auto two_ranks = Guard({{{}, {d.File("same")}, {}}, {{}, {d.File("same")}, {}}});
  EXPECT_NE(two_ranks[1].find("written twice by this job"), std::string::npos) << two_ranks[1];
  EXPECT_EQ(two_ranks[0], two_ranks[1]);
  auto one_rank = Guard({{{}, {d.File("m"), d.File("./m")}, {}}});  // e.g. --manifest naming a partition
  EXPECT_NE(one_rank[0].find("written twice"), std::string::npos) << one_rank[0];
}

TEST(WriteGuard, InputsMustBeRegularFilesAndPathsNonEmpty) {
  test::TempDir d;
  ASSERT_EQ(::mkfifo(d.File("fifo").c_str(), 0600), 0);
  fs::create_directories(d.File("dir"));
  EXPECT_EQ(Guard({{{d.File("fifo")}, {}, {}}})[0],
            "rank 0: " + d.File("fifo") + ": is a FIFO; an input must be a regular file (or a block device)");
  EXPECT_NE(Guard({{{d.File("dir")}, {}, {}}})[0].find("is a directory"), std::string::npos);
  EXPECT_NE(Guard({{{"/dev/zero"}, {}, {}}})[0].find("is a character device"), std::string::npos);
  EXPECT_NE(Guard({{{""}, {}, {}}})[0].find("empty input path"), std::string::npos);
  EXPECT_NE(Guard({{{}, {""}, {}}})[0].find("empty output path"), std::string::npos);
  EXPECT_NE(Guard({{{}, {d.File("dir")}, {}}})[0].find("exists and is a directory"), std::string::npos);
  EXPECT_EQ(Guard({{{}, {d.File("nodir/x")}, {}}})[0], "rank 0: " + d.File("nodir/x") + ": No such file or directory");
  // Opening a FIFO for reading never blocks and is refused the same way.
  auto f = File::Open(d.File("fifo"), O_RDONLY);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("is a FIFO"), std::string::npos);
}

TEST(WriteGuard, SecondJobOnTheSameNamesIsRefusedNamingTheFirst) {
  test::TempDir d;
  auto first = OutputLock::Acquire(d.File("out"));
  ASSERT_TRUE(first.ok()) << first.status().message();
  // Another open file description is another holder, as another process would be.
  auto second = OutputLock::Acquire(d.File("out"));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("another riversort job is writing it (pid " + std::to_string(::getpid())),
            std::string::npos)
      << second.status().message();
  *first = OutputLock();  // released and removed
  EXPECT_FALSE(fs::exists(OutputLock::LockPath(d.File("out"))));
  EXPECT_TRUE(OutputLock::Acquire(d.File("out")).ok());
  // A planted link where the lock goes is never written through.
  ASSERT_EQ(::symlink(d.File("victim").c_str(), OutputLock::LockPath(d.File("o2")).c_str()), 0);
  auto planted = OutputLock::Acquire(d.File("o2"));
  ASSERT_FALSE(planted.ok());
  EXPECT_FALSE(fs::exists(d.File("victim")));
}

// One rank's output for PublishTogether tests: `final` gets `contents`.
Result<OutputFile> Written(const std::string& final_path, const std::string& contents) {
  auto out = OutputFile::Create(final_path);
  if (!out.ok()) return out.status();
  RS_RETURN_IF_ERROR(out->file().WriteAt(contents.data(), contents.size(), 0));
  RS_RETURN_IF_ERROR(out->Finish(contents.size()));
  return out;
}

TEST(PublishTogether, AllRanksPublishThenWhatTheyReplacedIsGone) {
  test::TempDir d;
  test::WriteFile(d.File("out.0"), "old0");
  std::vector<std::string> results(2);
  LoopbackGroup(2).Run([&](Comm& c) {
    auto out = Written(d.File("out." + std::to_string(c.rank())), "new" + std::to_string(c.rank()));
    Status st = PublishTogether(c, out.status(), {&*out});
    results[size_t(c.rank())] = st.ok() ? "" : st.message();
  });
  EXPECT_EQ(results[0], "");
  EXPECT_EQ(test::ReadFile(d.File("out.0")), "new0");
  EXPECT_EQ(test::ReadFile(d.File("out.1")), "new1");
  for (const auto& e : fs::directory_iterator(d.path())) {
    const std::string name = e.path().filename();
    EXPECT_TRUE(name == "out.0" || name == "out.1") << "left behind: " << name;
  }
}

TEST(PublishTogether, OneRankFailingToPublishPutsBackEveryOtherRanksFile) {
  test::TempDir d;
  test::WriteFile(d.File("out.0"), "users-file-0");
  std::vector<std::string> results(3);
  LoopbackGroup(3).Run([&](Comm& c) {
    auto out = Written(d.File("out." + std::to_string(c.rank())), "new");
    // Rank 2's final name becomes a directory after the guard: its rename fails.
    if (c.rank() == 2) fs::create_directories(d.File("out.2/occupied"));
    Status st = PublishTogether(c, out.status(), {&*out});
    results[size_t(c.rank())] = st.ok() ? "" : st.message();
  });
  for (const auto& r : results) EXPECT_NE(r.find("rank 2: " + d.File("out.2")), std::string::npos) << r;
  EXPECT_EQ(test::ReadFile(d.File("out.0")), "users-file-0");  // put back exactly
  EXPECT_FALSE(fs::exists(d.File("out.1")));                   // nothing was there
  EXPECT_TRUE(fs::is_directory(d.File("out.2")));
  for (const auto& e : fs::directory_iterator(d.path())) {
    const std::string name = e.path().filename();
    EXPECT_TRUE(name == "out.0" || name == "out.2") << "left behind: " << name;
  }
}

TEST(PublishTogether, IncompleteRankPublishesNothingAnywhere) {
  test::TempDir d;
  test::WriteFile(d.File("out.1"), "keep");
  LoopbackGroup(2).Run([&](Comm& c) {
    auto out = Written(d.File("out." + std::to_string(c.rank())), "new");
    Status completed = c.rank() == 0 ? Status::Error("disk full") : out.status();
    EXPECT_FALSE(PublishTogether(c, completed, {&*out}).ok());
  });
  EXPECT_FALSE(fs::exists(d.File("out.0")));
  EXPECT_EQ(test::ReadFile(d.File("out.1")), "keep");
}

TEST(PublishTogether, AnUnsettledOutputPutsBackWhatItReplacedWhenDestroyed) {
  test::TempDir d;
  test::WriteFile(d.File("f"), "theirs");
  {
    auto out = Written(d.File("f"), "ours");
    ASSERT_TRUE(out.ok());
    ASSERT_TRUE(out->Publish().ok());
    EXPECT_EQ(test::ReadFile(d.File("f")), "ours");
  }  // never settled: the publication was not agreed
  EXPECT_EQ(test::ReadFile(d.File("f")), "theirs");
}

TEST(Leftovers, AProbeNeverTakesTheLock) {
  test::TempDir d;
  // A stale lock file (its job died): the probe says free, and a job taking it right after (or
  // during) the probe gets it — the probe asks, it does not lock.
  test::WriteFile(OutputLock::LockPath(d.File("out")), "dead job");
  EXPECT_FALSE(IsLockHeld(OutputLock::LockPath(d.File("out"))));
  auto lock = OutputLock::Acquire(d.File("out"));
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_TRUE(IsLockHeld(OutputLock::LockPath(d.File("out"))));
  EXPECT_TRUE(OutputLock::Acquire(d.File("out")).status().message().find("another riversort job") != std::string::npos);
}

TEST(Leftovers, DeadJobsFilesAreFoundLiveOnesLeftAlone) {
  test::TempDir d;
  // A dead job's files: no lock file holds its token.
  const std::string dead = "0123456789abcdef";
  test::WriteFile(d.File("out.0.riversort-" + dead + "-3.tmp"), std::string(8192, 'x'));
  test::WriteFile(d.File("riversort-" + dead + "-r0-run-1.run"), "run");
  test::WriteFile(d.File("out.1.riversort-" + dead + "-4.old"), "users");
  test::WriteFile(d.File("out.0.riversort.lock"), "stale");
  test::WriteFile(d.File("unrelated.tmp"), "mine");
  // A live job: this process, with a temporary open in the directory.
  auto live = OutputFile::Create(d.File("live"));
  ASSERT_TRUE(live.ok());
  auto found = FindLeftovers(d.path());
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->removable.size(), 3u);
  EXPECT_EQ(found->replaced.size(), 1u);
  EXPECT_EQ(found->live_jobs, 1u);
  EXPECT_GE(RemoveLeftovers(*found), 8192u);
  EXPECT_FALSE(fs::exists(d.File("out.0.riversort-" + dead + "-3.tmp")));
  EXPECT_FALSE(fs::exists(d.File("riversort-" + dead + "-r0-run-1.run")));
  EXPECT_FALSE(fs::exists(d.File("out.0.riversort.lock")));
  EXPECT_TRUE(fs::exists(d.File("out.1.riversort-" + dead + "-4.old")));  // listed, never removed
  EXPECT_TRUE(fs::exists(d.File("unrelated.tmp")));
  EXPECT_TRUE(fs::exists(d.File("riversort-" + ProcessToken() + ".lock")));  // the live job's claim
  live->Discard();
  EXPECT_FALSE(fs::exists(d.File("riversort-" + ProcessToken() + ".lock")));  // last temporary gone
}

// A resumed job removes what a dead process of the same job was writing (a run under its
// temporary name), and that writer's claim; another job's files and live writes stay.
TEST(Leftovers, ResumedJobRemovesItsDeadWritesOnly) {
  test::TempDir d;
  const std::string job = "00000000000000aa", other = "00000000000000bb";
  const std::string dead = "0123456789abcdef", dead2 = "fedcba9876543210";
  const std::string half = d.File("riversort-" + job + "-r1-run-2.run.riversort-" + dead + "-3.tmp");
  test::WriteFile(half, std::string(8192, 'x'));
  test::WriteFile(d.File("riversort-" + dead + ".lock"), "");  // its claim, no longer held
  test::WriteFile(d.File("riversort-" + job + "-r1-run-1.run"), "kept run");
  test::WriteFile(d.File("riversort-" + other + "-r0-run-0.run.riversort-" + dead2 + "-1.tmp"), "other job");
  test::WriteFile(d.File("out.0.riversort-" + dead2 + "-2.tmp"), "another job's output");
  test::WriteFile(d.File("riversort-" + dead2 + ".lock"), "");
  // A live writer of the same job (this process) is left alone.
  auto live = OutputFile::Create(d.File("riversort-" + job + "-r0-run-5.run"));
  ASSERT_TRUE(live.ok());
  auto freed = RemoveDeadWrites(d.path(), "riversort-" + job + "-");
  ASSERT_TRUE(freed.ok()) << freed.status().message();
  EXPECT_GE(*freed, 8192u);
  EXPECT_FALSE(fs::exists(half));
  EXPECT_FALSE(fs::exists(d.File("riversort-" + dead + ".lock")));
  EXPECT_TRUE(fs::exists(d.File("riversort-" + job + "-r1-run-1.run")));  // kept work is the journal's
  EXPECT_TRUE(fs::exists(d.File("riversort-" + other + "-r0-run-0.run.riversort-" + dead2 + "-1.tmp")));
  EXPECT_TRUE(fs::exists(d.File("out.0.riversort-" + dead2 + "-2.tmp")));
  EXPECT_TRUE(fs::exists(d.File("riversort-" + dead2 + ".lock")));
  size_t live_temps = 0;
  for (const auto& e : fs::directory_iterator(d.path())) {
    const std::string n = e.path().filename();
    if (n.find("riversort-" + ProcessToken() + "-") != std::string::npos && n.ends_with(".tmp")) ++live_temps;
  }
  EXPECT_EQ(live_temps, 1u);
  live->Discard();
}

TEST(OutputFile, PlantedTemporaryOrLinkIsNeverWrittenThrough) {
  test::TempDir d;
  test::WriteFile(d.File("target"), "theirs");
  // An attacker who knew this process's token (they cannot: it is random) plants a link under
  // every temporary name it could use next: the create is refused, nothing is written through.
  for (int n = 0; n < 4096; ++n) {
    const std::string name = d.File("o.riversort-" + ProcessToken() + "-" + std::to_string(n) + ".tmp");
    ASSERT_EQ(::symlink(d.File("target").c_str(), name.c_str()), 0);
  }
  auto out = OutputFile::Create(d.File("o"));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(), d.File("o") + ": File exists");
  EXPECT_EQ(test::ReadFile(d.File("target")), "theirs");
  struct stat st;
  ASSERT_EQ(::lstat(d.File("target").c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 6);
}

TEST(OutputFile, TemporariesArePrivateOutputsFollowTheUmask) {
  test::TempDir d;
  const mode_t old = ::umask(022);
  auto run = OutputFile::Create(d.File("run"), 0, kPrivateFileMode);
  auto out = OutputFile::Create(d.File("out"));
  ::umask(old);
  ASSERT_TRUE(run.ok() && out.ok());
  ASSERT_TRUE(run->Commit(0).ok());
  ASSERT_TRUE(out->Commit(0).ok());
  struct stat st;
  ASSERT_EQ(::stat(d.File("run").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(d.File("out").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

}  // namespace
}  // namespace rs
