// core/status.cpp
#include "core/status.hpp"

#include <cerrno>
#include <cstring>

namespace rs {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kUnknown:
      return "unknown";
    case StatusCode::kIoError:
      return "I/O error";
    case StatusCode::kNotFound:
      return "not found";
    case StatusCode::kPermissionDenied:
      return "permission denied";
    case StatusCode::kNoSpace:
      return "no space";
    case StatusCode::kInvalidInput:
      return "invalid input";
    case StatusCode::kCorruption:
      return "corruption";
    case StatusCode::kAlreadyExists:
      return "already exists";
    case StatusCode::kBusy:
      return "busy";
    case StatusCode::kTimedOut:
      return "timed out";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kResourceExhausted:
      return "resource exhausted";
    case StatusCode::kUnsupported:
      return "unsupported";
    case StatusCode::kInternal:
      return "internal";
  }
  return "?";
}

StatusCode StatusCodeFromErrno(int err) {
  switch (err) {
    case 0:
      return StatusCode::kOk;
    case ENOENT:
    case ENOTDIR:
      return StatusCode::kNotFound;
    case EACCES:
    case EPERM:
    case EROFS:
      return StatusCode::kPermissionDenied;
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return StatusCode::kNoSpace;
    case EEXIST:
    case ENOTEMPTY:
      return StatusCode::kAlreadyExists;
    case EBUSY:
    case ETXTBSY:
    case EAGAIN:
      return StatusCode::kBusy;  // EWOULDBLOCK is EAGAIN on Linux
    case ETIMEDOUT:
      return StatusCode::kTimedOut;
    case ECONNREFUSED:
    case ECONNRESET:
    case ECONNABORTED:
    case EPIPE:
    case ENOTCONN:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case ENETDOWN:
      return StatusCode::kUnavailable;
    case EINVAL:
    case EISDIR:
    case ELOOP:
    case ENAMETOOLONG:
    case ENXIO:
    case EBADF:
      return StatusCode::kInvalidInput;
    case ENOMEM:
    case EMFILE:
    case ENFILE:
      return StatusCode::kResourceExhausted;
    case ENOSYS:
    case EOPNOTSUPP:
      return StatusCode::kUnsupported;  // ENOTSUP is EOPNOTSUPP on Linux
    default:
      return StatusCode::kIoError;
  }
}

const std::string& Status::Empty() {
  static const std::string empty;
  return empty;
}

Status Status::Make(Rep rep) {
  // The one place the line is composed, so every way of making or annotating a failure agrees.
  std::string& m = rep.message;
  m = rep.context;
  if (!m.empty()) m += ": ";
  if (!rep.path.empty()) {
    m += rep.path;
    m += ": ";
  }
  m += rep.detail;
  if (rep.sys_errno != 0) {
    if (!rep.detail.empty()) m += ": ";
    m += std::strerror(rep.sys_errno);
  }
  m += rep.suffix;
  Status st;
  st.rep_ = std::make_shared<const Rep>(std::move(rep));
  return st;
}

Status Status::Error(StatusCode code, std::string message) {
  Rep rep;
  rep.code = code == StatusCode::kOk ? StatusCode::kInternal : code;  // a failure is never "ok"
  rep.detail = std::move(message);
  return Make(std::move(rep));
}

Status Status::Error(StatusCode code, std::string_view path, std::string_view detail) {
  Rep rep;
  rep.code = code == StatusCode::kOk ? StatusCode::kInternal : code;
  rep.path = path;
  rep.detail = detail;
  return Make(std::move(rep));
}

Status Status::FromErrno(int err, std::string_view path, std::string_view what) {
  Rep rep;
  // errno 0 would print "Success" in a failure; it only comes from a caller's bug.
  rep.code = err == 0 ? StatusCode::kInternal : StatusCodeFromErrno(err);
  rep.sys_errno = err;
  rep.path = path;
  rep.detail = what;
  return Make(std::move(rep));
}

Status Status::WithContext(std::string_view prefix) const {
  if (ok() || prefix.empty()) return *this;
  Rep rep = *rep_;
  rep.context = rep.context.empty() ? std::string(prefix) : std::string(prefix) + ": " + rep.context;
  return Make(std::move(rep));
}

Status Status::WithSuffix(std::string_view suffix) const {
  if (ok() || suffix.empty()) return *this;
  Rep rep = *rep_;
  rep.suffix += suffix;
  return Make(std::move(rep));
}

Status Status::WithPath(std::string_view path) const {
  if (ok() || rep_->path.empty()) return *this;
  Rep rep = *rep_;
  rep.path = path;
  return Make(std::move(rep));
}

}  // namespace rs
