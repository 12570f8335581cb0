// tests/river/disk_errors_test.cpp — DiskSink/DiskSource bad paths (missing files, full disks,
// permissions, I/O errors, failing fsyncs, input that shrinks mid-stream, bad knobs): each
// returns a Status naming the path and the reason (with its code and errno), leaves no
// half-written output, and never crashes or hangs. Full disks are provoked on real small mounts
// (root only) and, always, through a FaultyEnv under the thread engine (tests/support/faulty_env.hpp).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <future>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "io/striped_file.hpp"
#include "river/disk_sink.hpp"
#include "river/disk_source.hpp"
#include "river/river_queue.hpp"
#include "tests/support/expect_status.hpp"
#include "tests/support/faulty_env.hpp"
#include "tests/support/stripe_io.hpp"
#include "tests/support/temp_dir.hpp"

namespace rs {
namespace {

namespace fs = std::filesystem;

constexpr auto kTimeout = std::chrono::seconds(20);
constexpr size_t kTransfer = 256 * 1024;

// Runs `body` on another thread and fails if it has not finished within kTimeout. A hung body
// cannot be abandoned (it uses this test's objects), so a hang ends the test binary.
void WithTimeout(const std::function<void()>& body) {
  auto done = std::async(std::launch::async, body);
  if (done.wait_for(kTimeout) != std::future_status::ready) {
    ADD_FAILURE() << "the test body did not finish within 20 s: the code under test hangs";
    std::fprintf(stderr, "FATAL: %s hangs; exiting\n", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::fflush(stderr);
    std::_Exit(1);
  }
  done.get();  // rethrows what the body threw
}

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string Pattern(size_t n, uint32_t seed) {
  std::string s(n, '\0');
  std::mt19937 rng(seed);
  for (auto& c : s) c = char(rng());
  return s;
}

// Directory entries, except the lost+found of a fresh ext4.
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name != "lost+found") names.push_back(name);
  }
  return names;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += ", ";
    s += x;
  }
  return s;
}

std::vector<std::string> Members(const std::string& base, int k, const std::string& name) {
  return test::StripeMembers(base, k, name);
}

std::string Parent(const std::string& path) { return fs::path(path).parent_path().string(); }

std::unique_ptr<MemPool> NewPool(size_t count) {
  auto pool = MemPool::Create(kTransfer, count);
  EXPECT_TRUE(pool.ok()) << pool.status().message();
  return pool.ok() ? std::move(*pool) : nullptr;
}

DiskOptions Options(EngineKind engine, bool direct, uint64_t unit = 64 * 1024) {
  DiskOptions opt;
  opt.engine = engine;
  opt.direct = direct;
  opt.transfer_size = kTransfer;
  opt.queue_depth = 4;
  opt.stripe_unit = unit;
  return opt;
}

using test::WriteStriped;

// Runs a shell command; returns its exit status and what it printed.
struct ShellResult {
  int status;
  std::string output;
};
ShellResult Shell(std::string command) {
  command += " 2>&1";
  ShellResult r{-1, ""};
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) {
    r.output = std::strerror(errno);
    return r;
  }
  char buf[512];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
  return r;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  q += s;
  q += "'";
  return q;
}

// A filesystem mounted for one test, unmounted when the object goes away.
class Mounted {
 public:
  // Mounts with `mount <args> <dir>`; on failure returns nullopt and the reason in *why.
  static std::optional<Mounted> Mount(const std::string& args, const std::string& dir, std::string* why) {
    if (::geteuid() != 0) {
      *why = "mounting needs root (this is uid " + std::to_string(::geteuid()) + ")";
      return std::nullopt;
    }
    std::string cmd = "mount ";
    cmd += args;
    cmd += " ";
    cmd += Quote(dir);
    ShellResult r = Shell(cmd);
    if (r.status != 0) {
      *why = cmd;
      *why += " failed: ";
      *why += r.output;
      return std::nullopt;
    }
    return Mounted(dir);
  }
  Mounted(Mounted&& o) noexcept : dir_(std::exchange(o.dir_, std::string())) {}
  Mounted& operator=(Mounted&&) = delete;
  ~Mounted() {
    if (dir_.empty()) return;
    std::string cmd = "umount ";
    cmd += Quote(dir_);
    if (Shell(cmd).status != 0) {
      cmd = "umount -l ";
      cmd += Quote(dir_);
      ShellResult r = Shell(cmd);
      if (r.status != 0) ADD_FAILURE() << "cannot unmount " << dir_ << ": " << r.output;
    }
  }

 private:
  explicit Mounted(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// Writes `bytes` through a DiskSink into `member` on a filesystem too small for it, and checks
// that Close() reports the member and "No space left on device" and publishes nothing. The
// failure is also stored in *got when given.
void ExpectDiskFull(const std::string& member, EngineKind engine, uint64_t bytes, bool expect_direct,
                    Status* got = nullptr) {
  SCOPED_TRACE(EngineName(engine));
  auto pool = NewPool(4);
  ASSERT_NE(pool, nullptr);
  std::vector<std::string> notices;
  auto sink = DiskSink::Create({member}, Options(engine, /*direct=*/true), pool.get(), 0, &notices);
  ASSERT_TRUE(sink.ok()) << sink.status().message();
  if (expect_direct) {
    for (const auto& n : notices) EXPECT_FALSE(Contains(n, "O_DIRECT")) << "O_DIRECT is not really on: " << n;
  }
  const std::string data = Pattern(kTransfer, 1);
  for (uint64_t off = 0; off < bytes; off += kTransfer) {
    Buffer b = pool->Get();
    std::memcpy(b.data(), data.data(), kTransfer);
    b.set_size(kTransfer);
    (*sink)->Put(std::move(b));
  }
  Status st = (*sink)->Close();
  if (got) *got = st;
  ASSERT_FALSE(st.ok()) << "writing " << bytes << " bytes into a smaller filesystem succeeded";
  EXPECT_TRUE(StartsWith(st.message(), member + ": ")) << st.message();
  EXPECT_TRUE(Contains(st.message(), "No space left on device")) << st.message();
  sink->reset();
  EXPECT_FALSE(fs::exists(member)) << "a failed output appeared under its final name";
  EXPECT_TRUE(Entries(Parent(member)).empty()) << "left behind: " << Join(Entries(Parent(member)));
  EXPECT_EQ(pool->available(), 4u);
}

// With a size hint larger than the filesystem, preallocation fails at Create.
void ExpectPreallocationRefused(const std::string& member, uint64_t bytes, Status* got = nullptr) {
  auto pool = NewPool(4);
  ASSERT_NE(pool, nullptr);
  auto sink = DiskSink::Create({member}, Options(EngineKind::kThreads, true), pool.get(), bytes, nullptr);
  ASSERT_FALSE(sink.ok()) << "preallocating " << bytes << " bytes on a smaller filesystem succeeded";
  if (got) *got = sink.status();
  const std::string& msg = sink.status().message();
  EXPECT_TRUE(Contains(msg, "No space left on device")) << msg;
  EXPECT_TRUE(Entries(Parent(member)).empty()) << "left behind: " << Join(Entries(Parent(member)));
  // The message should name the file the user asked for, as OutputFile::Create does, not the
  // temporary that no longer exists.
  EXPECT_TRUE(StartsWith(msg, member + ": ")) << msg;
}

TEST(DiskErrors, MissingOutputDirectoryNamesPath) {
  WithTimeout([] {
    test::TempDir dir;
    auto pool = NewPool(2);
    ASSERT_NE(pool, nullptr);
    std::string path = dir.path();
    path += "/missing/out.0";
    auto sink = DiskSink::Create({path}, Options(EngineKind::kAuto, true), pool.get(), 0, nullptr);
    ASSERT_FALSE(sink.ok());
    EXPECT_EQ(sink.status().message(), path + ": No such file or directory");

    // Striped: the second directory is missing; the first keeps nothing.
    auto members = Members(dir.path(), 2, "out.1");
    fs::remove(Parent(members[1]));
    auto striped = DiskSink::Create(members, Options(EngineKind::kAuto, true), pool.get(), 1 << 20, nullptr);
    ASSERT_FALSE(striped.ok());
    EXPECT_EQ(striped.status().message(), members[1] + ": No such file or directory");
    EXPECT_TRUE(Entries(Parent(members[0])).empty()) << Join(Entries(Parent(members[0])));
  });
}

TEST(DiskErrors, MissingInputFileNamesPath) {
  WithTimeout([] {
    test::TempDir dir;
    auto pool = NewPool(2);
    ASSERT_NE(pool, nullptr);
    std::string path = dir.File("in.0");
    auto src = DiskSource::Open({path}, Options(EngineKind::kAuto, true), pool.get(), nullptr);
    ASSERT_FALSE(src.ok());
    EXPECT_EQ(src.status().message(), path + ": No such file or directory");

    auto members = Members(dir.path(), 3, "in.1");
    test::WriteFile(members[0], "");
    test::WriteFile(members[2], "");
    auto striped = DiskSource::Open(members, Options(EngineKind::kAuto, true), pool.get(), nullptr);
    ASSERT_FALSE(striped.ok());
    EXPECT_EQ(striped.status().message(), members[1] + ": No such file or directory");
    EXPECT_EQ(pool->available(), 2u);
  });
}

TEST(DiskErrors, DiskFullOnTmpfs) {
  test::TempDir dir;
  std::string mnt = dir.File("mnt");
  fs::create_directories(mnt);
  std::string why;
  auto mounted = Mounted::Mount("-t tmpfs -o size=1m tmpfs", mnt, &why);
  if (!mounted) GTEST_SKIP() << "cannot mount a small tmpfs: " << why;
  WithTimeout([&] {
    for (EngineKind engine : {EngineKind::kUring, EngineKind::kThreads}) {
      ExpectDiskFull(mnt + "/out.0", engine, 4 << 20, /*expect_direct=*/false);
      if (HasFatalFailure()) return;
    }
  });
}

TEST(DiskErrors, PreallocationBeyondTmpfsSpace) {
  test::TempDir dir;
  std::string mnt = dir.File("mnt");
  fs::create_directories(mnt);
  std::string why;
  auto mounted = Mounted::Mount("-t tmpfs -o size=1m tmpfs", mnt, &why);
  if (!mounted) GTEST_SKIP() << "cannot mount a small tmpfs: " << why;
  WithTimeout([&] { ExpectPreallocationRefused(mnt + "/out.1", 4 << 20); });
}

TEST(DiskErrors, DiskFullOnLoopExt4WithDirectIo) {
  test::TempDir dir;
  std::string image = dir.File("ext4.img"), mnt = dir.File("mnt");
  fs::create_directories(mnt);
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a loop device needs root";
  std::string cmd = "dd if=/dev/zero of=";
  cmd += Quote(image);
  cmd += " bs=1M count=4 status=none && mkfs.ext4 -q -F ";
  cmd += Quote(image);
  if (ShellResult r = Shell(cmd); r.status != 0) GTEST_SKIP() << "cannot make an ext4 image: " << r.output;
  std::string why, args = "-o loop ";
  args += Quote(image);
  auto mounted = Mounted::Mount(args, mnt, &why);
  if (!mounted) GTEST_SKIP() << "cannot loop-mount ext4: " << why;
  WithTimeout([&] {
    for (EngineKind engine : {EngineKind::kUring, EngineKind::kThreads}) {
      ExpectDiskFull(mnt + "/out.0", engine, 4 << 20, /*expect_direct=*/true);
      if (HasFatalFailure()) return;
    }
  });
}

TEST(DiskErrors, PermissionDeniedNamesPath) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "running as root: directory modes do not stop root, so permission denied cannot be provoked";
  }
  WithTimeout([] {
    test::TempDir dir;
    std::string locked = dir.File("locked");
    fs::create_directories(locked);
    ASSERT_EQ(::chmod(locked.c_str(), 0555), 0);
    auto pool = NewPool(2);
    ASSERT_NE(pool, nullptr);
    std::string path = locked + "/out.0";
    Status st;
    {
      auto sink = DiskSink::Create({path}, Options(EngineKind::kAuto, true), pool.get(), 0, nullptr);
      if (!sink.ok()) st = sink.status();
    }  // a sink created by mistake is aborted here, before the directory is unlocked
    (void)::chmod(locked.c_str(), 0755);
    ASSERT_FALSE(st.ok()) << "created a file in a 0555 directory";
    EXPECT_EQ(st.message(), path + ": Permission denied");
  });
}

std::string Drain(Source& source);

// --- the same failures through a FaultyEnv: no root, no mounts, so they always run -------------
// Faults reach the files through the thread engine (io_uring's requests go to the kernel, past
// the Env: io/env.hpp).

TEST(DiskErrors, DiskFullIsNoSpaceWithErrnoAndPath) {
  WithTimeout([] {
    test::TempDir dir;
    const std::string member = dir.File("out.0");
    test::FaultyEnv env("out.0");
    env.FailWritesAfter(1 << 20);
    ScopedDefaultEnv scoped(&env);
    Status st;
    ExpectDiskFull(member, EngineKind::kThreads, 4 << 20, /*expect_direct=*/false, &st);
    if (HasFatalFailure()) return;
    test::ExpectFailure(st, member + ": write: No space left on device", StatusCode::kNoSpace, ENOSPC, member);
    EXPECT_EQ(env.bytes_written(), uint64_t(1) << 20) << "the disk was not filled before the error";
  });
}

TEST(DiskErrors, PreallocationBeyondSpaceIsNoSpace) {
  WithTimeout([] {
    test::TempDir dir;
    const std::string member = dir.File("out.1");
    test::FaultyEnv env("out.1");
    env.FailWritesAfter(1 << 20);
    ScopedDefaultEnv scoped(&env);
    Status st;
    ExpectPreallocationRefused(member, 4 << 20, &st);
    if (HasFatalFailure()) return;
    test::ExpectFailure(st, member + ": allocate: No space left on device", StatusCode::kNoSpace, ENOSPC, member);
  });
}

// PermissionDeniedNamesPath, provoked for root too: the open of the output is refused.
TEST(DiskErrors, PermissionDeniedThroughEnvNamesPath) {
  WithTimeout([] {
    test::TempDir dir;
    auto pool = NewPool(2);
    ASSERT_NE(pool, nullptr);
    const std::string path = dir.File("out.0");
    test::FaultyEnv env("out.0");
    env.FailOpen(EACCES);
    ScopedDefaultEnv scoped(&env);
    auto sink = DiskSink::Create({path}, Options(EngineKind::kThreads, true), pool.get(), 0, nullptr);
    ASSERT_FALSE(sink.ok()) << "created a file whose open was refused";
    test::ExpectFailure(sink.status(), path + ": Permission denied", StatusCode::kPermissionDenied, EACCES, path);
    EXPECT_TRUE(Entries(dir.path()).empty()) << Join(Entries(dir.path()));
  });
}

TEST(DiskErrors, FsyncErrorAtCloseNamesPathAndPublishesNothing) {
  WithTimeout([] {
    test::TempDir dir;
    auto members = Members(dir.path(), 2, "out");
    test::FaultyEnv env(members[1]);
    env.FailFsync(EIO);
    ScopedDefaultEnv scoped(&env);
    auto pool = NewPool(4);
    ASSERT_NE(pool, nullptr);
    auto sink = DiskSink::Create(members, Options(EngineKind::kThreads, true), pool.get(), 0, nullptr);
    ASSERT_TRUE(sink.ok()) << sink.status().message();
    for (int i = 0; i < 4; ++i) {
      Buffer b = pool->Get();
      std::memset(b.data(), 'w', kTransfer);
      b.set_size(kTransfer);
      (*sink)->Put(std::move(b));
    }
    Status st = (*sink)->Close();
    ASSERT_FALSE(st.ok()) << "Close succeeded though fsync failed";
    test::ExpectFailure(st, members[1] + ": fsync: Input/output error", StatusCode::kIoError, EIO, members[1]);
    sink->reset();
    for (const auto& m : members) {
      EXPECT_FALSE(fs::exists(m)) << m << " published though its fsync failed";
      EXPECT_TRUE(Entries(Parent(m)).empty()) << "left behind: " << Join(Entries(Parent(m)));
    }
    EXPECT_EQ(pool->available(), 4u);
  });
}

TEST(DiskErrors, ReadErrorIsIoErrorWithPath) {
  WithTimeout([] {
    test::TempDir dir;
    auto members = Members(dir.path(), 2, "in");
    const std::string data = Pattern(1 << 20, 11);
    WriteStriped(members, 64 * 1024, data);
    if (HasFatalFailure()) return;
    test::FaultyEnv env(members[0]);
    env.FailRead(3);
    ScopedDefaultEnv scoped(&env);
    auto pool = NewPool(3);
    ASSERT_NE(pool, nullptr);
    auto src = DiskSource::Open(members, Options(EngineKind::kThreads, true), pool.get(), nullptr);
    ASSERT_TRUE(src.ok()) << src.status().message();
    std::string got = Drain(**src);
    EXPECT_LT(got.size(), data.size());
    EXPECT_TRUE(got == data.substr(0, got.size())) << "delivered bytes are not the file's prefix";
    Status st = (*src)->status();
    ASSERT_FALSE(st.ok()) << "a read failed but status() is ok";
    test::ExpectFailure(st, members[0] + ": read: Input/output error", StatusCode::kIoError, EIO, members[0]);
    src->reset();
    EXPECT_EQ(pool->available(), 3u);
  });
}

// Short transfers everywhere (every pread and pwrite moves at most 12 KiB): the engine resumes
// each, and the copy is exact.
TEST(DiskErrors, ShortTransfersAreResumedEndToEnd) {
  WithTimeout([] {
    test::TempDir dir;
    auto in = Members(dir.path(), 2, "in"), out = Members(dir.path(), 2, "out");
    const std::string data = Pattern((1 << 20) + 4321, 6);
    WriteStriped(in, 64 * 1024, data);
    if (HasFatalFailure()) return;
    test::FaultyEnv env;  // every file
    env.ShortTransfers(3 * 4096);
    ScopedDefaultEnv scoped(&env);
    auto pool = NewPool(4);
    ASSERT_NE(pool, nullptr);
    auto src = DiskSource::Open(in, Options(EngineKind::kThreads, true), pool.get(), nullptr);
    ASSERT_TRUE(src.ok()) << src.status().message();
    auto sink = DiskSink::Create(out, Options(EngineKind::kThreads, true), pool.get(), 0, nullptr);
    ASSERT_TRUE(sink.ok()) << sink.status().message();
    Status st = Pump(**src, **sink);
    ASSERT_TRUE(st.ok()) << st.message();
    for (int k = 0; k < 2; ++k) {
      EXPECT_EQ(test::ReadFile(out[size_t(k)]), test::ReadFile(in[size_t(k)])) << out[size_t(k)];
    }
    EXPECT_GT(env.short_transfers(), 0u);
  });
}

// The tmpfs O_DIRECT refusal (older kernels), provoked: the stream runs buffered and says so.
TEST(DiskErrors, DirectRefusedIsAnnouncedAndWorks) {
  WithTimeout([] {
    test::TempDir dir;
    const std::string path = dir.File("out.0");
    test::FaultyEnv env("out.0");
    env.RefuseDirect();
    ScopedDefaultEnv scoped(&env);
    auto pool = NewPool(2);
    ASSERT_NE(pool, nullptr);
    std::vector<std::string> notices;
    auto sink = DiskSink::Create({path}, Options(EngineKind::kThreads, true), pool.get(), 0, &notices);
    ASSERT_TRUE(sink.ok()) << sink.status().message();
    EXPECT_NE(std::find(notices.begin(), notices.end(), path + ": the filesystem refuses O_DIRECT; using buffered I/O"),
              notices.end())
        << Join(notices);
    Buffer b = pool->Get();
    std::memset(b.data(), 'b', 1000);
    b.set_size(1000);
    (*sink)->Put(std::move(b));
    Status st = (*sink)->Close();
    ASSERT_TRUE(st.ok()) << st.message();
    EXPECT_EQ(fs::file_size(path), 1000u);
  });
}

// A source over a 1 MiB file striped over two members (units of 64 KiB), with member `victim`
// cut to `new_size` after Open but before any read: the test holds every pool buffer across
// Open, so the I/O thread cannot start a read until the cut is made.
struct ShrunkInput {
  test::TempDir dir;
  std::vector<std::string> members;
  std::string data;
  std::unique_ptr<MemPool> pool;
  std::unique_ptr<DiskSource> source;

  void Open(EngineKind engine, bool direct, int victim, uint64_t new_size) {
    members = Members(dir.path(), 2, "in");
    data = Pattern(1 << 20, 77);
    WriteStriped(members, 64 * 1024, data);
    if (::testing::Test::HasFatalFailure()) return;
    pool = NewPool(3);
    ASSERT_NE(pool, nullptr);
    std::vector<Buffer> held;
    for (size_t i = 0; i < pool->count(); ++i) held.push_back(pool->Get());
    auto src = DiskSource::Open(members, Options(engine, direct), pool.get(), nullptr);
    ASSERT_TRUE(src.ok()) << src.status().message();
    source = std::move(*src);
    fs::resize_file(members[size_t(victim)], new_size);
  }  // `held` goes back to the pool here: the reads begin
};

// Drains a source; returns what it delivered, checking that buffers come in order.
std::string Drain(Source& source) {
  std::string got;
  while (auto b = source.Get()) {
    EXPECT_EQ(b->offset(), got.size());
    got.append(reinterpret_cast<const char*>(b->data()), b->size());
  }
  return got;
}

TEST(DiskErrors, InputThatShrinksMidStreamEndsEarlyWithPath) {
  WithTimeout([] {
    struct Cut {
      int victim;
      uint64_t size;
    };
    // Member 1 cut inside the first transfer; member 0 emptied; member 0 cut after three
    // transfers' worth (units 0..11 intact, unit 12 short).
    for (Cut cut : {Cut{1, 100000}, Cut{0, 0}, Cut{0, 400000}}) {
      for (EngineKind engine : {EngineKind::kUring, EngineKind::kThreads}) {
        for (bool direct : {true, false}) {
          SCOPED_TRACE(std::string(EngineName(engine)) + (direct ? " direct" : " buffered") + " victim " +
                       std::to_string(cut.victim) + " cut to " + std::to_string(cut.size));
          ShrunkInput in;
          in.Open(engine, direct, cut.victim, cut.size);
          if (::testing::Test::HasFatalFailure()) return;
          std::string got = Drain(*in.source);
          EXPECT_LT(got.size(), in.data.size());
          EXPECT_TRUE(got == in.data.substr(0, got.size())) << "delivered bytes are not the file's prefix";
          EXPECT_LE(got.size(), 3 * kTransfer);
          EXPECT_EQ(got.size() % kTransfer, 0u) << "a partly read buffer was delivered";
          Status st = in.source->status();
          ASSERT_FALSE(st.ok()) << "the stream ended early but status() is ok";
          EXPECT_TRUE(StartsWith(st.message(), in.members[size_t(cut.victim)] + ": ")) << st.message();
          EXPECT_TRUE(Contains(st.message(), "ended early")) << st.message();
          EXPECT_FALSE(in.source->Get().has_value()) << "Get() after the end must keep returning nullopt";
          in.source.reset();
          EXPECT_EQ(in.pool->available(), in.pool->count());
        }
      }
    }
  });
}

TEST(DiskErrors, PumpFromFailingSourceAbortsTheSink) {
  WithTimeout([] {
    for (EngineKind engine : {EngineKind::kUring, EngineKind::kThreads}) {
      SCOPED_TRACE(EngineName(engine));
      ShrunkInput in;
      in.Open(engine, true, 0, 400000);
      if (::testing::Test::HasFatalFailure()) return;
      auto out = Members(in.dir.path(), 2, "sorted");
      auto sink = DiskSink::Create(out, Options(engine, true), in.pool.get(), in.data.size(), nullptr);
      ASSERT_TRUE(sink.ok()) << sink.status().message();
      Status st = Pump(*in.source, **sink);
      ASSERT_FALSE(st.ok()) << "Pump succeeded over a failing source";
      EXPECT_TRUE(Contains(st.message(), "ended early")) << st.message();
      sink->reset();
      for (const auto& o : out) {
        EXPECT_FALSE(fs::exists(o)) << o << " published from a failed input";
        for (const auto& name : Entries(Parent(o))) {
          EXPECT_TRUE(name == "in") << "left behind in " << Parent(o) << ": " << name;
        }
      }
    }
  });
}

TEST(DiskErrors, PumpFromHealthySourcePublishes) {
  WithTimeout([] {
    test::TempDir dir;
    auto in = Members(dir.path(), 2, "in"), out = Members(dir.path(), 2, "out");
    const std::string data = Pattern((1 << 20) + 4321, 5);
    WriteStriped(in, 64 * 1024, data);
    if (::testing::Test::HasFatalFailure()) return;
    auto pool = NewPool(4);
    ASSERT_NE(pool, nullptr);
    auto src = DiskSource::Open(in, Options(EngineKind::kAuto, true), pool.get(), nullptr);
    ASSERT_TRUE(src.ok()) << src.status().message();
    auto sink = DiskSink::Create(out, Options(EngineKind::kAuto, true), pool.get(), 0, nullptr);
    ASSERT_TRUE(sink.ok()) << sink.status().message();
    Status st = Pump(**src, **sink);
    ASSERT_TRUE(st.ok()) << st.message();
    for (int k = 0; k < 2; ++k) {
      EXPECT_EQ(test::ReadFile(out[size_t(k)]), test::ReadFile(in[size_t(k)])) << out[size_t(k)];
    }
  });
}

TEST(DiskErrors, UnalignedBufferBeforeTheLastFailsAndPublishesNothing) {
  WithTimeout([] {
    test::TempDir dir;
    auto pool = NewPool(3);
    ASSERT_NE(pool, nullptr);
    std::string path = dir.File("out");
    auto sink = DiskSink::Create({path}, Options(EngineKind::kAuto, true), pool.get(), 0, nullptr);
    ASSERT_TRUE(sink.ok()) << sink.status().message();
    for (size_t n : {size_t(1000), size_t(4096), size_t(4096)}) {
      Buffer b = pool->Get();
      std::memset(b.data(), 'a', n);
      b.set_size(n);
      (*sink)->Put(std::move(b));
    }
    EXPECT_EQ((*sink)->bytes(), 1000u);  // later buffers are dropped after the error
    Status st = (*sink)->Close();
    ASSERT_FALSE(st.ok()) << "a 1000-byte buffer followed by more was accepted with O_DIRECT";
    EXPECT_TRUE(StartsWith(st.message(), path + ": ")) << st.message();
    EXPECT_TRUE(Contains(st.message(), "only the last may be")) << st.message();
    EXPECT_TRUE(Entries(dir.path()).empty()) << Join(Entries(dir.path()));
    EXPECT_EQ(pool->available(), 3u);
  });
}

TEST(DiskErrors, DestroyingStreamsEarlyNeitherHangsNorPublishes) {
  WithTimeout([] {
    test::TempDir dir;
    auto in = Members(dir.path(), 1, "in");
    WriteStriped(in, 64 * 1024, Pattern(4 << 20, 9));
    if (::testing::Test::HasFatalFailure()) return;
    for (EngineKind engine : {EngineKind::kUring, EngineKind::kThreads}) {
      auto pool = NewPool(3);
      ASSERT_NE(pool, nullptr);
      {
        // The consumer takes one buffer and walks away while reads are in flight.
        auto src = DiskSource::Open(in, Options(engine, true), pool.get(), nullptr);
        ASSERT_TRUE(src.ok()) << src.status().message();
        auto first = (*src)->Get();
        EXPECT_TRUE(first.has_value());
      }
      EXPECT_EQ(pool->available(), 3u);
      std::string out = dir.File("out");
      {
        // The producer puts a few buffers and never calls Close().
        auto sink = DiskSink::Create({out}, Options(engine, true), pool.get(), 1 << 20, nullptr);
        ASSERT_TRUE(sink.ok()) << sink.status().message();
        for (int i = 0; i < 5; ++i) {
          Buffer b = pool->Get();
          b.set_size(kTransfer);
          (*sink)->Put(std::move(b));
        }
      }
      EXPECT_FALSE(fs::exists(out));
      for (const auto& name : Entries(dir.path())) EXPECT_EQ(name, "d0") << "left behind: " << name;
      EXPECT_EQ(pool->available(), 3u);
    }
  });
}

TEST(DiskErrors, SourceRefusesPoolTooSmallAndUnalignedDirectOffset) {
  WithTimeout([] {
    test::TempDir dir;
    auto in = Members(dir.path(), 1, "in");
    WriteStriped(in, 4096, Pattern(100000, 3));
    if (::testing::Test::HasFatalFailure()) return;
    auto small = MemPool::Create(64 * 1024, 2);
    ASSERT_TRUE(small.ok());
    auto src = DiskSource::Open(in, Options(EngineKind::kAuto, true), small->get(), nullptr);
    ASSERT_FALSE(src.ok());
    EXPECT_TRUE(Contains(src.status().message(), "transfer size")) << src.status().message();
    auto pool = NewPool(2);
    ASSERT_NE(pool, nullptr);
    auto unaligned = DiskSource::Open(in, Options(EngineKind::kAuto, true), pool.get(), nullptr, 1000);
    ASSERT_FALSE(unaligned.ok());
    EXPECT_TRUE(StartsWith(unaligned.status().message(), in[0] + ": ")) << unaligned.status().message();
    EXPECT_TRUE(Contains(unaligned.status().message(), "4096")) << unaligned.status().message();
  });
}

// --- DiskOptions::Check ------------------------------------------------------------------------

Status Check(uint64_t transfer, unsigned depth, uint64_t unit, bool direct) {
  DiskOptions o;
  o.transfer_size = transfer;
  o.queue_depth = depth;
  o.stripe_unit = unit;
  o.direct = direct;
  return o.Check();
}

void ExpectRefused(const Status& st, const std::string& flag_and_value, const std::string& range) {
  ASSERT_FALSE(st.ok()) << flag_and_value << " was accepted";
  EXPECT_TRUE(StartsWith(st.message(), flag_and_value + ": ")) << st.message();
  EXPECT_TRUE(Contains(st.message(), range)) << st.message();
}

TEST(DiskOptions, DefaultsPass) { EXPECT_TRUE(DiskOptions().Check().ok()) << DiskOptions().Check().message(); }

TEST(DiskOptions, TransferSize) {
  constexpr uint64_t M = 1 << 20, G = uint64_t(1) << 30;
  ExpectRefused(Check(0, 16, M, true), "--transfer-size 0", "allowed 4096 .. 1G");
  ExpectRefused(Check(0, 16, M, false), "--transfer-size 0", "allowed 4096 .. 1G");
  ExpectRefused(Check(G + 4096, 16, M, true), "--transfer-size 1073745920", "allowed 4096 .. 1G");
  ExpectRefused(Check(100000, 16, M, true), "--transfer-size 100000", "multiple of 4096");
  ExpectRefused(Check(4097, 16, M, true), "--transfer-size 4097", "multiple of 4096");
  EXPECT_TRUE(Check(100000, 16, M, false).ok()) << "buffered I/O takes any transfer size";
  EXPECT_TRUE(Check(4096, 16, M, true).ok());
  EXPECT_TRUE(Check(G, 16, M, true).ok());
}

TEST(DiskOptions, QueueDepth) {
  ExpectRefused(Check(4096, 0, 4096, true), "--queue-depth 0",
                "allowed 1 .. " + std::to_string(config::kMaxQueueDepth));
  ExpectRefused(Check(4096, config::kMaxQueueDepth + 1, 4096, true),
                "--queue-depth " + std::to_string(config::kMaxQueueDepth + 1),
                "allowed 1 .. " + std::to_string(config::kMaxQueueDepth));
  EXPECT_TRUE(Check(4096, 1, 4096, true).ok());
  EXPECT_TRUE(Check(4096, config::kMaxQueueDepth, 4096, true).ok());
}

TEST(DiskOptions, StripeUnit) {
  // At least 4096 always; a multiple of 4096 with O_DIRECT; buffered I/O takes other sizes.
  ExpectRefused(Check(4096, 4, 0, true), "--stripe-unit 0", "allowed 4096 or more");
  ExpectRefused(Check(4096, 4, 0, false), "--stripe-unit 0", "allowed 4096 or more");
  ExpectRefused(Check(4096, 4, 1000, false), "--stripe-unit 1000", "allowed 4096 or more");
  ExpectRefused(Check(4096, 4, 6144, true), "--stripe-unit 6144", "multiple of 4096");
  EXPECT_TRUE(Check(4096, 4, 6144, false).ok()) << "buffered I/O takes a unit that is not a block multiple";
  EXPECT_TRUE(Check(4096, 4, 8192, true).ok());
}

TEST(DiskOptions, MessagesStateTheRangeTheCheckEnforces) {
  // A refusal says "allowed 4096 .. 1G", so a smaller transfer must be refused whatever `direct`
  // is; and with direct=false, where any stripe unit > 0 is taken, the refusal of 0 must not say
  // "multiple of 4096".
  Status small_transfer = Check(1000, 16, 1 << 20, false);
  Status zero_unit = Check(4096, 4, 0, false);
  const bool unit_message_wrong = Check(4096, 4, 1000, false).ok() && Contains(zero_unit.message(), "multiple of 4096");
  ExpectRefused(small_transfer, "--transfer-size 1000", "allowed 4096 .. 1G");
  EXPECT_FALSE(unit_message_wrong) << zero_unit.message();
}

TEST(DiskOptions, SinkAndSourceRefuseBadOptionsBeforeTouchingFiles) {
  WithTimeout([] {
    test::TempDir dir;
    auto pool = NewPool(2);
    ASSERT_NE(pool, nullptr);
    DiskOptions bad = Options(EngineKind::kAuto, true);
    bad.queue_depth = 0;
    auto sink = DiskSink::Create({dir.File("out")}, bad, pool.get(), 0, nullptr);
    ASSERT_FALSE(sink.ok());
    EXPECT_TRUE(StartsWith(sink.status().message(), "--queue-depth 0: ")) << sink.status().message();
    EXPECT_TRUE(Entries(dir.path()).empty());
    test::WriteFile(dir.File("in"), "x");
    bad = Options(EngineKind::kAuto, true);
    bad.transfer_size = 0;
    auto src = DiskSource::Open({dir.File("in")}, bad, pool.get(), nullptr);
    ASSERT_FALSE(src.ok());
    EXPECT_TRUE(StartsWith(src.status().message(), "--transfer-size 0: ")) << src.status().message();
  });
}

}  // namespace
}  // namespace rs
