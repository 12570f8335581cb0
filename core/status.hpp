// core/status.hpp — the error type every fallible call returns: ok, or a failure that carries a
// code, the errno (when a system call failed), the path it concerns and one line "path: reason".
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace rs {

// What kind of failure: callers branch on this, never on the message text. The set covers the
// failures the code really has; FromErrno picks the code from the errno.
enum class StatusCode : unsigned char {
  kOk,
  kUnknown,            // Status::Error(message) without a code: the kind was not said
  kIoError,            // EIO and any errno without a closer match; short transfers
  kNotFound,           // ENOENT, ENOTDIR
  kPermissionDenied,   // EACCES, EPERM, EROFS
  kNoSpace,            // ENOSPC, EDQUOT, EFBIG
  kInvalidInput,       // a bad flag value, an input that is not a dataset; EINVAL, EISDIR, ELOOP, ...
  kCorruption,         // data or a file that is not what it must be (sizes, checksums, order)
  kAlreadyExists,      // EEXIST, ENOTEMPTY
  kBusy,               // EBUSY, ETXTBSY, EAGAIN; a lock held by another job
  kTimedOut,           // ETIMEDOUT; --net-timeout
  kUnavailable,        // a peer or the network: ECONNREFUSED, ECONNRESET, EPIPE, ...
  kResourceExhausted,  // ENOMEM, EMFILE, ENFILE; a memory budget too small
  kUnsupported,        // ENOSYS, EOPNOTSUPP
  kInternal,           // a broken invariant of riversort itself
};
const char* StatusCodeName(StatusCode code);
// The code a failed system call's errno stands for (0 gives kOk).
StatusCode StatusCodeFromErrno(int err);

// Immutable once made; an ok Status holds nothing and costs one null pointer, so returning
// Status::Ok() from hot paths (every pwrite) allocates nothing. Copies share the failure.
class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status Ok() { return Status(); }
  // A failure with a complete message, e.g. "/d1/in.2: size 1050 is not a multiple of 100 bytes".
  static Status Error(std::string message) { return Error(StatusCode::kUnknown, std::move(message)); }
  static Status Error(StatusCode code, std::string message);
  // "path: detail", with the path kept for callers (path() names it).
  static Status Error(StatusCode code, std::string_view path, std::string_view detail);
  // A failure from errno: "path: what: strerror(err)" (what may be empty), code from the errno.
  static Status FromErrno(int err, std::string_view path, std::string_view what = {});

  bool ok() const { return rep_ == nullptr; }
  StatusCode code() const { return rep_ ? rep_->code : StatusCode::kOk; }
  // The errno of the failed system call, or 0 when no system call failed.
  int sys_errno() const { return rep_ ? rep_->sys_errno : 0; }
  // The file (or other subject: "io_uring", "memory") the failure concerns; empty if none was given.
  const std::string& path() const { return rep_ ? rep_->path : Empty(); }
  // What failed, without the path, the context or the system's reason ("write", "fsync").
  const std::string& detail() const { return rep_ ? rep_->detail : Empty(); }
  // The one line: "[context: ]path: detail[: strerror][suffix]". Empty when ok.
  const std::string& message() const { return rep_ ? rep_->message : Empty(); }

  // The same failure (code, errno, path kept) said within a larger step: "prefix: <message>".
  // An ok Status stays ok.
  Status WithContext(std::string_view prefix) const;
  // The same failure with text appended verbatim: "<message><suffix>" (e.g. "; kept as X").
  Status WithSuffix(std::string_view suffix) const;
  // The same failure naming another path, e.g. the final name instead of a temporary one; the
  // message is rebuilt from its parts, so no text is searched. A failure without a path, or ok,
  // is returned as it is.
  Status WithPath(std::string_view path) const;

  // Keeps the first error: `status.Update(next)` never overwrites an earlier failure.
  void Update(const Status& other) {
    if (ok() && !other.ok()) *this = other;
  }

 private:
  struct Rep {
    StatusCode code = StatusCode::kUnknown;
    int sys_errno = 0;
    std::string path;
    std::string detail;
    std::string context;  // prefixes, outermost first, joined by ": "
    std::string suffix;
    std::string message;  // composed from the parts above once, so message() is a reference
  };
  static Status Make(Rep rep);
  static const std::string& Empty();
  std::shared_ptr<const Rep> rep_;
};

// Returns a value or the Status that explains why there is none. A failed Result holds no T, so
// T need not be default-constructible; value() of a failed Result is a bug (asserted in debug).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  // A failure. An ok Status carries no value: that is a bug of the caller, asserted in debug and
  // otherwise turned into an internal error rather than a Result that is ok without a value.
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "Result made from an ok Status: return the value instead");
    if (status_.ok()) {
      status_ = Status::Error(StatusCode::kInternal, "internal: Result from an ok Status without a value");
    }
  }
  bool ok() const { return value_.has_value(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  T& value() & { return Checked(), *value_; }
  const T& value() const& { return Checked(), *value_; }
  T&& value() && { return Checked(), std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  void Checked() const { assert(value_.has_value() && "value() of a failed Result"); }
  std::optional<T> value_;
  Status status_;
};

// A step of a collective set-up that must not return early (every rank has to reach the agreement
// on `st`): runs make() only while `st` is ok, then moves its value into `out` or its error into
// `st`. Written out, each step was five lines of if/else around the call.
template <typename T, typename Make>
void AssignIfOk(Status& st, T& out, Make&& make) {
  if (!st.ok()) return;
  auto made = make();
  if (made.ok())
    out = std::move(*made);
  else
    st = made.status();
}

#define RS_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::rs::Status rs_status_ = (expr);        \
    if (!rs_status_.ok()) return rs_status_; \
  } while (0)

#define RS_STATUS_CONCAT_INNER(a, b) a##b
#define RS_STATUS_CONCAT(a, b) RS_STATUS_CONCAT_INNER(a, b)
#define RS_ASSIGN_OR_RETURN_IMPL(tmp, lhs, ...)  \
  auto tmp = (__VA_ARGS__);                      \
  if (!tmp.ok()) return std::move(tmp).status(); \
  lhs = std::move(tmp).value()
// `RS_ASSIGN_OR_RETURN(auto f, File::Open(path, O_RDONLY));` declares f from the Result's value,
// or returns its Status from the enclosing function (which returns Status or any Result<U>).
// The temporary's name is unique per use, so several may share a scope. Not usable as the body
// of an unbraced if/else (it expands to several statements).
#define RS_ASSIGN_OR_RETURN(lhs, ...) \
  RS_ASSIGN_OR_RETURN_IMPL(RS_STATUS_CONCAT(rs_result_, __COUNTER__), lhs, __VA_ARGS__)

}  // namespace rs
