// tests/core/status_test.cpp — Status (code, errno, path, the one line), its annotations, Result
// (no default-constructed T, moves, failures) and RS_ASSIGN_OR_RETURN / RS_RETURN_IF_ERROR.
#include "core/status.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <string>

namespace rs {
namespace {

TEST(Status, OkHoldsNothing) {
  Status st;
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kOk);
  EXPECT_EQ(st.sys_errno(), 0);
  EXPECT_EQ(st.path(), "");
  EXPECT_EQ(st.message(), "");
  EXPECT_TRUE(Status::Ok().ok());
  // Annotating success leaves success.
  EXPECT_TRUE(st.WithContext("rank 1").ok());
  EXPECT_TRUE(st.WithSuffix("; x").ok());
  EXPECT_TRUE(st.WithPath("/x").ok());
}

TEST(Status, FromErrnoKeepsTheLineAndItsParts) {
  Status st = Status::FromErrno(ENOSPC, "/d1/out.0", "write");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "/d1/out.0: write: No space left on device");
  EXPECT_EQ(st.code(), StatusCode::kNoSpace);
  EXPECT_EQ(st.sys_errno(), ENOSPC);
  EXPECT_EQ(st.path(), "/d1/out.0");
  EXPECT_EQ(st.detail(), "write");

  Status bare = Status::FromErrno(ENOENT, "/nonexistent-dir/x");
  EXPECT_EQ(bare.message(), "/nonexistent-dir/x: No such file or directory");
  EXPECT_EQ(bare.code(), StatusCode::kNotFound);
  EXPECT_EQ(bare.detail(), "");
}

TEST(Status, ErrnoToCode) {
  struct Case {
    int err;
    StatusCode code;
  };
  for (Case c :
       {Case{ENOENT, StatusCode::kNotFound}, Case{ENOTDIR, StatusCode::kNotFound},
        Case{EACCES, StatusCode::kPermissionDenied}, Case{EPERM, StatusCode::kPermissionDenied},
        Case{EROFS, StatusCode::kPermissionDenied}, Case{ENOSPC, StatusCode::kNoSpace},
        Case{EDQUOT, StatusCode::kNoSpace}, Case{EEXIST, StatusCode::kAlreadyExists}, Case{EIO, StatusCode::kIoError},
        Case{EINVAL, StatusCode::kInvalidInput}, Case{EBUSY, StatusCode::kBusy}, Case{ETIMEDOUT, StatusCode::kTimedOut},
        Case{ECONNRESET, StatusCode::kUnavailable}, Case{EPIPE, StatusCode::kUnavailable},
        Case{ENOMEM, StatusCode::kResourceExhausted}, Case{ENOSYS, StatusCode::kUnsupported},
        Case{EOPNOTSUPP, StatusCode::kUnsupported}, Case{EXDEV, StatusCode::kIoError}}) {
    SCOPED_TRACE(c.err);
    EXPECT_EQ(StatusCodeFromErrno(c.err), c.code);
    EXPECT_EQ(Status::FromErrno(c.err, "p").code(), c.code);
  }
  // errno 0 in a failure is a caller's bug, never "ok".
  EXPECT_EQ(Status::FromErrno(0, "p", "x").code(), StatusCode::kInternal);
  EXPECT_FALSE(Status::FromErrno(0, "p", "x").ok());
}

TEST(Status, ErrorWithAndWithoutCode) {
  Status plain = Status::Error("--queue-depth 0: allowed 1 .. 256");
  EXPECT_FALSE(plain.ok());
  EXPECT_EQ(plain.code(), StatusCode::kUnknown);
  EXPECT_EQ(plain.message(), "--queue-depth 0: allowed 1 .. 256");
  EXPECT_EQ(plain.path(), "");
  EXPECT_EQ(plain.sys_errno(), 0);

  Status coded = Status::Error(StatusCode::kCorruption, "/d/in.0", "size 1050 is not a multiple of 100 bytes");
  EXPECT_EQ(coded.message(), "/d/in.0: size 1050 is not a multiple of 100 bytes");
  EXPECT_EQ(coded.code(), StatusCode::kCorruption);
  EXPECT_EQ(coded.path(), "/d/in.0");

  // A failure is never ok, whatever code it was given.
  EXPECT_FALSE(Status::Error(StatusCode::kOk, "oops").ok());
  EXPECT_FALSE(Status::Error("").ok());
}

TEST(Status, AnnotationsKeepCodeErrnoAndPath) {
  const Status st = Status::FromErrno(EIO, "/d/x.tmp", "fsync");
  Status ctx = st.WithContext("rank 2");
  EXPECT_EQ(ctx.message(), "rank 2: /d/x.tmp: fsync: Input/output error");
  EXPECT_EQ(ctx.code(), StatusCode::kIoError);
  EXPECT_EQ(ctx.sys_errno(), EIO);
  EXPECT_EQ(ctx.path(), "/d/x.tmp");
  // Contexts nest outermost first.
  EXPECT_EQ(ctx.WithContext("sort").message(), "sort: rank 2: /d/x.tmp: fsync: Input/output error");

  Status renamed = ctx.WithPath("/d/x");
  EXPECT_EQ(renamed.message(), "rank 2: /d/x: fsync: Input/output error");
  EXPECT_EQ(renamed.path(), "/d/x");
  EXPECT_EQ(renamed.sys_errno(), EIO);

  Status suffixed = st.WithSuffix("; the file it held is kept as /d/x.old");
  EXPECT_EQ(suffixed.message(), "/d/x.tmp: fsync: Input/output error; the file it held is kept as /d/x.old");
  EXPECT_EQ(suffixed.WithPath("/d/x").message(),
            "/d/x: fsync: Input/output error; the file it held is kept as /d/x.old");

  // The original is unchanged (annotations make new failures).
  EXPECT_EQ(st.message(), "/d/x.tmp: fsync: Input/output error");
  // A failure without a path keeps its line when asked to name one.
  EXPECT_EQ(Status::Error("no member files given").WithPath("/p").message(), "no member files given");
}

TEST(Status, UpdateKeepsTheFirstError) {
  Status st;
  st.Update(Status::Ok());
  EXPECT_TRUE(st.ok());
  st.Update(Status::FromErrno(ENOSPC, "a", "write"));
  st.Update(Status::FromErrno(EIO, "b", "write"));
  EXPECT_EQ(st.path(), "a");
  EXPECT_EQ(st.code(), StatusCode::kNoSpace);
}

TEST(Status, CodeNames) {
  EXPECT_STREQ(StatusCodeName(StatusCode::kNoSpace), "no space");
  EXPECT_STREQ(StatusCodeName(StatusCode::kOk), "ok");
}

// --- Result -------------------------------------------------------------------------------------

// No default constructor: a failed Result must not need one.
struct NoDefault {
  explicit NoDefault(int v) : v(v) {}
  int v;
};

TEST(Result, HoldsAValueWithoutDefaultConstruction) {
  Result<NoDefault> r = NoDefault(7);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r->v, 7);
  EXPECT_EQ((*r).v, 7);
  EXPECT_EQ(r.value().v, 7);
  const Result<NoDefault>& cr = r;
  EXPECT_EQ(cr->v, 7);

  Result<NoDefault> failed = Status::FromErrno(EACCES, "/x");
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(failed.status().message(), "/x: Permission denied");
}

TEST(Result, MovesOnlyValuesOut) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
  Result<std::unique_ptr<int>> again = std::make_unique<int>(6);
  std::unique_ptr<int> q = *std::move(again);
  EXPECT_EQ(*q, 6);
}

TEST(Result, StatusOfAnRvalueIsMovedOut) {
  Status st = Result<int>(Status::FromErrno(EIO, "/y", "read")).status();
  EXPECT_EQ(st.message(), "/y: read: Input/output error");
}

#ifdef NDEBUG
TEST(Result, OkStatusWithoutValueIsAnInternalErrorInRelease) {
  Result<int> r = Status::Ok();  // asserts in debug builds
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}
#else
TEST(ResultDeathTest, ValueOfAFailedResultAsserts) {
  Result<int> r = Status::FromErrno(EIO, "/z");
  EXPECT_DEATH((void)r.value(), "value\\(\\) of a failed Result");
  EXPECT_DEATH((void)Result<int>(Status::Ok()), "Result made from an ok Status");
}
#endif

// --- the macros ---------------------------------------------------------------------------------

Result<int> Parse(int v) {
  if (v < 0) return Status::Error(StatusCode::kInvalidInput, "--n " + std::to_string(v) + ": must be >= 0");
  return v;
}

Result<int> SumOfTwo(int a, int b) {
  // Two uses in one scope: the temporaries' names must not clash.
  RS_ASSIGN_OR_RETURN(int x, Parse(a));
  RS_ASSIGN_OR_RETURN(int y, Parse(b));
  return x + y;
}

Status Check(int a) {
  int into = 0;
  RS_ASSIGN_OR_RETURN(into, Parse(a));  // assigns to an existing variable
  return into == 3 ? Status::Ok() : Status::Error("not three");
}

Result<std::unique_ptr<NoDefault>> MakeOne(bool fail) {
  if (fail) return Status::Error(StatusCode::kResourceExhausted, "out of ones");
  return std::make_unique<NoDefault>(1);
}

Result<int> UseMoveOnly(bool fail) {
  RS_ASSIGN_OR_RETURN(auto one, MakeOne(fail));
  return one->v;
}

Status Both(const Status& first, const Status& second) {
  RS_RETURN_IF_ERROR(first);
  RS_RETURN_IF_ERROR(second);
  return Status::Ok();
}

TEST(Macros, AssignOrReturn) {
  auto ok = SumOfTwo(1, 2);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);
  auto second_bad = SumOfTwo(1, -2);
  ASSERT_FALSE(second_bad.ok());
  EXPECT_EQ(second_bad.status().message(), "--n -2: must be >= 0");
  EXPECT_EQ(second_bad.status().code(), StatusCode::kInvalidInput);

  EXPECT_TRUE(Check(3).ok());
  EXPECT_EQ(Check(4).message(), "not three");
  EXPECT_EQ(Check(-1).code(), StatusCode::kInvalidInput);

  EXPECT_EQ(*UseMoveOnly(false), 1);
  EXPECT_EQ(UseMoveOnly(true).status().code(), StatusCode::kResourceExhausted);
}

TEST(Macros, ReturnIfErrorReturnsTheFirstFailure) {
  EXPECT_TRUE(Both(Status::Ok(), Status::Ok()).ok());
  Status st = Both(Status::FromErrno(EIO, "a", "read"), Status::FromErrno(ENOSPC, "b", "write"));
  EXPECT_EQ(st.path(), "a");
  EXPECT_EQ(st.sys_errno(), EIO);
}

}  // namespace
}  // namespace rs
