// core/status.hpp — the error type every fallible call returns: ok, or one line "path: reason".
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace rs {

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status Ok() { return Status(); }
  // A failure with a complete message, e.g. "/d1/in.2: size 1050 is not a multiple of 100 bytes".
  static Status Error(std::string message) { return Status(std::move(message)); }
  // A failure from errno: "path: what: strerror(err)" (what may be empty).
  static Status FromErrno(int err, std::string_view path, std::string_view what = {});

  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }
  // Keeps the first error: `status.Update(next)` never overwrites an earlier failure.
  void Update(const Status& other) {
    if (ok() && !other.ok()) *this = other;
  }

 private:
  explicit Status(std::string message) : failed_(true), message_(std::move(message)) {}
  bool failed_ = false;
  std::string message_;
};

// Returns a value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design
  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() { return value_; }
  const T& value() const { return value_; }
  T& operator*() { return value_; }
  T* operator->() { return &value_; }

 private:
  T value_{};
  Status status_;
};

#define RS_RETURN_IF_ERROR(expr)        \
  do {                                  \
    ::rs::Status rs_status_ = (expr);   \
    if (!rs_status_.ok()) return rs_status_; \
  } while (0)

}  // namespace rs
